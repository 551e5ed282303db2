// Layout propagation for fp32 (runtime/fast/layout.h, SessionOptions::fp32_channels_last): Conv
// chains with a residual Add, Relu, MaxPool / AveragePool / GlobalAveragePool, a branch read by an
// op without a channels-last kernel, a graph output taken from a channels-last chain, broadcasting
// binary ops, a kernel dropped after the decision, and zoo models. The channels-last plan must
// match the plain plan within fp32 rounding (oneDNN may pick another algorithm per layout) and the
// reference executor within the fast-kernel tolerances.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "onnx/import.h"
#include "runtime/random_inputs.h"
#include "runtime_util/fast_test_util.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

constexpr double kLayoutRelTol = 1e-5;  // plain vs channels-last plan, relative to max |plain|

double MaxAbs(const Tensor& t) {
  double m = 0;
  for (int64_t i = 0; i < t.numel(); ++i) m = std::max(m, std::abs(t.GetAsDouble(i)));
  return m;
}

struct RunResult {
  std::vector<std::vector<Tensor>> outs;  // per run
  int64_t channels_last_values = 0;
  std::vector<runtime::fast::StepProfile> profile;
};

RunResult RunFast(const ir::Model& m, const std::vector<runtime::Feeds>& feeds, bool fp32_cl) {
  runtime::fast::SessionOptions o;
  o.fp32_channels_last = fp32_cl;
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

// The channels-last run `on` against the plain run `off` (kLayoutRelTol) and, when `reference`,
// against the reference executor (kReductionTol relative to max(1, max |reference|)).
void CompareRuns(const ir::Model& m, const std::vector<runtime::Feeds>& feeds, const RunResult& on,
                 const RunResult& off, bool reference) {
  ASSERT_EQ(on.outs.size(), feeds.size());
  ASSERT_EQ(off.outs.size(), feeds.size());
  EXPECT_EQ(off.channels_last_values, 0);
  auto ex = runtime::Executor::Create(m);
  ASSERT_TRUE(ex.ok()) << ex.status().ToString();
  for (size_t r = 0; r < feeds.size(); ++r) {
    SCOPED_TRACE("run " + std::to_string(r));
    ASSERT_EQ(on.outs[r].size(), off.outs[r].size());
    for (size_t k = 0; k < on.outs[r].size(); ++k) {
      ASSERT_EQ(on.outs[r][k].shape(), off.outs[r][k].shape());
      EXPECT_LE(MaxAbsDiff(on.outs[r][k], off.outs[r][k]),
                kLayoutRelTol * std::max(MaxAbs(off.outs[r][k]), 1e-30))
          << "output " << k;
    }
    if (!reference) continue;
    auto ref = (*ex)->Run(feeds[r]);
    ASSERT_TRUE(ref.ok()) << ref.status().ToString();
    ASSERT_EQ(ref->size(), on.outs[r].size());
    for (size_t k = 0; k < ref->size(); ++k)
      EXPECT_LE(MaxAbsDiff(on.outs[r][k], (*ref)[k]),
                kReductionTol * std::max(1.0, MaxAbs((*ref)[k])))
          << "output " << k;
  }
}

// Runs `feeds` with fp32 layout propagation on and off, compares (CompareRuns) and returns the
// propagating run.
RunResult ExpectSameOutputs(const ir::Model& m, const std::vector<runtime::Feeds>& feeds,
                            bool reference = true) {
  RunResult on = RunFast(m, feeds, true), off = RunFast(m, feeds, false);
  CompareRuns(m, feeds, on, off, reference);
  return on;
}

struct FBuilder {
  ir::Graph& g;
  int counter = 0;

  std::string Name(const std::string& p) { return p + std::to_string(counter++); }
  // Conv k x k, pad k / 2, with bias; `group` channels per group = cin / group.
  ir::Value* Conv(ir::Value* x, int64_t cin, int64_t cout, int64_t k, uint32_t seed,
                  int64_t group = 1, int64_t stride = 1) {
    const std::string n = Name("conv");
    const float scale = 1.0f / std::sqrt(static_cast<float>(cin / group * k * k));
    auto w =
        g.AddInitializer(n + "_w", RandomTensor({cout, cin / group, k, k}, seed, -scale, scale));
    auto b = g.AddInitializer(n + "_b", RandomTensor({cout}, seed + 1, -0.1f, 0.1f));
    const int64_t p = k / 2;
    return g
        .AddNode("Conv", {x, w, b}, {n},
                 {MakeAttr("pads", Shape{p, p, p, p}), MakeAttr("group", group),
                  MakeAttr("strides", Shape{stride, stride})},
                 n)
        ->output(0);
  }
  ir::Value* Op(const std::string& op, std::vector<ir::Value*> in,
                std::vector<ir::Attribute> attrs = {}) {
    const std::string n = Name(op);
    return g.AddNode(op, std::move(in), {n}, std::move(attrs), n)->output(0);
  }
  ir::Value* Pool(const std::string& op, ir::Value* x) {
    return Op(op, {x},
              {MakeAttr("kernel_shape", Shape{3, 3}), MakeAttr("strides", Shape{2, 2}),
               MakeAttr("pads", Shape{1, 1, 1, 1})});
  }
};

ir::Value* FInput(ir::Graph& g, const std::string& name, Shape shape) {
  return g.AddInput(name, ir::TypeInfo::Tensor(DataType::kFloat32, shape));
}

std::vector<runtime::Feeds> Feeds(const Shape& shape, uint32_t seed, int runs) {
  std::vector<runtime::Feeds> feeds;
  for (int r = 0; r < runs; ++r)
    feeds.push_back({{"x", RandomTensor(shape, seed + static_cast<uint32_t>(r))}});
  return feeds;
}

// x -> conv1 -> Relu -> conv2 -> Add(conv2, relu1) -> Relu -> MaxPool -> depthwise conv3 ->
// conv4 -> AveragePool -> GlobalAveragePool -> Flatten -> y; conv3 -> Transpose -> z (no
// channels-last kernel: conv3 stays plain).
TEST(FastLayoutFp32, ResidualChainMatchesPlainAndReference) {
  ir::Model m = ir::MakeModel(17);
  ir::Graph& g = *m.graph;
  FBuilder b{g};
  ir::Value* r1 = b.Op("Relu", {b.Conv(FInput(g, "x", {2, 4, 12, 12}), 4, 8, 3, 10)});
  ir::Value* a = b.Op("Relu", {b.Op("Add", {b.Conv(r1, 8, 8, 3, 20), r1})});
  ir::Value* c3 = b.Conv(b.Pool("MaxPool", a), 8, 8, 3, 30, /*group=*/8);
  ir::Value* c4 = b.Conv(c3, 8, 16, 1, 40);
  g.AddOutput(b.Op("Flatten", {b.Op("GlobalAveragePool", {b.Pool("AveragePool", c4)})}));
  g.AddOutput(b.Op("Transpose", {c3}, {MakeAttr("perm", Shape{0, 2, 3, 1})}));
  RunResult on = ExpectSameOutputs(m, Feeds({2, 4, 12, 12}, 100, 3));
  // conv1 (its Relu fused), conv2 (the Add and Relu fused), MaxPool, conv4, AveragePool; not the
  // global pool's output (read by Flatten).
  EXPECT_EQ(on.channels_last_values, 5);
  for (const auto& s : on.profile)
    if (s.op_type != "Transpose" && s.op_type != "Flatten") {
      EXPECT_NE(s.backend, "reference") << s.name << " " << s.op_type;
    }
}

// A value that would be channels-last but is a graph output stays plain; the residual Add that
// reads it then runs plain too (tied), and so do its other inputs.
TEST(FastLayoutFp32, GraphOutputOfAChannelsLastChainIsPlain) {
  ir::Model m = ir::MakeModel(17);
  ir::Graph& g = *m.graph;
  FBuilder b{g};
  ir::Value* c1 = b.Conv(FInput(g, "x", {1, 3, 9, 7}), 3, 8, 3, 50);
  ir::Value* c2 = b.Conv(c1, 8, 8, 3, 60, 1, 2);
  ir::Value* c3 = b.Conv(c2, 8, 8, 3, 70);
  ir::Value* c4 = b.Conv(b.Op("Add", {c3, c2}), 8, 4, 1, 80);
  g.AddOutput(c4);
  g.AddOutput(c3);
  EXPECT_EQ(ExpectSameOutputs(m, Feeds({1, 3, 9, 7}, 200, 2)).channels_last_values, 1);  // c1
}

// A pooling whose input is channels-last (a conv chain) and whose output is a graph output (plain):
// the kernel pools channels-last and reorders its own result (oneDNN itself has only a reference
// kernel for mixed layouts). Same numbers as the plain plan.
TEST(FastLayoutFp32, PoolingFromChannelsLastIntoAPlainGraphOutput) {
  ir::Model m = ir::MakeModel(17);
  ir::Graph& g = *m.graph;
  FBuilder b{g};
  ir::Value* c1 = b.Conv(FInput(g, "x", {1, 16, 6, 20}), 16, 16, 3, 90);
  g.AddOutput(b.Op("AveragePool", {b.Op("Relu", {c1})},
                   {MakeAttr("kernel_shape", Shape{3, 2}), MakeAttr("strides", Shape{3, 2})}));
  g.AddOutput(b.Pool("MaxPool", c1));
  RunResult on = ExpectSameOutputs(m, Feeds({1, 16, 6, 20}, 300, 2));
  EXPECT_GE(on.channels_last_values, 1);  // the conv's output
}

// Broadcast operands with one value per (n, c) (a squeeze-excitation scale from GlobalAveragePool
// + Sigmoid, a scalar) keep the full operand channels-last; an Add that broadcasts along W (a
// [W] bias) has no channels-last kernel: its input stays plain.
TEST(FastLayoutFp32, BroadcastingBinaryOps) {
  ir::Model m = ir::MakeModel(17);
  ir::Graph& g = *m.graph;
  FBuilder b{g};
  ir::Value* c1 = b.Conv(FInput(g, "x", {2, 4, 8, 8}), 4, 8, 3, 90);
  ir::Value* se = b.Op("Sigmoid", {b.Op("GlobalAveragePool", {c1})});
  ir::Value* half = g.AddInitializer("half", Tensor::Scalar(0.5f));
  ir::Value* c2 = b.Conv(b.Op("Add", {half, b.Op("Mul", {c1, se})}), 8, 8, 3, 91);
  ir::Value* bias = g.AddInitializer("bias", RandomTensor({8}, 92));
  ir::Value* c3 = b.Conv(b.Op("Add", {c2, bias}), 8, 8, 3, 93);
  g.AddOutput(b.Conv(c3, 8, 2, 3, 94));
  RunResult on = ExpectSameOutputs(m, Feeds({2, 4, 8, 8}, 300, 2));
  EXPECT_EQ(on.channels_last_values, 4);  // c1, the Mul, the scalar Add, c3
  for (const auto& s : on.profile) EXPECT_NE(s.backend, "reference") << s.name;
}

// The residual Add fused into the second conv stops fitting when a later batch size makes it
// broadcast along N: the step's kernel is dropped, the reference kernels then read plain copies of
// its channels-last inputs and its output is converted back.
TEST(FastLayoutFp32, KernelDroppedAfterTheDecisionConvertsAtTheBoundary) {
  ir::Model m = ir::MakeModel(17);
  ir::Graph& g = *m.graph;
  FBuilder b{g};
  ir::Value* x = g.AddInput("x", {DataType::kFloat32,
                                  std::vector<ir::Dim>{ir::Dim::Symbol("N"), ir::Dim::Known(4),
                                                       ir::Dim::Known(6), ir::Dim::Known(6)},
                                  ""});
  ir::Value* u = FInput(g, "u", {1, 4, 6, 6});
  ir::Value* a = b.Op("Add", {b.Conv(x, 4, 8, 3, 400), b.Conv(u, 4, 8, 3, 401)});
  g.AddOutput(b.Conv(a, 8, 3, 3, 402));
  const Tensor u_val = RandomTensor({1, 4, 6, 6}, 403);
  std::vector<runtime::Feeds> feeds;
  for (int64_t n : {1, 1, 3, 1})
    feeds.push_back(
        {{"x", RandomTensor({n, 4, 6, 6}, 410 + static_cast<uint32_t>(n))}, {"u", u_val}});
  RunResult on = ExpectSameOutputs(m, feeds);
  EXPECT_EQ(on.channels_last_values, 2);  // the first conv and the Add
  bool add_on_reference = false;
  for (const auto& s : on.profile)
    add_on_reference |= s.op_type == "Conv+Add" && s.backend == "reference";
  EXPECT_TRUE(add_on_reference);
}

// Zoo models (depthwise convs, Clip, residual Adds, squeeze-excitation Muls, pooling): the
// channels-last plan against the plain one (the reference executor's agreement is
// fast_plan_test's).
void CheckZooModel(const std::string& name, const runtime::DimValues& dims, int64_t min_cl) {
  const std::string path = std::string(SHRINK_SOURCE_DIR) + "/zoo_cache/" + name + ".onnx";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " absent (run `shrink zoo fetch`)";
  auto model = onnx_io::LoadModel(path);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto feeds = runtime::MakeRandomFeeds(*model->graph, 11, dims);
  ASSERT_TRUE(feeds.ok()) << feeds.status().ToString();
  RunResult on = ExpectSameOutputs(*model, {*feeds, *feeds}, /*reference=*/false);
  EXPECT_GE(on.channels_last_values, min_cl);
}

TEST(FastLayoutFp32Zoo, MobileNetV2) { CheckZooModel("mobilenet_v2", {{"N", 1}}, 50); }
TEST(FastLayoutFp32Zoo, ResNet50) { CheckZooModel("resnet50", {{"N", 1}}, 50); }
TEST(FastLayoutFp32Zoo, PpocrV4Rec) {
  CheckZooModel("ppocr_v4_rec", {{"p2o.DynamicDimension.0", 1}, {"p2o.DynamicDimension.1", 320}},
                50);
}

}  // namespace
}  // namespace shrink::testing
