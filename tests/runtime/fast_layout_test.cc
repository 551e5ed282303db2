// Layout propagation in the fast Session (runtime/fast/layout.h): the layout decision on its own,
// the buffer conversions, and int8 graphs (QLinearConv chains with a residual QLinearAdd, Q/DQ,
// 8-bit MaxPool, a branch read by an op without a channels-last kernel, graph outputs, a kernel
// dropped after the decision) against the reference executor and against the same session with
// propagation off (which must agree bit for bit: only the memory order differs).
#include <gtest/gtest.h>

#include "runtime/fast/int8_depthwise.h"
#include "runtime/fast/int8_exact.h"
#include "runtime/fast/int8_util.h"
#include "runtime/fast/layout.h"
#include "runtime_util/fast_test_util.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;
using runtime::fast::DecideLayouts;
using runtime::fast::Int8DepthwiseAvailable;
using runtime::fast::kRequantTol;
using runtime::fast::Layout;
using runtime::fast::LayoutCaps;
using runtime::fast::LayoutStep;

// Whether the int8 convolutions run on fast kernels (an exact int8 dot product: VNNI); the layout
// decisions below follow them. Without, they run on the reference kernels (values around them
// plain) and the tests check the outputs only.
bool ConvKernels() { return runtime::fast::Int8DotExact(); }

constexpr Layout kPlain = Layout::kPlain;
constexpr Layout kCl = Layout::kChannelsLast;

LayoutStep Step(std::vector<int> in, int out, LayoutCaps caps, size_t rank = 4,
                bool kernel = true) {
  LayoutStep s;
  s.has_kernel = kernel;
  s.caps = std::move(caps);
  s.in_slots = std::move(in);
  s.out_slot = out;
  s.out_rank = rank;
  return s;
}
const LayoutCaps kConv{{0}, true, false};
const LayoutCaps kTiedAdd{{0, 1}, true, true};

TEST(FastLayout, DecisionKeepsChainsChannelsLastUpToTheBoundary) {
  // 0 -> conv -> 1 -> conv -> 2 -> conv -> 3 (graph output); 1 also read by a plain-only step.
  std::vector<LayoutStep> steps = {Step({0}, 1, kConv), Step({1}, 2, kConv), Step({2}, 3, kConv)};
  EXPECT_EQ(DecideLayouts(steps, 4, {3}), (std::vector<Layout>{kPlain, kCl, kCl, kPlain}));
  steps.push_back(Step({1}, 4, {}, 4, false));
  EXPECT_EQ(DecideLayouts(steps, 5, {3}),
            (std::vector<Layout>{kPlain, kPlain, kCl, kPlain, kPlain}));
  // A reader whose kernel takes input 0 channels-last but not input 1.
  steps.back() = Step({0, 2}, 4, kConv);
  EXPECT_EQ(DecideLayouts(steps, 5, {3})[2], kPlain);
  // Rank 2 outputs never go channels-last.
  EXPECT_EQ(DecideLayouts({Step({0}, 1, kConv, 2), Step({1}, 2, kConv)}, 3, {2})[1], kPlain);
}

TEST(FastLayout, TiedKernelsShareOneLayout) {
  // conv(0) -> 1, conv(0) -> 2, add(1, 2) -> 3, conv(3) -> 4 (output).
  std::vector<LayoutStep> steps = {Step({0}, 1, kConv), Step({0}, 2, kConv),
                                   Step({1, 2}, 3, kTiedAdd), Step({3}, 4, kConv)};
  EXPECT_EQ(DecideLayouts(steps, 5, {4}), (std::vector<Layout>{kPlain, kCl, kCl, kCl, kPlain}));
  // One plain input (a graph input) makes the whole add plain; the convs then write plain.
  steps[2].in_slots = {1, 0};
  EXPECT_EQ(DecideLayouts(steps, 5, {4}),
            (std::vector<Layout>{kPlain, kPlain, kCl, kPlain, kPlain}));
  // A plain output (graph output) likewise ties its inputs back to plain.
  steps[2].in_slots = {1, 2};
  EXPECT_EQ(DecideLayouts(steps, 5, {3, 4}), std::vector<Layout>(5, kPlain));
}

TEST(FastLayout, ConversionsRoundTrip) {
  const Shape shape{2, 3, 4, 5};
  Tensor x(DataType::kInt32, shape), cl(DataType::kInt32, shape), back(DataType::kInt32, shape);
  for (int64_t i = 0; i < x.numel(); ++i) x.data<int32_t>()[i] = static_cast<int32_t>(i * 7 + 1);
  runtime::fast::ToChannelsLast(x.raw(), cl.raw(), shape, 4);
  // Element (n, c, h, w) sits at ((n * H + h) * W + w) * C + c.
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t h = 0; h < 4; ++h)
        for (int64_t w = 0; w < 5; ++w)
          ASSERT_EQ(cl.data<int32_t>()[((n * 4 + h) * 5 + w) * 3 + c],
                    x.data<int32_t>()[((n * 3 + c) * 4 + h) * 5 + w]);
  runtime::fast::ToPlain(cl.raw(), back.raw(), shape, 4);
  EXPECT_EQ(MaxAbsDiff(back, x), 0.0);
}

// --- int8 graphs ------------------------------------------------------------------------------

struct QBuilder {
  ir::Graph& g;
  DataType qt;
  int w_max = 127;  // weights uniform in [-w_max, w_max]
  int counter = 0;

  std::string Name(const std::string& p) { return p + std::to_string(counter++); }
  ir::Value* Zp(int u8_value) {
    Tensor t(qt, {});
    t.SetFromDouble(0, qt == DataType::kUInt8 ? u8_value : u8_value - 128);
    return g.AddInitializer(Name("zp"), t);
  }
  ir::Value* Scale(float s) { return g.AddInitializer(Name("s"), Tensor::Scalar(s)); }
  // QLinearConv 3x3 pad 1 (or 1x1), per-output-channel weight scales, int32 bias.
  ir::Value* Conv(ir::Value* x, int64_t cin, int64_t cout, int64_t k, uint32_t seed) {
    const std::string n = Name("conv");
    Tensor ws(DataType::kFloat32, {cout});
    for (int64_t i = 0; i < cout; ++i)
      ws.data<float>()[i] = 0.004f + 0.001f * static_cast<float>(i);
    auto w = g.AddInitializer(n + "_w",
                              RandomQ(DataType::kInt8, {cout, cin, k, k}, seed, -w_max, w_max));
    Tensor wzp(DataType::kInt8, {cout});
    for (int64_t i = 0; i < cout; ++i) wzp.data<int8_t>()[i] = 0;
    auto b = g.AddInitializer(n + "_b", RandomQ(DataType::kInt32, {cout}, seed + 1, -500, 500));
    const int64_t p = k / 2;
    return g
        .AddNode("QLinearConv",
                 {x, Scale(0.05f), Zp(120), w, g.AddInitializer(n + "_ws", ws),
                  g.AddInitializer(n + "_wzp", wzp), Scale(0.05f), Zp(120), b},
                 {n}, {MakeAttr("pads", Shape{p, p, p, p})}, n)
        ->output(0);
  }
  ir::Value* Add(ir::Value* a, ir::Value* b) {
    const std::string n = Name("add");
    return g
        .AddNode("QLinearAdd",
                 {a, Scale(0.05f), Zp(120), b, Scale(0.05f), Zp(120), Scale(0.08f), Zp(110)}, {n},
                 {}, n, "com.microsoft")
        ->output(0);
  }
  ir::Value* Dq(ir::Value* x) {
    const std::string n = Name("dq");
    return g.AddNode("DequantizeLinear", {x, Scale(0.08f), Zp(110)}, {n}, {}, n)->output(0);
  }
  ir::Value* Q(ir::Value* x) {
    const std::string n = Name("q");
    return g.AddNode("QuantizeLinear", {x, Scale(0.05f), Zp(120)}, {n}, {}, n)->output(0);
  }
  ir::Value* Gap(ir::Value* x) {
    const std::string n = Name("gap");
    return g
        .AddNode("QLinearGlobalAveragePool", {x, Scale(0.05f), Zp(120), Scale(0.02f), Zp(100)}, {n},
                 {}, n, "com.microsoft")
        ->output(0);
  }
  // 3x3 / stride 2 / pad 1, or (k = 2) the common 2x2 / stride 2 without padding.
  ir::Value* Pool(ir::Value* x, int64_t k = 3) {
    const std::string n = Name("pool");
    const int64_t pad = k == 3 ? 1 : 0;
    return g
        .AddNode("MaxPool", {x}, {n},
                 {MakeAttr("kernel_shape", Shape{k, k}), MakeAttr("strides", Shape{2, 2}),
                  MakeAttr("pads", Shape{pad, pad, pad, pad})},
                 n)
        ->output(0);
  }
};

struct RunResult {
  std::vector<std::vector<Tensor>> outs;  // per run
  int64_t channels_last_values = 0;
  std::vector<runtime::fast::StepProfile> profile;
};

RunResult RunFast(const ir::Model& m, const std::vector<runtime::Feeds>& feeds,
                  bool channels_last) {
  runtime::fast::SessionOptions o;
  o.channels_last = channels_last;
  o.profile = true;
  auto s = runtime::fast::Session::Create(m, o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  RunResult r;
  if (!s.ok()) return r;
  for (const auto& f : feeds) {
    auto out = (*s)->Run(f);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    if (out.ok()) r.outs.push_back(*out);
  }
  r.channels_last_values = (*s)->stats().channels_last_values;
  r.profile = (*s)->Profile();
  return r;
}

// Runs `feeds` in order on the reference executor and on the fast session with and without layout
// propagation; expects agreement (reference within one step, the two fast runs exactly) and
// returns the propagating run.
RunResult ExpectSameOutputs(const ir::Model& m, const std::vector<runtime::Feeds>& feeds) {
  auto ex = runtime::Executor::Create(m);
  EXPECT_TRUE(ex.ok()) << ex.status().ToString();
  RunResult on = RunFast(m, feeds, true), off = RunFast(m, feeds, false);
  EXPECT_EQ(on.outs.size(), feeds.size());
  EXPECT_EQ(off.outs.size(), feeds.size());
  EXPECT_EQ(off.channels_last_values, 0);
  for (size_t r = 0; r < std::min(on.outs.size(), off.outs.size()) && ex.ok(); ++r) {
    SCOPED_TRACE("run " + std::to_string(r));
    auto ref = (*ex)->Run(feeds[r]);
    EXPECT_TRUE(ref.ok()) << ref.status().ToString();
    if (!ref.ok()) continue;
    EXPECT_EQ(on.outs[r].size(), ref->size());
    for (size_t k = 0; k < std::min(on.outs[r].size(), ref->size()); ++k) {
      EXPECT_EQ(on.outs[r][k].shape(), (*ref)[k].shape());
      EXPECT_LE(MaxAbsDiff(on.outs[r][k], (*ref)[k]), kRequantTol) << "output " << k;
      EXPECT_EQ(MaxAbsDiff(on.outs[r][k], off.outs[r][k]), 0.0) << "output " << k;
    }
  }
  return on;
}

ir::Value* QInput(ir::Graph& g, const std::string& name, DataType qt, Shape shape) {
  return g.AddInput(name, ir::TypeInfo::Tensor(qt, shape));
}

// `runs` feeds of random 8-bit "x" over the whole range of `qt`, seeds seed, seed + 1, ...
std::vector<runtime::Feeds> RandomXFeeds(DataType qt, const Shape& shape, uint32_t seed,
                                         uint32_t runs) {
  const bool u8 = qt == DataType::kUInt8;
  std::vector<runtime::Feeds> feeds;
  for (uint32_t r = 0; r < runs; ++r)
    feeds.push_back({{"x", RandomQ(qt, shape, seed + r, u8 ? 0 : -128, u8 ? 255 : 127)}});
  return feeds;
}

// x -> conv1 -> conv2 -> add(conv2, conv1) -> DQ -> Q -> MaxPool (3x3 convs to `mid` channels):
// the pool's output.
ir::Value* ResidualPool(QBuilder& b, ir::Value* x, int64_t cin, int64_t mid) {
  ir::Value* c1 = b.Conv(x, cin, mid, 3, 10);
  ir::Value* c2 = b.Conv(c1, mid, mid, 3, 20);
  return b.Pool(b.Q(b.Dq(b.Add(c2, c1))));
}

// x -> conv1 -> conv2 -> add(conv2, conv1) -> DQ -> Q -> MaxPool -> conv3 -> conv4 -> y,
// conv3 -> Cast -> z (Cast has no channels-last kernel: conv3 stays plain). The 3x3 convs are
// padded with a nonzero input zero point: on oneDNN they read a padded copy of their input, plain
// (conv1) or channels-last (conv2, conv4). 7-bit weights run on fast kernels without VNNI too.
TEST(FastLayout, Int8ResidualChainMatchesReference) {
  for (int w_max : {127, runtime::fast::kPairSafeWeight})
    for (DataType qt : {DataType::kUInt8, DataType::kInt8}) {
      SCOPED_TRACE(std::string(DataTypeName(qt)) + " weights +-" + std::to_string(w_max));
      ir::Model m = ir::MakeModel(17);
      m.SetOpset("com.microsoft", 1);
      ir::Graph& g = *m.graph;
      QBuilder b{g, qt, w_max};
      ir::Value* p = ResidualPool(b, QInput(g, "x", qt, {2, 4, 12, 12}), 4, 8);
      ir::Value* c3 = b.Conv(p, 8, 6, 1, 30);
      g.AddOutput(b.Conv(c3, 6, 5, 3, 40));
      g.AddOutput(g.AddNode("Cast", {c3}, {"z"}, {MakeAttr("to", int64_t{1})}, "cast")->output(0));
      RunResult on = ExpectSameOutputs(m, RandomXFeeds(qt, {2, 4, 12, 12}, 100, 3));
      const bool convs =
          ConvKernels() || (qt == DataType::kUInt8 && w_max <= runtime::fast::kPairSafeWeight);
      if (convs) EXPECT_EQ(on.channels_last_values, 6);  // conv1, conv2, add, dq, q, pool
      for (const auto& s : on.profile)
        if (s.op_type != "Cast" && (convs || s.op_type != "QLinearConv")) {
          EXPECT_NE(s.backend, "reference") << s.name;
        }
    }
}

// On two threads, an int8 plan of native kernels only (u8) splits its steps on the spin pool's
// helpers (spin_pool.h); with s8 activations its convolutions run on oneDNN, whose OpenMP regions
// send the plan's jobs to OpenMP instead (without VNNI they run on the reference kernels, which
// start no OpenMP region: the pool again). Both agree exactly with one thread, and with the
// reference executor within the layers' rounding.
TEST(FastLayout, Int8PlanOfNativeKernelsSplitsOnTheSpinPool) {
  for (DataType qt : {DataType::kUInt8, DataType::kInt8}) {
    SCOPED_TRACE(DataTypeName(qt));
    ir::Model m = ir::MakeModel(17);
    m.SetOpset("com.microsoft", 1);
    ir::Graph& g = *m.graph;
    QBuilder b{g, qt};
    ir::Value* p = ResidualPool(b, QInput(g, "x", qt, {1, 8, 28, 28}), 8, 16);
    g.AddOutput(b.Conv(p, 16, 8, 1, 30));
    runtime::fast::SessionOptions o;
    o.threads = 2;
    o.tune_threads = false;
    auto s = runtime::fast::Session::Create(m, o);
    o.threads = 1;
    auto one = runtime::fast::Session::Create(m, o);
    ASSERT_TRUE(s.ok() && one.ok());
    auto ex = runtime::Executor::Create(m);
    ASSERT_TRUE(ex.ok()) << ex.status().ToString();
    for (const auto& feeds : RandomXFeeds(qt, {1, 8, 28, 28}, 300, 3)) {
      auto out = (*s)->Run(feeds);
      auto out1 = (*one)->Run(feeds);
      auto ref = (*ex)->Run(feeds);
      ASSERT_TRUE(out.ok() && out1.ok() && ref.ok());
      EXPECT_EQ(MaxAbsDiff((*out)[0], (*out1)[0]), 0.0);  // the split changes no arithmetic
      // One step a requantized layer, which the later layers carry (four of them here).
      EXPECT_LE(MaxAbsDiff((*out)[0], (*ref)[0]), 4 * kRequantTol);
    }
    const bool onednn = ConvKernels() && !(qt == DataType::kUInt8 && Int8DepthwiseAvailable());
    EXPECT_EQ((*s)->stats().spin_pool, !onednn);
  }
}

// conv -> QLinearGlobalAveragePool -> Flatten: the pool reads the conv's channels-last output
// (its [N, C, 1, 1] output is the same bytes in either layout).
TEST(FastLayout, Int8GlobalAveragePoolReadsChannelsLast) {
  for (DataType qt : {DataType::kUInt8, DataType::kInt8}) {
    SCOPED_TRACE(DataTypeName(qt));
    ir::Model m = ir::MakeModel(17);
    m.SetOpset("com.microsoft", 1);
    ir::Graph& g = *m.graph;
    QBuilder b{g, qt};
    ir::Value* x = QInput(g, "x", qt, {2, 4, 7, 6});
    ir::Value* pooled = b.Gap(b.Conv(x, 4, 20, 3, 50));
    g.AddOutput(g.AddNode("Flatten", {pooled}, {"y"}, {}, "flatten")->output(0));
    RunResult on = ExpectSameOutputs(m, RandomXFeeds(qt, {2, 4, 7, 6}, 200, 2));
    if (ConvKernels()) EXPECT_EQ(on.channels_last_values, 1);  // the conv's output
    for (const auto& s : on.profile)
      if (s.op_type == "QLinearGlobalAveragePool") {
        EXPECT_EQ(s.backend, "native");
      }
  }
}

// A value that would be channels-last but is a graph output stays plain; its producer still reads
// channels-last.
TEST(FastLayout, GraphOutputOfAChannelsLastChainIsPlain) {
  ir::Model m = ir::MakeModel(17);
  ir::Graph& g = *m.graph;
  QBuilder b{g, DataType::kUInt8};
  ir::Value* c1 = b.Conv(QInput(g, "x", DataType::kUInt8, {1, 3, 9, 7}), 3, 8, 3, 50);
  ir::Value* c2 = b.Conv(c1, 8, 8, 3, 60);
  g.AddOutput(b.Conv(c2, 8, 4, 1, 70));
  g.AddOutput(c2);
  std::vector<runtime::Feeds> feeds;
  for (uint32_t r = 0; r < 2; ++r)
    feeds.push_back({{"x", RandomQ(DataType::kUInt8, {1, 3, 9, 7}, 200 + r, 0, 255)}});
  const int64_t channels_last = ExpectSameOutputs(m, feeds).channels_last_values;
  if (ConvKernels()) EXPECT_EQ(channels_last, 1);  // c1 only
}

// A pool whose output only a plain reader takes (Flatten, before a classifier) reads the conv's
// output channels-last and writes plain: only the pooled tensor is transposed. Its input and output
// layouts are independent (not tied), in either direction: a pool fed by a graph input (plain)
// writes channels-last for a conv.
TEST(FastLayout, PoolLayoutsAreIndependent) {
  for (DataType qt : {DataType::kUInt8, DataType::kInt8}) {
    SCOPED_TRACE(DataTypeName(qt));
    ir::Model m = ir::MakeModel(17);
    ir::Graph& g = *m.graph;
    QBuilder b{g, qt};
    ir::Value* x = QInput(g, "x", qt, {2, 4, 13, 11});
    ir::Value* p =
        b.Pool(b.Conv(x, 4, 8, 3, 400), 2);  // 13x11 -> 6x5: the last row / column unread
    g.AddOutput(g.AddNode("Flatten", {p}, {"f"}, {}, "flatten")->output(0));
    g.AddOutput(b.Conv(b.Pool(x), 4, 6, 1, 410));
    RunResult on = ExpectSameOutputs(m, RandomXFeeds(qt, {2, 4, 13, 11}, 420, 2));
    // The first conv's output, the second pool's output.
    if (ConvKernels()) EXPECT_EQ(on.channels_last_values, 2);
    for (const auto& s : on.profile)
      if (s.op_type == "MaxPool") {
        EXPECT_EQ(s.backend, "native") << s.name;
      }
  }
}

// QLinearAdd's kernel is dropped when a later shape needs broadcasting: the reference kernel then
// reads plain copies of its channels-last inputs and its output is converted back.
TEST(FastLayout, KernelDroppedAfterTheDecisionConvertsAtTheBoundary) {
  ir::Model m = ir::MakeModel(17);
  m.SetOpset("com.microsoft", 1);
  ir::Graph& g = *m.graph;
  QBuilder b{g, DataType::kUInt8};
  ir::Value* x = g.AddInput("x", {DataType::kUInt8,
                                  std::vector<ir::Dim>{ir::Dim::Symbol("N"), ir::Dim::Known(4),
                                                       ir::Dim::Known(6), ir::Dim::Known(6)},
                                  ""});
  ir::Value* u = QInput(g, "u", DataType::kUInt8, {1, 4, 6, 6});
  ir::Value* a = b.Add(b.Conv(x, 4, 8, 3, 80), b.Conv(u, 4, 8, 3, 90));
  g.AddOutput(b.Conv(a, 8, 3, 3, 100));
  const Tensor u_val = RandomQ(DataType::kUInt8, {1, 4, 6, 6}, 300, 0, 255);
  std::vector<runtime::Feeds> feeds;
  for (int64_t n : {1, 1, 3, 1})
    feeds.push_back(
        {{"x", RandomQ(DataType::kUInt8, {n, 4, 6, 6}, 310 + static_cast<uint32_t>(n), 0, 255)},
         {"u", u_val}});
  RunResult on = ExpectSameOutputs(m, feeds);
  if (ConvKernels()) EXPECT_EQ(on.channels_last_values, 3);  // both convs and the add
  bool add_on_reference = false;
  for (const auto& s : on.profile)
    add_on_reference |= s.op_type == "QLinearAdd" && s.backend == "reference";
  EXPECT_TRUE(add_on_reference);
}

}  // namespace
}  // namespace shrink::testing
