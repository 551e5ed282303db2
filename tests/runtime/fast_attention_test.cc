// The fast com.shrink Attention kernel (attention_native.cc) and the plan's MatMul + bias Add
// (+ Gelu) fusion against the reference kernels on randomized shapes.
#include <gtest/gtest.h>

#include "runtime_util/fast_test_util.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

struct AttnCase {
  Shape q, kt, v, mask;  // mask: empty Shape and no_mask for none
  bool no_mask;
};

FastOpResult RunAttention(const AttnCase& c, uint32_t seed, float scale) {
  std::vector<Tensor> ins = {RandomTensor(c.q, seed, -2, 2), RandomTensor(c.kt, seed + 1, -2, 2),
                             RandomTensor(c.v, seed + 2)};
  if (!c.no_mask) {
    Tensor m = RandomTensor(c.mask, seed + 3, -3, 0);
    if (m.numel() > 1) m.data<float>()[m.numel() - 1] = -10000.0f;  // a masked-out key
    ins.push_back(m);
  }
  return RunBoth("Attention", ins, {false, false, false, false}, {MakeAttr("scale", scale)}, 17,
                 "com.shrink");
}

TEST(FastAttention, MatchesReferenceOnRandomShapes) {
  const std::vector<AttnCase> cases = {
      {{1, 12, 128, 64}, {1, 12, 64, 128}, {1, 12, 128, 64}, {1, 1, 1, 128}, false},  // BERT
      {{2, 3, 37, 19}, {2, 3, 19, 41}, {2, 3, 41, 23}, {37, 41}, false},
      {{2, 3, 70, 8}, {2, 3, 8, 33}, {2, 3, 33, 5}, {2, 1, 70, 1}, false},
      {{3, 130, 16}, {3, 16, 17}, {3, 17, 16}, {}, true},
      {{5, 7}, {7, 9}, {9, 4}, {}, false},  // a scalar mask
  };
  uint32_t seed = 100;
  for (const auto& c : cases) {
    SCOPED_TRACE("q " + ShapeToString(c.q) + " kt " + ShapeToString(c.kt));
    FastOpResult r = RunAttention(c, seed, 0.125f + 0.01f * static_cast<float>(seed % 7));
    seed += 10;
    ASSERT_EQ(r.ref.size(), 1u);
    ASSERT_EQ(r.fast.size(), 1u);
    EXPECT_EQ(r.backend, "native");
    EXPECT_EQ(r.fast[0].shape(), r.ref[0].shape());
    EXPECT_LE(MaxAbsDiff(r.fast[0], r.ref[0]), kReductionTol);
  }
}

TEST(FastAttention, BroadcastBatchFallsBackToReference) {
  // Kt broadcast over the batch dim: not served by the fast kernel, still correct.
  FastOpResult r = RunAttention({{2, 4, 6}, {1, 6, 5}, {2, 5, 3}, {}, true}, 7, 0.5f);
  ASSERT_EQ(r.fast.size(), 1u);
  EXPECT_EQ(r.backend, "reference");
  EXPECT_LE(MaxAbsDiff(r.fast[0], r.ref[0]), 0.0);
}

// x [4, 9, K] -> MatMul(W [K, N]) -> Add(bias) [-> com.shrink Gelu], bias first or second.
ir::Model MatMulBias(int64_t k, int64_t n, bool bias_first, bool gelu, Shape bias_shape) {
  ir::Model m = ir::MakeModel(17);
  m.SetOpset("com.shrink", 1);
  ir::Graph& g = *m.graph;
  ir::Value* x = g.AddInput("x", ir::TypeInfo::Tensor(DataType::kFloat32, Shape{4, 9, k}));
  ir::Value* w = g.AddInitializer("w", RandomTensor({k, n}, 1));
  ir::Value* b = g.AddInitializer("b", RandomTensor(bias_shape, 2));
  ir::Value* y = g.AddNode("MatMul", {x, w}, {"mm"})->output(0);
  y = g.AddNode("Add", bias_first ? std::vector<ir::Value*>{b, y} : std::vector<ir::Value*>{y, b},
                {"add"})
          ->output(0);
  if (gelu) y = g.AddNode("Gelu", {y}, {"gelu"}, {}, "gelu", "com.shrink")->output(0);
  g.AddOutput(y);
  return m;
}

struct PlanRun {
  std::vector<Tensor> ref, fast;
  std::vector<runtime::fast::StepProfile> profile;
};

PlanRun RunModelBoth(const ir::Model& m, const runtime::Feeds& feeds) {
  PlanRun r;
  auto ex = runtime::Executor::Create(m);
  EXPECT_TRUE(ex.ok()) << ex.status().ToString();
  auto ref = (*ex)->Run(feeds);
  EXPECT_TRUE(ref.ok()) << ref.status().ToString();
  auto s = runtime::fast::Session::Create(m);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  auto fast = (*s)->Run(feeds);
  EXPECT_TRUE(fast.ok()) << fast.status().ToString();
  if (ref.ok()) r.ref = *ref;
  if (fast.ok()) r.fast = *fast;
  r.profile = (*s)->Profile();
  return r;
}

TEST(FastMatMulBias, FusedIntoOneStep) {
  uint32_t seed = 50;
  for (bool bias_first : {false, true})
    for (bool gelu : {false, true}) {
      SCOPED_TRACE(std::string(bias_first ? "bias first" : "bias second") + (gelu ? " gelu" : ""));
      const int64_t k = 13 + seed % 5, n = 7 + seed % 11;
      ir::Model m = MatMulBias(k, n, bias_first, gelu, {n});
      PlanRun r = RunModelBoth(m, {{"x", RandomTensor({4, 9, k}, seed++, -2, 2)}});
      ASSERT_EQ(r.profile.size(), 1u);
      EXPECT_EQ(r.profile[0].op_type, gelu ? "MatMul+Add+Gelu" : "MatMul+Add");
      EXPECT_EQ(r.profile[0].backend, "onednn");
      ASSERT_EQ(r.fast.size(), 1u);
      EXPECT_EQ(r.fast[0].shape(), r.ref[0].shape());
      EXPECT_LE(MaxAbsDiff(r.fast[0], r.ref[0]), kReductionTol);
    }
}

TEST(FastMatMulBias, WideOutputInColumnBlocks) {
  // N > 512 with >= 32 rows: the kernel runs column blocks (matmul_onednn.cc), with the fused
  // bias and Gelu, and as a Gemm with transB and a [M, N] C.
  ir::Model m = MatMulBias(24, 1100, true, true, {1100});
  PlanRun r = RunModelBoth(m, {{"x", RandomTensor({4, 9, 24}, 4, -2, 2)}});
  ASSERT_EQ(r.profile.size(), 1u);
  EXPECT_EQ(r.profile[0].backend, "onednn");
  ASSERT_EQ(r.fast.size(), 1u);
  EXPECT_LE(MaxAbsDiff(r.fast[0], r.ref[0]), kReductionTol);
  ExpectFastMatches(
      "gemm wide", "Gemm",
      {RandomTensor({40, 16}, 5), RandomTensor({1500, 16}, 6), RandomTensor({40, 1500}, 7)},
      {false, true, true}, {MakeAttr("transB", int64_t{1})}, kReductionTol);
  ExpectFastMatches("matmul wide batched", "MatMul",
                    {RandomTensor({2, 20, 16}, 8), RandomTensor({2, 16, 2000}, 9)}, {false, true},
                    {}, kReductionTol);
}

TEST(FastMatMulBias, NonVectorBiasIsNotFused) {
  // A [9, N] bias is not a plain [N] bias: two steps, same values.
  ir::Model m = MatMulBias(6, 5, false, false, {9, 5});
  PlanRun r = RunModelBoth(m, {{"x", RandomTensor({4, 9, 6}, 3)}});
  EXPECT_EQ(r.profile.size(), 2u);
  ASSERT_EQ(r.fast.size(), 1u);
  EXPECT_LE(MaxAbsDiff(r.fast[0], r.ref[0]), kReductionTol);
}

}  // namespace
}  // namespace shrink::testing
