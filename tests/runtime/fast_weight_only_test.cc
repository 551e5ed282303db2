// Weight-only MatMul / Gemm (runtime/fast/weight_only_matmul.cc): MatMul(x, DequantizeLinear(q,
// scale[, zp])) with int4 / uint4 / int8 / uint8 codes, block-wise (opset 21 block_size), per
// column and per tensor, against the reference executor on randomized shapes (odd K, K < block,
// N not a multiple of the tile, M = 1 / 3 / 17, batch dims on x, Gemm transB / alpha / beta / bias
// / Relu). The session must keep the codes packed: no folded float weights.
// Tolerance: float32 accumulation order and the zero-point split (sum x * code - zp * sum x):
// kWeightOnlyRelTol of max |reference| (measured: at most ~1e-6 on these shapes).
#include <gtest/gtest.h>

#include <cmath>

#include "runtime/fast/weight_only_gemm.h"
#include "runtime_util/fast_test_util.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

constexpr double kWeightOnlyRelTol = 1e-5;

double RelDiff(const Tensor& fast, const Tensor& ref) {
  double scale = 1e-6;
  for (int64_t i = 0; i < ref.numel(); ++i) scale = std::max(scale, std::fabs(ref.GetAsDouble(i)));
  return MaxAbsDiff(fast, ref) / scale;
}

struct Range {
  int lo, hi;
};
Range CodeRange(DataType t) {
  switch (t) {
    case DataType::kInt4:
      return {-8, 7};
    case DataType::kUInt4:
      return {0, 15};
    case DataType::kInt8:
      return {-128, 127};
    default:
      return {0, 255};
  }
}

Tensor RandomCodes(DataType t, Shape shape, uint32_t seed) {
  std::mt19937 rng(seed);
  const Range r = CodeRange(t);
  std::uniform_int_distribution<int> dist(r.lo, r.hi);
  Tensor out(t, std::move(shape));
  for (int64_t i = 0; i < out.numel(); ++i) out.SetFromDouble(i, dist(rng));
  return out;
}

enum class Form { kBlocked, kPerColumn, kPerTensor };

struct Case {
  std::string what;
  Shape x;
  int64_t n = 0;
  DataType code = DataType::kInt4;
  bool zero_point = false;
  Form form = Form::kBlocked;
  int64_t block = 32;
  std::string op = "MatMul";
  bool trans_b = false;  // Gemm only
  bool bias = false;     // Gemm C [N]
  float alpha = 1.0f, beta = 1.0f;
  std::string act;  // fused activation after the op ("" for none)
};

Case W(std::string what, Shape x, int64_t n, DataType code, bool zero_point = false,
       Form form = Form::kBlocked, int64_t block = 32) {
  Case c;
  c.what = std::move(what);
  c.x = std::move(x);
  c.n = n;
  c.code = code;
  c.zero_point = zero_point;
  c.form = form;
  c.block = block;
  return c;
}

// x -> [MatMul | Gemm](x, DequantizeLinear(q, scale[, zp])[, C]) [-> act] -> y, at opset 21.
ir::Model Build(const Case& c, uint32_t seed) {
  const int64_t k = c.x.back(), n = c.n;
  ir::Model m = ir::MakeModel(21);
  ir::Graph& g = *m.graph;
  ir::Value* x = g.AddInput("x", ir::TypeInfo::Tensor(DataType::kFloat32, c.x));
  const Shape w_shape = c.trans_b ? Shape{n, k} : Shape{k, n};
  const int k_axis = c.trans_b ? 1 : 0;
  Shape s_shape;
  std::vector<ir::Attribute> attrs;
  if (c.form == Form::kBlocked) {
    s_shape = w_shape;
    s_shape[static_cast<size_t>(k_axis)] = (k + c.block - 1) / c.block;
    attrs = {MakeAttr("axis", int64_t{k_axis}), MakeAttr("block_size", c.block)};
  } else if (c.form == Form::kPerColumn) {
    s_shape = {n};
    attrs = {MakeAttr("axis", int64_t{1 - k_axis})};
  }
  std::vector<ir::Value*> dq_in = {
      g.AddInitializer("q", RandomCodes(c.code, w_shape, seed)),
      g.AddInitializer("scale", RandomTensor(s_shape, seed + 1, 0.01f, 0.1f))};
  if (c.zero_point) dq_in.push_back(g.AddInitializer("zp", RandomCodes(c.code, s_shape, seed + 2)));
  ir::Value* w = g.AddNode("DequantizeLinear", dq_in, {"w"}, attrs, "dq")->output(0);
  std::vector<ir::Value*> op_in = {x, w};
  std::vector<ir::Attribute> op_attrs;
  if (c.op == "Gemm") {
    if (c.bias) op_in.push_back(g.AddInitializer("c", RandomTensor({n}, seed + 3)));
    op_attrs = {MakeAttr("transB", int64_t{c.trans_b ? 1 : 0}), MakeAttr("alpha", c.alpha),
                MakeAttr("beta", c.beta)};
  }
  ir::Value* y = g.AddNode(c.op, op_in, {"mm"}, op_attrs, "mm")->output(0);
  if (!c.act.empty()) y = g.AddNode(c.act, {y}, {"act"})->output(0);
  g.AddOutput(y);
  return m;
}

struct Outcome {
  Tensor ref, fast;
  std::string backend;
  runtime::fast::PlanStats stats;
};

Outcome RunBothModel(const ir::Model& m, const Tensor& x) {
  Outcome o;
  runtime::Feeds feeds = {{"x", x}};
  auto ex = runtime::Executor::Create(m);
  EXPECT_TRUE(ex.ok()) << ex.status().ToString();
  auto ref = (*ex)->Run(feeds);
  EXPECT_TRUE(ref.ok()) << ref.status().ToString();
  auto s = runtime::fast::Session::Create(m);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  auto fast = (*s)->Run(feeds);
  EXPECT_TRUE(fast.ok()) << fast.status().ToString();
  if (ref.ok()) o.ref = (*ref)[0];
  if (fast.ok()) o.fast = (*fast)[0];
  o.backend = (*s)->Profile().back().backend;
  o.stats = (*s)->stats();
  return o;
}

void ExpectWeightOnly(const Case& c, uint32_t seed) {
  SCOPED_TRACE(c.what);
  const ir::Model m = Build(c, seed);
  const Outcome o = RunBothModel(m, RandomTensor(c.x, seed + 10));
  ASSERT_TRUE(o.ref.defined() && o.fast.defined());
  EXPECT_EQ(o.backend, "native");
  ASSERT_EQ(o.fast.shape(), o.ref.shape());
  EXPECT_LE(RelDiff(o.fast, o.ref), kWeightOnlyRelTol);
  // The codes stay packed: nothing folded, and the kernel holds about bits/32 of the float bytes.
  EXPECT_EQ(o.stats.deferred_dq_nodes, 1);
  EXPECT_EQ(o.stats.folded_bytes, 0);
  const int64_t k = c.x.back(), float_bytes = k * c.n * 4;
  EXPECT_GT(o.stats.kernel_weight_bytes, 0);
  if (k * c.n >= 4096) {
    EXPECT_LT(o.stats.kernel_weight_bytes, float_bytes / 2);
  }
}

TEST(FastWeightOnly, MatMulBlockwiseInt4) {
  ExpectWeightOnly(W("int4 sym, odd K, M=1", {1, 70}, 45, DataType::kInt4), 1);
  ExpectWeightOnly(W("int4 sym, K < block, M=3", {3, 20}, 33, DataType::kInt4), 2);
  ExpectWeightOnly(
      W("uint4 asym, block 16, M=17", {17, 100}, 64, DataType::kUInt4, true, Form::kBlocked, 16),
      3);
  ExpectWeightOnly(W("int4 sym, batch dims on x", {2, 3, 96}, 31, DataType::kInt4), 4);
  ExpectWeightOnly(W("int4 sym, 1-D x", {64}, 40, DataType::kInt4), 5);
  ExpectWeightOnly(W("int4 asym (int4 zp), threaded", {17, 256}, 100, DataType::kInt4, true), 6);
  // From kWeightOnlyPanelMinRows rows each tile is dequantized once and shared by the row groups.
  ExpectWeightOnly(W("int4 asym, 40 rows (panel path)", {2, 20, 100}, 45, DataType::kInt4, true,
                     Form::kBlocked, 16),
                   8);
  ExpectWeightOnly(
      W("uint4 asym, block 128, big", {1, 768}, 160, DataType::kUInt4, true, Form::kBlocked, 128),
      7);
}

TEST(FastWeightOnly, MatMulInt8AndOtherScales) {
  ExpectWeightOnly(W("int8 sym blocked", {3, 75}, 50, DataType::kInt8), 11);
  ExpectWeightOnly(W("uint8 asym blocked", {17, 64}, 20, DataType::kUInt8, true), 12);
  ExpectWeightOnly(W("int8 per column", {3, 90}, 70, DataType::kInt8, false, Form::kPerColumn), 13);
  ExpectWeightOnly(
      W("uint4 per column asym", {1, 50}, 33, DataType::kUInt4, true, Form::kPerColumn), 14);
  ExpectWeightOnly(W("int4 per tensor", {3, 40}, 16, DataType::kInt4, false, Form::kPerTensor), 15);
}

TEST(FastWeightOnly, GemmTransBBiasAlphaActivation) {
  Case c = W("gemm transB int4, bias, alpha/beta, Relu", {3, 70}, 45, DataType::kInt4);
  c.op = "Gemm";
  c.trans_b = true;
  c.bias = true;
  c.alpha = 0.5f;
  c.beta = 2.0f;
  c.act = "Relu";
  ExpectWeightOnly(c, 21);
  c = W("gemm no transB uint8 per column, Gelu", {17, 64}, 40, DataType::kUInt8, true,
        Form::kPerColumn);
  c.op = "Gemm";
  c.bias = true;
  c.act = "Gelu";
  ExpectWeightOnly(c, 22);
  c = W("gemm transB uint8 blocked, 33 rows (panel path), bias, Relu", {33, 50}, 70,
        DataType::kUInt8, true);
  c.op = "Gemm";
  c.trans_b = true;
  c.bias = true;
  c.act = "Relu";
  ExpectWeightOnly(c, 24);
  c = W("gemm transB int8 blocked, M=1, Sigmoid", {1, 33}, 17, DataType::kInt8);
  c.op = "Gemm";
  c.trans_b = true;
  c.act = "Sigmoid";
  ExpectWeightOnly(c, 23);
}

// Forms the kernel does not take are folded as before (fp32 kernels), with the same results.
TEST(FastWeightOnly, UnsupportedFormsFallBackToFoldedWeights) {
  // Blocks along N (axis 1 of a MatMul weight): not a K-block layout.
  ir::Model m = ir::MakeModel(21);
  ir::Graph& g = *m.graph;
  ir::Value* x = g.AddInput("x", ir::TypeInfo::Tensor(DataType::kFloat32, {2, 8}));
  ir::Value* w =
      g.AddNode("DequantizeLinear",
                {g.AddInitializer("q", RandomCodes(DataType::kInt4, {8, 64}, 1)),
                 g.AddInitializer("s", RandomTensor({8, 2}, 2, 0.01f, 0.1f))},
                {"w"}, {MakeAttr("axis", int64_t{1}), MakeAttr("block_size", int64_t{32})})
          ->output(0);
  g.AddOutput(g.AddNode("MatMul", {x, w}, {"y"})->output(0));
  Outcome o = RunBothModel(m, RandomTensor({2, 8}, 3));
  EXPECT_EQ(o.stats.deferred_dq_nodes, 0);
  EXPECT_EQ(o.stats.folded_bytes, 8 * 64 * 4);
  EXPECT_EQ(o.backend, "onednn");
  EXPECT_LE(RelDiff(o.fast, o.ref), kWeightOnlyRelTol);

  // Gemm with a full [M, N] C: the weight-only factory declines at create; the plan folds the
  // DequantizeLinear then (Materialize) and the fp32 kernel runs.
  Case c = W("gemm full C", {3, 40}, 16, DataType::kInt4);
  c.op = "Gemm";
  ir::Model gm = Build(c, 31);
  ir::Node* gemm = gm.graph->nodes().back().get();
  gemm->AddInput(gm.graph->AddInitializer("c_full", RandomTensor({3, 16}, 32)));
  Outcome go = RunBothModel(gm, RandomTensor({3, 40}, 33));
  EXPECT_EQ(go.stats.deferred_dq_nodes, 0);
  EXPECT_EQ(go.stats.folded_bytes, 40 * 16 * 4);
  EXPECT_NE(go.backend, "native");
  EXPECT_LE(RelDiff(go.fast, go.ref), kWeightOnlyRelTol);
}

// A weight-only model whose scale does not fit its codes fails with a clear error (from the
// DequantizeLinear the plan folds once the weight-only kernel declines), as on the executor.
TEST(FastWeightOnly, BadScaleShapeIsAnError) {
  Case c = W("bad scale", {2, 70}, 16, DataType::kInt4);
  ir::Model m = Build(c, 51);
  ir::Value* scale = m.graph->FindValue("scale");
  ASSERT_NE(scale, nullptr);
  scale->set_data(RandomTensor({1, 16}, 52, 0.01f, 0.1f));  // needs ceil(70 / 32) = 3 rows
  const runtime::Feeds feeds = {{"x", RandomTensor({2, 70}, 53)}};
  auto ex = runtime::Executor::Create(m);
  ASSERT_TRUE(ex.ok());
  EXPECT_FALSE((*ex)->Run(feeds).ok());
  auto s = runtime::fast::Session::Create(m);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto r = (*s)->Run(feeds);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("DequantizeLinear"), std::string::npos)
      << r.status().ToString();
}

// The portable path against the AVX-512 one (when the CPU has it) and a direct dequantization.
TEST(FastWeightOnly, PortableAndVectorPathsAgree) {
  using runtime::fast::PackWeights;
  using runtime::fast::ScaleLayout;
  for (DataType t : {DataType::kInt4, DataType::kUInt8}) {
    const int64_t k = 77, n = 50, rows = 5, block = 16;
    const Tensor q = RandomCodes(t, {k, n}, 41);
    const Tensor s = RandomTensor({(k + block - 1) / block, n}, 42, 0.01f, 0.1f);
    const Tensor zp = RandomCodes(t, s.shape(), 43);
    const auto w = PackWeights(q, s, &zp, false, ScaleLayout::kBlocked, block, 1.0f);
    const Tensor x = RandomTensor({rows, k}, 44);
    std::vector<float> want(static_cast<size_t>(rows * n), 0.0f);
    for (int64_t m = 0; m < rows; ++m)
      for (int64_t j = 0; j < n; ++j) {
        double acc = 0;
        for (int64_t i = 0; i < k; ++i) {
          const int64_t p = (i / block) * n + j;
          acc += x.data<float>()[m * k + i] * (q.GetAsDouble(i * n + j) - zp.GetAsDouble(p)) *
                 s.data<float>()[p];
        }
        want[static_cast<size_t>(m * n + j)] = static_cast<float>(acc);
      }
    std::vector<float> xsum(static_cast<size_t>(rows * w.blocks));
    for (bool portable : {true, false}) {
      SCOPED_TRACE(std::string(DataTypeName(t)) + (portable ? " portable" : " default"));
      runtime::fast::ForceWeightOnlyPortable(portable);
      std::vector<float> y(static_cast<size_t>(rows * n), -1.0f);
      runtime::fast::WeightOnlyGemm(w, x.data<float>(), rows, nullptr, y.data(), xsum.data());
      for (size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(y[i], want[i], 1e-4) << i;
    }
    runtime::fast::ForceWeightOnlyPortable(false);
  }
}

}  // namespace
}  // namespace shrink::testing
