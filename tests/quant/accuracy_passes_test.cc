// Cross-layer equalization, SmoothQuant and bias correction on small built models: the float model
// must stay equivalent, and the int8 error they target must drop.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "ir/builder.h"
#include "quant/bias_correction.h"
#include "quant/cross_layer_equalization.h"
#include "quant/probe.h"
#include "quant/quantize.h"
#include "quant/smoothquant.h"
#include "quant/weight_channels.h"
#include "quant_test_util.h"
#include "runtime/executor.h"
#include "runtime/random_inputs.h"

namespace shrink::quant {
namespace {

ir::Model Copy(const ir::Model& m) {
  auto c = CloneModel(m);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return std::move(*c);
}

using ir::MakeAttr;
using testing::RandomFloats;

// Uniform [lo, hi) input of `shape`.
Tensor Uniform(const Shape& shape, float lo, float hi, uint64_t seed) {
  Tensor t = runtime::RandomTensor(DataType::kFloat32, shape, seed);  // [-1, 1)
  for (int64_t i = 0; i < t.numel(); ++i)
    t.data<float>()[i] = lo + (t.data<float>()[i] + 1) * 0.5f * (hi - lo);
  return t;
}

Tensor RunModel(const ir::Model& m, const Tensor& x) {
  auto ex = runtime::Executor::Create(m);
  EXPECT_TRUE(ex.ok()) << ex.status().ToString();
  if (!ex.ok()) return {};
  auto out = (*ex)->Run({{m.graph->inputs()[0]->name(), x}});
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? (*out)[0] : Tensor();
}

double MaxRelDiff(const Tensor& a, const Tensor& b) {
  double m = 0, scale = 0;
  for (int64_t i = 0; i < a.numel(); ++i) scale = std::max(scale, std::abs(a.GetAsDouble(i)));
  for (int64_t i = 0; i < a.numel(); ++i)
    m = std::max(m, std::abs(a.GetAsDouble(i) - b.GetAsDouble(i)));
  return m / std::max(scale, 1e-12);
}

double Mse(const Tensor& a, const Tensor& b) {
  double s = 0;
  for (int64_t i = 0; i < a.numel(); ++i) s += std::pow(a.GetAsDouble(i) - b.GetAsDouble(i), 2);
  return s / static_cast<double>(a.numel());
}

// Per-channel weight ranges that differ by orders of magnitude (what CLE repairs); `sign` -1
// skews the other way (a following layer that compensates, as after BatchNorm folding).
Tensor SkewedWeight(const Shape& shape, uint32_t seed, float sign = 1) {
  Tensor w = RandomFloats(shape, 0.3f, seed);
  const int64_t per = w.numel() / shape[0];
  for (int64_t e = 0; e < w.numel(); ++e)
    w.data<float>()[e] *= std::pow(4.0f, sign * (static_cast<float>((e / per) % 5) - 2));
  return w;
}

// x[N, 4, 8, 8] -> Conv 1x1 (8) -> Relu -> MaxPool 3x3 -> depthwise 3x3 (8) -> Clip(0, 6) ->
// Conv 1x1 (6).
ir::Model SeparableNet() {
  ir::Model m = ir::MakeModel(17);
  ir::GraphBuilder b(*m.graph);
  auto* x = b.Input("x", DataType::kFloat32, Shape{2, 4, 8, 8});
  auto* y = b.Op(
      "Conv",
      {x, b.Const("w1", SkewedWeight({8, 4, 1, 1}, 1)), b.Const("b1", RandomFloats({8}, 0.5f, 2))},
      {}, "pw1");
  y = b.Op("Relu", {y}, {}, "relu");
  y = b.Op("MaxPool", {y},
           {MakeAttr("kernel_shape", std::vector<int64_t>{3, 3}),
            MakeAttr("pads", std::vector<int64_t>{1, 1, 1, 1})},
           "pool");
  y = b.Op(
      "Conv",
      {y, b.Const("w2", SkewedWeight({8, 1, 3, 3}, 3, -1)), b.Const("b2", RandomFloats({8}, 1, 4))},
      {MakeAttr("group", int64_t{8}), MakeAttr("pads", std::vector<int64_t>{1, 1, 1, 1})}, "dw");
  y = b.Op("Clip",
           {y, b.Const("lo", Tensor::Scalar<float>(0)), b.Const("hi", Tensor::Scalar<float>(6))},
           {}, "relu6");
  y = b.Op("Conv", {y, b.Const("w3", RandomFloats({6, 8, 1, 1}, 0.3f, 5))}, {}, "pw2");
  b.Output(y, "y");
  return m;
}

// Ratio of the largest to the smallest per-output-channel weight range of node `name`.
double RangeSpread(const ir::Model& m, const std::string& name) {
  const ir::Node* n = testing::FindNode(*m.graph, name);
  const std::vector<double> r = OutChannelAbsMax(*n, n->input(1)->data());
  return *std::max_element(r.begin(), r.end()) / *std::min_element(r.begin(), r.end());
}

TEST(CrossLayerEqualizationTest, SeparableChainStaysEquivalentAndEvensRanges) {
  for (bool through_clip : {true, false}) {
    ir::Model m = SeparableNet();
    const Tensor x = Uniform({2, 4, 8, 8}, -3, 3, 7);  // large enough that the ReLU6 clips
    const Tensor before = RunModel(m, x);
    const double spread1 = RangeSpread(m, "pw1"), spread2 = RangeSpread(m, "dw");
    CleOptions o;
    o.through_clip = through_clip;
    auto s = EqualizeCrossLayers(m, o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(s->pairs, through_clip ? 2 : 1);
    EXPECT_EQ(s->clip_rewrites, through_clip ? 1 : 0);
    EXPECT_GT(s->iterations, 1);
    EXPECT_EQ(testing::CountOps(*m.graph, "Min"), through_clip ? 1 : 0);
    EXPECT_LT(MaxRelDiff(before, RunModel(m, x)), 1e-4) << through_clip;
    EXPECT_LT(RangeSpread(m, "pw1"), spread1 / 4) << through_clip;
    EXPECT_LT(RangeSpread(m, "dw"), spread2 / 4) << through_clip;
  }
}

TEST(CrossLayerEqualizationTest, GemmChainAndRejectedOptions) {
  ir::Model m = ir::MakeModel(17);
  ir::GraphBuilder b(*m.graph);
  auto* x = b.Input("x", DataType::kFloat32, Shape{4, 16});
  auto* y = b.Op(
      "Gemm",
      {x, b.Const("w1", SkewedWeight({32, 16}, 1)), b.Const("b1", RandomFloats({32}, 0.1f, 2))},
      {MakeAttr("transB", int64_t{1})}, "fc1");
  y = b.Op("Relu", {y}, {}, "relu");
  y = b.Op("Dropout", {y}, {}, "dropout");
  y = b.Op("Gemm", {y, b.Const("w2", RandomFloats({32, 8}, 0.3f, 3))}, {}, "fc2");
  b.Output(y, "y");
  const Tensor in = Uniform({4, 16}, -1, 1, 3);
  const Tensor before = RunModel(m, in);
  auto s = EqualizeCrossLayers(m);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->pairs, 1);
  EXPECT_LT(MaxRelDiff(before, RunModel(m, in)), 1e-4);
  CleOptions bad;
  bad.max_iterations = 0;
  EXPECT_EQ(EqualizeCrossLayers(m, bad).status().code(), StatusCode::kInvalidArgument);
}

// x[N, 16] -> LayerNormalization (scale with outlier channels) -> MatMul [16, 8]; and
// x -> Mul(outlier scale) -> MatMul [16, 8] (a producer that cannot absorb the scales). Note: the
// int8 gain depends on the weights; with this Mul branch as a Gemm transB [8, 16] drawn from
// the same seed, alpha 0.5 doubled its error (the outlier columns' weights set the new range).
ir::Model OutlierNet() {
  ir::Model m = ir::MakeModel(17);
  ir::GraphBuilder b(*m.graph);
  auto* x = b.Input("x", DataType::kFloat32, Shape{8, 16});
  Tensor gamma = RandomFloats({16}, 0.2f, 1), boost = RandomFloats({16}, 0.2f, 2);
  for (int64_t j = 0; j < 16; ++j) {
    gamma.data<float>()[j] = 1 + std::abs(gamma.data<float>()[j]) + (j % 7 == 3 ? 40 : 0);
    boost.data<float>()[j] = 1 + (j % 5 == 1 ? 60 : 0);
  }
  auto* ln = b.Op("LayerNormalization",
                  {x, b.Const("gamma", gamma), b.Const("beta", RandomFloats({16}, 0.1f, 3))},
                  {MakeAttr("axis", int64_t{-1})}, "ln");
  auto* y1 = b.Op("MatMul", {ln, b.Const("w1", RandomFloats({16, 8}, 0.3f, 4))}, {}, "mm");
  auto* z = b.Op("Mul", {x, b.Const("boost", boost)}, {}, "boost");
  auto* y2 = b.Op("MatMul", {z, b.Const("w2", RandomFloats({16, 8}, 0.3f, 5))}, {}, "fc");
  b.Output(b.Op("Concat", {y1, y2}, {MakeAttr("axis", int64_t{1})}, "cat"), "y");
  return m;
}

TEST(SmoothQuantTest, FloatEquivalentAndLowerInt8Error) {
  ir::Model m = OutlierNet();
  const Tensor x = Uniform({8, 16}, -1, 1, 11);
  const Tensor ref = RunModel(m, x);
  ir::Model smoothed = Copy(m);
  auto src = MakeRandomCalibration(*m.graph, 4, 0);
  ASSERT_TRUE(src.ok());
  auto s = SmoothQuant(smoothed, {"mm", "fc"}, **src, 0.5);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->groups, 2);
  EXPECT_EQ(s->folded, 1);    // into the LayerNormalization
  EXPECT_EQ(s->inserted, 1);  // Mul in front of fc (x also feeds the LayerNormalization)
  EXPECT_GT(s->max_outlier_ratio, 10);
  EXPECT_LT(MaxRelDiff(ref, RunModel(smoothed, x)), 1e-4);
  EXPECT_EQ(SmoothQuant(smoothed, {"mm"}, **src, 1.5).status().code(),
            StatusCode::kInvalidArgument);

  // int8 error with and without SmoothQuant (per-tensor weights and input activations; outputs
  // stay float so that a test input beyond the calibrated output range does not dominate).
  double err[2];
  for (int smooth = 0; smooth < 2; ++smooth) {
    ir::Model q = Copy(m);
    QuantizeOptions o;
    o.policy.quantize_outputs = false;
    o.smoothquant_alpha = smooth ? 0.5 : -1;
    auto r = QuantizeModel(q, src->get(), o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    err[smooth] = Mse(ref, RunModel(q, x));
  }
  EXPECT_LT(err[1], err[0] * 0.5) << err[0] << " -> " << err[1];
}

// x[N, 64] + 1 (positive mean) -> Gemm [64 -> 16] whose per-tensor int8 weights round with a
// systematic shift (one large weight sets the step). With `matmul`: MatMul [64, 16] + Add(bias).
ir::Model BiasedNet(bool matmul = false) {
  ir::Model m = ir::MakeModel(17);
  ir::GraphBuilder b(*m.graph);
  auto* x = b.Input("x", DataType::kFloat32, Shape{16, 64});
  Tensor w = RandomFloats({16, 64}, 0.02f, 1);
  for (int64_t e = 0; e < w.numel(); ++e) w.data<float>()[e] += 0.006f;  // all near half a step
  w.data<float>()[5] = 2.0f;
  auto* h = b.Op("Add", {x, b.Const("one", Tensor::Scalar<float>(1))}, {}, "shift");
  ir::Value* y = nullptr;
  if (matmul) {
    Tensor wt(DataType::kFloat32, {64, 16});
    for (int64_t r = 0; r < 16; ++r)
      for (int64_t c = 0; c < 64; ++c) wt.data<float>()[c * 16 + r] = w.data<float>()[r * 64 + c];
    y = b.Op("MatMul", {h, b.Const("w", wt)}, {}, "fc");
    y = b.Op("Add", {y, b.Const("b", RandomFloats({16}, 0.1f, 2))}, {}, "bias");
  } else {
    y = b.Op("Gemm", {h, b.Const("w", w), b.Const("b", RandomFloats({16}, 0.1f, 2))},
             {MakeAttr("transB", int64_t{1})}, "fc");
  }
  b.Output(y, "y");
  return m;
}

// Mean over channels of |E[y_float - y_quant]| (per output channel) on fresh batches.
double ChannelBias(const ir::Model& f, const ir::Model& q) {
  std::vector<double> d(16, 0.0);
  for (uint64_t seed = 100; seed < 104; ++seed) {
    const Tensor x = runtime::RandomTensor(DataType::kFloat32, {16, 64}, seed);
    const Tensor a = RunModel(f, x), b = RunModel(q, x);
    for (int64_t i = 0; i < a.numel(); ++i) d[i % 16] += a.GetAsDouble(i) - b.GetAsDouble(i);
  }
  double s = 0;
  for (double v : d) s += std::abs(v) / 64;
  return s / 16;
}

TEST(BiasCorrectionTest, ReducesPerChannelMeanError) {
  for (bool matmul : {false, true}) {
    const ir::Model f = BiasedNet(matmul);
    double bias[2];
    for (int bc = 0; bc < 2; ++bc) {
      ir::Model q = Copy(f);
      QuantizeOptions o;
      o.bias_correction = bc;
      auto src = MakeRandomCalibration(*f.graph, 4, 0);
      ASSERT_TRUE(src.ok());
      auto r = QuantizeModel(q, src->get(), o);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(r->bias_correction.corrected, bc);
      bias[bc] = ChannelBias(f, q);
    }
    EXPECT_LT(bias[1], bias[0] * 0.3) << matmul << ": " << bias[0] << " -> " << bias[1];
  }
}

TEST(BiasCorrectionTest, NeedsStaticCalibration) {
  ir::Model m = BiasedNet();
  QuantizeOptions o;
  o.dynamic = true;
  o.bias_correction = true;
  EXPECT_EQ(QuantizeModel(m, nullptr, o).status().code(), StatusCode::kInvalidArgument);
  o.bias_correction = false;
  o.smoothquant_alpha = 0.5;
  EXPECT_EQ(QuantizeModel(m, nullptr, o).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shrink::quant
