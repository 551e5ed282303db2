// GPTQ: the Hessian accumulator, equivalence with RTN when inputs are uncorrelated, and a lower
// output error than RTN on a MatMul whose inputs are correlated (measured on held-out inputs).
#include "quant/gptq.h"

#include <gtest/gtest.h>

#include <cmath>

#include "quant/weight_only.h"
#include "quant_test_util.h"
#include "runtime/executor.h"
#include "runtime/random_inputs.h"

namespace shrink::quant {
namespace {

using testing::RandomFloats;

TEST(Gptq, HessianIsTwiceTheMeanOuterProduct) {
  const Tensor x = RandomFloats({2, 3, 4}, 1.0f, 1);  // 6 samples of K = 4
  HessianAccumulator acc(4);
  ASSERT_TRUE(acc.Add(x).ok());
  EXPECT_EQ(acc.samples(), 6);
  const std::vector<double> h = acc.Hessian();
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) {
      double s = 0;
      for (int r = 0; r < 6; ++r)
        s += static_cast<double>(x.data<float>()[r * 4 + i]) * x.data<float>()[r * 4 + j];
      EXPECT_NEAR(h[static_cast<size_t>(i * 4 + j)], 2.0 * s / 6, 1e-9);
    }
  EXPECT_FALSE(acc.Add(RandomFloats({2, 5}, 1.0f, 2)).ok());  // wrong K
}

TEST(Gptq, DiagonalHessianGivesRoundToNearest) {
  const int64_t k = 64, n = 8;
  const Tensor wt = RandomFloats({k, n}, 1.0f, 3);
  const std::vector<float> w(wt.data<float>(), wt.data<float>() + wt.numel());
  std::vector<double> h(static_cast<size_t>(k * k), 0.0);
  for (int64_t i = 0; i < k; ++i) h[static_cast<size_t>(i * k + i)] = 1.0 + static_cast<double>(i);
  auto grid = MakeBlockGrid(4, true);
  ASSERT_TRUE(grid.ok());
  for (bool act_order : {false, true}) {
    GptqOptions o;
    o.act_order = act_order;
    auto q = QuantizeGptq(w, k, n, h, 32, *grid, o);
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    EXPECT_EQ(q->codes, QuantizeRtn(w, k, n, 32, *grid).codes);  // no error to spread
  }
}

// x[N, 16] -> MatMul(mix [16, 128], a fixed mixing: correlated features) -> MatMul(w [128, 32]).
ir::Model CorrelatedModel() {
  ir::Model m = ir::MakeModel(17);
  ir::GraphBuilder b(*m.graph);
  auto* x = b.Input("x", DataType::kFloat32, {ir::Dim::Symbol("N"), ir::Dim::Known(16)});
  auto* h = b.Op("MatMul", {x, b.Const("mix", RandomFloats({16, 128}, 1.0f, 4))}, {}, "mix");
  auto* y = b.Op("MatMul", {h, b.Const("w", RandomFloats({128, 32}, 0.1f, 5))}, {}, "layer");
  b.Output(y, "y");
  return m;
}

// Mean squared output difference from the float model on held-out random inputs.
double OutputMse(const ir::Model& quantized, const ir::Model& reference) {
  auto a = runtime::Executor::Create(quantized);
  auto b = runtime::Executor::Create(reference);
  EXPECT_TRUE(a.ok() && b.ok());
  double se = 0;
  int64_t count = 0;
  for (uint64_t seed = 100; seed < 104; ++seed) {
    auto feeds = runtime::MakeRandomFeeds(*reference.graph, seed, {{"N", 64}});
    EXPECT_TRUE(feeds.ok());
    auto ya = (*a)->Run(*feeds);
    auto yb = (*b)->Run(*feeds);
    EXPECT_TRUE(ya.ok() && yb.ok());
    for (int64_t i = 0; i < (*ya)[0].numel(); ++i) {
      const double d = (*ya)[0].GetAsDouble(i) - (*yb)[0].GetAsDouble(i);
      se += d * d;
    }
    count += (*ya)[0].numel();
  }
  return se / static_cast<double>(count);
}

TEST(Gptq, LowerOutputErrorThanRoundToNearestOnCorrelatedInputs) {
  const ir::Model reference = CorrelatedModel();
  auto quantize = [&](WeightOnlyMethod method, bool act_order, WeightOnlyResult* result) {
    ir::Model m = CorrelatedModel();
    WeightOnlyOptions o;
    o.method = method;
    o.act_order = act_order;
    o.exclude = {"mix"};
    auto src = MakeRandomCalibration(*m.graph, 8, 0, {{"N", 64}});
    EXPECT_TRUE(src.ok());
    auto r = QuantizeWeightsOnly(m, src->get(), o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (result && r.ok()) *result = *r;
    return OutputMse(m, reference);
  };
  WeightOnlyResult g;
  const double rtn = quantize(WeightOnlyMethod::kRtn, false, nullptr);
  const double gptq = quantize(WeightOnlyMethod::kGptq, false, &g);
  const double gptq_act = quantize(WeightOnlyMethod::kGptq, true, nullptr);
  std::cout << "held-out output MSE: rtn " << rtn << ", gptq " << gptq << ", gptq act-order "
            << gptq_act << "\n";
  EXPECT_LT(gptq, rtn);
  EXPECT_LT(gptq_act, rtn);
  ASSERT_EQ(g.layers.size(), 1u);
  EXPECT_EQ(g.calibration_batches, 8);
  EXPECT_EQ(g.layers[0].node, "layer");
  // The calibration-set proxy agrees: GPTQ's output error below RTN's.
  EXPECT_GT(g.layers[0].rtn_output_rel_error, 0);
  EXPECT_LT(g.layers[0].output_rel_error, g.layers[0].rtn_output_rel_error);
}

}  // namespace
}  // namespace shrink::quant
