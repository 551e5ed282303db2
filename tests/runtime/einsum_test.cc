// Einsum: explicit/implicit output, diagonals, ellipsis with broadcasting, several operands.
#include <gtest/gtest.h>

#include <cmath>

#include "runtime/kernel_test_helpers.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

Tensor Einsum(const std::string& eq, const std::vector<Tensor>& xs) {
  return RunOne("Einsum", xs, {MakeAttr("equation", eq)}, 12);
}

TEST(Einsum, MatmulExplicitImplicitAndUppercase) {
  const Tensor a = F32({2, 3}, Iota(6, 1));
  const Tensor b = F32({3, 2}, Iota(6, 1));
  const std::vector<double> want = {22, 28, 49, 64};
  ExpectTensor(Einsum("ij,jk->ik", {a, b}), kF32, {2, 2}, want);
  ExpectTensor(Einsum("ij,jk", {a, b}), kF32, {2, 2}, want);
  ExpectTensor(Einsum("Ab, bC -> AC", {a, b}), kF32, {2, 2}, want);
  // Implicit output is alphabetical: "ji" has output "ij" = a, untransposed.
  ExpectTensor(Einsum("ji", {a}), kF32, {3, 2}, {1, 4, 2, 5, 3, 6});
}

TEST(Einsum, TransposeSumTraceDiagonal) {
  const Tensor m = F32({2, 2}, {1, 2, 3, 4});
  ExpectTensor(Einsum("ij->ji", {m}), kF32, {2, 2}, {1, 3, 2, 4});
  ExpectTensor(Einsum("ij->", {m}), kF32, {}, {10});
  ExpectTensor(Einsum("ij->i", {m}), kF32, {2}, {3, 7});
  ExpectTensor(Einsum("ii->", {m}), kF32, {}, {5});
  ExpectTensor(Einsum("ii", {m}), kF32, {}, {5});
  ExpectTensor(Einsum("ii->i", {m}), kF32, {2}, {1, 4});
}

TEST(Einsum, AttentionScores) {
  // h0: Q=[[1,0],[0,1]], K=[[1,2],[3,4]] -> Q K^T = [[1,3],[2,4]].
  // h1: Q=[[1,1],[2,0]], K=I -> [[1,1],[2,0]].
  const Tensor q = F32({1, 2, 2, 2}, {1, 0, 0, 1, 1, 1, 2, 0});
  const Tensor k = F32({1, 2, 2, 2}, {1, 2, 3, 4, 1, 0, 0, 1});
  ExpectTensor(Einsum("bhid,bhjd->bhij", {q, k}), kF32, {1, 2, 2, 2}, {1, 3, 2, 4, 1, 1, 2, 0});
}

TEST(Einsum, AttentionScoresMatchNaiveLoopOnLargerShapes) {
  const int64_t B = 2, H = 3, I = 5, J = 4, D = 6;
  std::vector<double> qv(static_cast<size_t>(B * H * I * D)),
      kv(static_cast<size_t>(B * H * J * D));
  for (size_t n = 0; n < qv.size(); ++n) qv[n] = std::sin(0.37 * static_cast<double>(n));
  for (size_t n = 0; n < kv.size(); ++n) kv[n] = std::cos(0.11 * static_cast<double>(n));
  std::vector<double> want;
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t i = 0; i < I; ++i)
        for (int64_t j = 0; j < J; ++j) {
          double s = 0;
          for (int64_t d = 0; d < D; ++d)
            s += qv[static_cast<size_t>(((b * H + h) * I + i) * D + d)] *
                 kv[static_cast<size_t>(((b * H + h) * J + j) * D + d)];
          want.push_back(s);
        }
  ExpectTensor(Einsum("bhid,bhjd->bhij", {Make(DataType::kFloat64, {B, H, I, D}, qv),
                                          Make(DataType::kFloat64, {B, H, J, D}, kv)}),
               DataType::kFloat64, {B, H, I, J}, want, 1e-12);
}

TEST(Einsum, EllipsisBroadcastAndBatchDiagonal) {
  // A: batch of two 1x2 rows; B: 2x1 shared by both batches.
  ExpectTensor(Einsum("...ij,jk->...ik", {F32({2, 1, 2}, {1, 2, 3, 4}), F32({2, 1}, {5, 6})}), kF32,
               {2, 1, 1}, {17, 39});
  // Broadcast of a size-1 ellipsis dim.
  ExpectTensor(Einsum("...i,...i->...", {F32({2, 2}, {1, 2, 3, 4}), F32({1, 2}, {10, 1})}), kF32,
               {2}, {12, 34});
  ExpectTensor(Einsum("...ii->...i", {Make(kI64, {2, 2, 2}, Iota(8))}), kI64, {2, 2}, {0, 3, 4, 7});
}

TEST(Einsum, ThreeOperandsAndOuterProduct) {
  ExpectTensor(Einsum("i,i,i->", {F32({2}, {1, 2}), F32({2}, {3, 4}), F32({2}, {5, 6})}), kF32, {},
               {63});
  ExpectTensor(Einsum("i,j->ij", {F32({2}, {1, 2}), F32({3}, {3, 4, 5})}), kF32, {2, 3},
               {3, 4, 5, 6, 8, 10});
  // Chain a(ij) b(jk) c(kl): ((a b) c).
  ExpectTensor(
      Einsum("ij,jk,kl->il", {F32({1, 2}, {1, 2}), F32({2, 2}, {1, 0, 0, 2}), F32({2, 1}, {3, 4})}),
      kF32, {1, 1}, {1 * 3 + 4 * 4});
}

TEST(Einsum, Float16) {
  ExpectTensor(Einsum("i,i->", {Make(DataType::kFloat16, {2}, {1.5, 2}),
                                Make(DataType::kFloat16, {2}, {2, -0.5})}),
               DataType::kFloat16, {}, {2});
}

TEST(Einsum, InvalidEquationsAreErrors) {
  const Tensor a = F32({2, 3}, Iota(6));
  EXPECT_EQ(RunStatus("Einsum", {a, F32({2, 2}, Iota(4))}, {MakeAttr("equation", "ij,jk->ik")}, 12)
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RunStatus("Einsum", {a}, {MakeAttr("equation", "ij->k")}, 12).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RunStatus("Einsum", {a}, {MakeAttr("equation", "ij,jk->ik")}, 12).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RunStatus("Einsum", {a}, {MakeAttr("equation", "ijk->i")}, 12).code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shrink::testing
