// The fast Session as a whole: fusion (Conv+BatchNorm+Relu, a residual Add into a Conv), constant
// folding, shape changes between runs, buffer reuse, and zoo models against the reference
// executor.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "onnx/import.h"
#include "runtime/random_inputs.h"
#include "runtime_util/fast_test_util.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

double RelDiff(const Tensor& fast, const Tensor& ref) {
  double scale = 1e-6;
  for (int64_t i = 0; i < ref.numel(); ++i) scale = std::max(scale, std::fabs(ref.GetAsDouble(i)));
  return MaxAbsDiff(fast, ref) / scale;
}

// "op types@backend" of each step, in plan order.
std::vector<std::string> Labels(const runtime::fast::Session& s) {
  std::vector<std::string> labels;
  for (const auto& p : s.Profile()) labels.push_back(p.op_type + "@" + p.backend);
  return labels;
}

// x -> Conv -> BN -> Relu -> Conv(depthwise) -> Clip -> Add(residual with first relu) -> Relu
//   -> GlobalAveragePool -> Flatten -> Gemm, with a weight-only Mul subgraph to fold.
ir::Model SmallCnn() {
  ir::Model m = ir::MakeModel(17);
  ir::Graph& g = *m.graph;
  ir::Value* x = g.AddInput("x", {DataType::kFloat32,
                                  std::vector<ir::Dim>{ir::Dim::Symbol("N"), ir::Dim::Known(3),
                                                       ir::Dim::Known(15), ir::Dim::Known(15)},
                                  ""});
  auto w1_half = g.AddInitializer("w1_half", RandomTensor({8, 3, 3, 3}, 1));
  auto two = g.AddInitializer("two", Tensor::Scalar(2.0f));
  auto w1 = g.AddNode("Mul", {w1_half, two}, {"w1"})->output(0);  // folded at load
  auto b1 = g.AddInitializer("b1", RandomTensor({8}, 2));
  auto c1 = g.AddNode("Conv", {x, w1, b1}, {"c1"}, {MakeAttr("pads", Shape{1, 1, 1, 1})}, "conv1");
  auto bn = g.AddNode("BatchNormalization",
                      {c1->output(0), g.AddInitializer("gamma", RandomTensor({8}, 3, 0.5f, 1.5f)),
                       g.AddInitializer("beta", RandomTensor({8}, 4)),
                       g.AddInitializer("mean", RandomTensor({8}, 5)),
                       g.AddInitializer("var", RandomTensor({8}, 6, 0.5f, 2.0f))},
                      {"bn"}, {MakeAttr("epsilon", 1e-3f)});
  auto r1 = g.AddNode("Relu", {bn->output(0)}, {"r1"});
  auto dw =
      g.AddNode("Conv", {r1->output(0), g.AddInitializer("wd", RandomTensor({8, 1, 3, 3}, 7))},
                {"dw"}, {MakeAttr("group", int64_t{8}), MakeAttr("pads", Shape{1, 1, 1, 1})});
  auto clip = g.AddNode("Clip",
                        {dw->output(0), g.AddInitializer("lo", Tensor::Scalar(0.0f)),
                         g.AddInitializer("hi", Tensor::Scalar(6.0f))},
                        {"clip"});
  auto add = g.AddNode("Add", {clip->output(0), r1->output(0)}, {"add"});
  auto r2 = g.AddNode("Relu", {add->output(0)}, {"r2"});
  auto gap = g.AddNode("GlobalAveragePool", {r2->output(0)}, {"gap"});
  auto fl = g.AddNode("Flatten", {gap->output(0)}, {"flat"});
  auto fc = g.AddNode("Gemm",
                      {fl->output(0), g.AddInitializer("fw", RandomTensor({5, 8}, 8)),
                       g.AddInitializer("fb", RandomTensor({5}, 9))},
                      {"y"}, {MakeAttr("transB", int64_t{1})});
  g.AddOutput(fc->output(0));
  return m;
}

TEST(FastPlan, FusesFoldsAndMatchesReference) {
  ir::Model m = SmallCnn();
  auto ex = runtime::Executor::Create(m);
  ASSERT_TRUE(ex.ok());
  runtime::fast::SessionOptions opt;
  opt.profile = true;
  auto s = runtime::fast::Session::Create(m, opt);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  for (int64_t batch : {1, 3, 1}) {  // shape change and back (primitive cache)
    runtime::Feeds feeds{{"x", RandomTensor({batch, 3, 15, 15}, static_cast<uint32_t>(batch))}};
    auto ref = (*ex)->Run(feeds);
    auto fast = (*s)->Run(feeds);
    ASSERT_TRUE(ref.ok() && fast.ok()) << fast.status().ToString();
    EXPECT_LE(MaxAbsDiff((*fast)[0], (*ref)[0]), kReductionTol) << "batch " << batch;
  }
  const auto& st = (*s)->stats();
  EXPECT_EQ(st.folded_nodes, 1);
  EXPECT_EQ(st.fused_nodes, 5);  // BN + Relu into conv1; Clip, the residual Add and Relu into dw
  const std::vector<std::string> labels = Labels(**s);
  EXPECT_NE(std::find(labels.begin(), labels.end(), "Conv+BatchNormalization+Relu@onednn"),
            labels.end());
  EXPECT_NE(std::find(labels.begin(), labels.end(), "Conv+Clip+Add+Relu@onednn"), labels.end());
  EXPECT_NE(std::find(labels.begin(), labels.end(), "Flatten@reference"), labels.end());
  EXPECT_GT(st.peak_activation_bytes, 0);
  EXPECT_EQ((*s)->Profile()[0].calls, 3);
}

// Residual Adds fused into the Conv before them (kSumPostOp), one per way the residual reaches the
// step: in place (its last reader), read by the conv too (x + conv(x)), read again later, a graph
// input (never written), a graph output (kept intact) and a buffer shared with another value;
// Add(residual, conv) and Add(conv, residual) orders; plain and channels-last plans.
TEST(FastPlan, ResidualAddFusesIntoTheConvWithoutTouchingSharedValues) {
  ir::Model m = ir::MakeModel(17);
  ir::Graph& g = *m.graph;
  const Shape shape{2, 8, 7, 7};
  ir::Value* x = g.AddInput("x", ir::TypeInfo::Tensor(DataType::kFloat32, shape));
  ir::Value* skip = g.AddInput("skip", ir::TypeInfo::Tensor(DataType::kFloat32, shape));
  uint32_t seed = 50;
  auto conv = [&](ir::Value* in) {
    const std::string n = "conv" + std::to_string(seed);
    auto w = g.AddInitializer(n + "_w", RandomTensor({8, 8, 3, 3}, seed++, -0.2f, 0.2f));
    return g.AddNode("Conv", {in, w}, {n}, {MakeAttr("pads", Shape{1, 1, 1, 1})}, n)->output(0);
  };
  auto op = [&](const std::string& type, std::vector<ir::Value*> in, const std::string& out) {
    return g.AddNode(type, std::move(in), {out})->output(0);
  };
  ir::Value* r = op("Relu", {conv(x)}, "r");
  ir::Value* a = op("Relu", {op("Add", {r, conv(conv(r))}, "a_sum")}, "a");  // in place
  ir::Value* b = op("Add", {conv(a), a}, "b");                               // conv reads a too
  ir::Value* c = op("Add", {conv(conv(b)), b}, "c");  // b read again below: copied
  ir::Value* d = op("Add", {conv(c), skip}, "d");     // a graph input: copied, never written
  ir::Value* e = op("Add", {conv(conv(d)), d}, "e");  // d is a graph output: copied
  // Its last reader, but the buffer is shared with c (Identity aliases): copied.
  ir::Value* c_alias = op("Identity", {c}, "c_alias");
  ir::Value* f = op("Add", {conv(conv(e)), c_alias}, "f");
  g.AddOutput(op("Mul", {op("Mul", {f, b}, "fb"), c}, "y"));
  g.AddOutput(d);
  auto ex = runtime::Executor::Create(m);
  ASSERT_TRUE(ex.ok());
  for (bool channels_last : {false, true}) {
    runtime::fast::SessionOptions opt;
    opt.profile = true;
    opt.fp32_channels_last = channels_last;
    auto s = runtime::fast::Session::Create(m, opt);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    for (uint32_t run = 0; run < 3; ++run) {  // the first run is plain, the next ones not
      runtime::Feeds feeds{{"x", RandomTensor(shape, 60 + run)}, {"skip", RandomTensor(shape, 70)}};
      const Tensor skip_before = feeds[1].second.Clone();
      auto ref = (*ex)->Run(feeds);
      auto fast = (*s)->Run(feeds);
      ASSERT_TRUE(ref.ok() && fast.ok()) << fast.status().ToString();
      for (size_t k = 0; k < 2; ++k)
        EXPECT_LE(RelDiff((*fast)[k], (*ref)[k]), kReductionTol)
            << "output " << k << " run " << run << " channels-last " << channels_last;
      EXPECT_EQ(MaxAbsDiff(feeds[1].second, skip_before), 0.0) << "the graph input was written";
    }
    const std::vector<std::string> labels = Labels(**s);
    EXPECT_EQ(std::count(labels.begin(), labels.end(), "Conv+Add@onednn"), 5);
    EXPECT_EQ(std::count(labels.begin(), labels.end(), "Conv+Add+Relu@onednn"), 1);
    EXPECT_EQ(std::count(labels.begin(), labels.end(), "Add@onednn"), 0);
  }
}

// The same for MatMul (+ bias) and Gemm: a transformer block's residual Add, and a Gemm's.
TEST(FastPlan, ResidualAddFusesIntoMatMulAndGemm) {
  ir::Model m = ir::MakeModel(17);
  ir::Graph& g = *m.graph;
  ir::Value* x = g.AddInput("x", ir::TypeInfo::Tensor(DataType::kFloat32, {2, 5, 16}));
  ir::Value* h =
      g.AddNode("MatMul", {x, g.AddInitializer("w", RandomTensor({16, 16}, 80))}, {"h"})->output(0);
  h = g.AddNode("Add", {h, g.AddInitializer("b", RandomTensor({16}, 81))}, {"hb"})->output(0);
  ir::Value* r = g.AddNode("Add", {x, h}, {"res"})->output(0);  // residual first
  ir::Value* flat =
      g.AddNode("Reshape",
                {r, g.AddInitializer("shape", Tensor::FromVector<int64_t>({2}, {10, 16}))},
                {"flat"})
          ->output(0);
  ir::Value* y = g.AddNode("Gemm",
                           {flat, g.AddInitializer("w2", RandomTensor({16, 16}, 82)),
                            g.AddInitializer("c2", RandomTensor({16}, 83))},
                           {"gemm"})
                     ->output(0);
  y = g.AddNode("Add", {y, flat}, {"res2"})->output(0);
  g.AddOutput(g.AddNode("Relu", {y}, {"y"})->output(0));
  auto ex = runtime::Executor::Create(m);
  ASSERT_TRUE(ex.ok());
  runtime::fast::SessionOptions opt;
  opt.profile = true;
  auto s = runtime::fast::Session::Create(m, opt);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  for (uint32_t run = 0; run < 2; ++run) {
    runtime::Feeds feeds{{"x", RandomTensor({2, 5, 16}, 90 + run)}};
    auto ref = (*ex)->Run(feeds);
    auto fast = (*s)->Run(feeds);
    ASSERT_TRUE(ref.ok() && fast.ok()) << fast.status().ToString();
    EXPECT_LE(RelDiff((*fast)[0], (*ref)[0]), kReductionTol) << "run " << run;
  }
  const std::vector<std::string> labels = Labels(**s);
  EXPECT_NE(std::find(labels.begin(), labels.end(), "MatMul+Add+Add@onednn"), labels.end());
  EXPECT_NE(std::find(labels.begin(), labels.end(), "Gemm+Add+Relu@onednn"), labels.end());
}

TEST(FastPlan, BufferReuseKeepsPeakBelowSumOfIntermediates) {
  // A chain of 6 Relu-free Adds over a big tensor: at most ~2 intermediates are ever live.
  ir::Model m = ir::MakeModel(17);
  ir::Graph& g = *m.graph;
  ir::Value* v = g.AddInput("x", ir::TypeInfo::Tensor(DataType::kFloat32, {64, 1024}));
  ir::Value* one = g.AddInitializer("one", Tensor::Scalar(1.0f));
  for (int i = 0; i < 6; ++i) v = g.AddNode("Add", {v, one}, {"a" + std::to_string(i)})->output(0);
  g.AddOutput(v);
  auto s = runtime::fast::Session::Create(m);
  ASSERT_TRUE(s.ok());
  runtime::Feeds feeds{{"x", RandomTensor({64, 1024}, 3)}};
  for (int run = 0; run < 2; ++run) {
    auto out = (*s)->Run(feeds);
    ASSERT_TRUE(out.ok());
    EXPECT_NEAR((*out)[0].data<float>()[5], feeds[0].second.data<float>()[5] + 6.0f, 1e-5);
  }
  const int64_t one_buf = 64 * 1024 * 4;
  EXPECT_LE((*s)->stats().peak_activation_bytes, 2 * one_buf);
  EXPECT_GT((*s)->stats().pool_bytes, 0);  // recycled buffers stay in the pool between runs
}

void CheckZooModel(const std::string& name, const runtime::DimValues& dims) {
  const std::string path = std::string(SHRINK_SOURCE_DIR) + "/zoo_cache/" + name + ".onnx";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " absent (run `shrink zoo fetch`)";
  auto model = onnx_io::LoadModel(path);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto feeds = runtime::MakeRandomFeeds(*model->graph, 7, dims);
  ASSERT_TRUE(feeds.ok()) << feeds.status().ToString();
  auto ex = runtime::Executor::Create(*model);
  ASSERT_TRUE(ex.ok());
  auto s = runtime::fast::Session::Create(*model);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto t0 = std::chrono::steady_clock::now();
  auto ref = (*ex)->Run(*feeds);
  auto t1 = std::chrono::steady_clock::now();
  auto fast = (*s)->Run(*feeds);
  auto t2 = std::chrono::steady_clock::now();
  ASSERT_TRUE(ref.ok()) << ref.status().ToString();
  ASSERT_TRUE(fast.ok()) << fast.status().ToString();
  ASSERT_EQ(fast->size(), ref->size());
  for (size_t i = 0; i < ref->size(); ++i)
    EXPECT_LE(RelDiff((*fast)[i], (*ref)[i]), kModelRelTol) << name << " output " << i;
  const auto& st = (*s)->stats();
  EXPECT_GT(st.fast_steps, 0);
  std::cout << name << ": reference " << std::chrono::duration<double, std::milli>(t1 - t0).count()
            << " ms, fast first run (incl. primitive creation) "
            << std::chrono::duration<double, std::milli>(t2 - t1).count() << " ms; steps "
            << st.steps << " (" << st.fast_steps << " fast), fused " << st.fused_nodes
            << ", folded " << st.folded_nodes << ", peak activations "
            << st.peak_activation_bytes / 1024 << " KiB\n";
}

TEST(FastPlanZoo, Resnet50) { CheckZooModel("resnet50", {{"N", 1}}); }
TEST(FastPlanZoo, MobilenetV2) { CheckZooModel("mobilenet_v2", {{"N", 1}}); }
TEST(FastPlanZoo, BertBase) { CheckZooModel("bert_base", {{"N", 1}, {"S", 32}}); }

}  // namespace
}  // namespace shrink::testing
