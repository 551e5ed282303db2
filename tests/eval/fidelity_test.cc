#include "eval/fidelity.h"

#include <gtest/gtest.h>

#include <cmath>

namespace shrink::eval {
namespace {

TEST(Fidelity, SqnrAndCosine) {
  const Tensor ref = Tensor::FromVector<float>({4}, {3, 4, 0, 0});
  const Tensor test = Tensor::FromVector<float>({4}, {3, 4, 0.5f, 0});
  // signal 9 + 16 = 25, noise 0.25 -> 10 log10(100) = 20 dB
  EXPECT_NEAR(*Sqnr(ref, test), 20.0, 1e-9);
  EXPECT_TRUE(std::isinf(*Sqnr(ref, ref)));
  // cos = 25 / (5 * sqrt(25.25)) = 0.995037
  EXPECT_NEAR(*CosineSimilarity(ref, test), 25.0 / (5.0 * std::sqrt(25.25)), 1e-9);
  const Tensor neg = Tensor::FromVector<float>({4}, {-3, -4, 0, 0});
  EXPECT_NEAR(*CosineSimilarity(ref, neg), -1.0, 1e-12);
  const Tensor zero(DataType::kFloat32, {4});
  EXPECT_EQ(*CosineSimilarity(zero, zero), 1.0);
  EXPECT_EQ(*CosineSimilarity(ref, zero), 0.0);
}

TEST(Fidelity, Top1AgreementAndKl) {
  // Rows: [1,0] vs [2,0] agree; [0,1] vs [1,0] disagree; [5,5] vs [5,5] agree -> 2/3.
  const Tensor a = Tensor::FromVector<float>({3, 2}, {1, 0, 0, 1, 5, 5});
  const Tensor b = Tensor::FromVector<float>({3, 2}, {2, 0, 1, 0, 5, 5});
  EXPECT_NEAR(*Top1Agreement(a, b), 2.0 / 3, 1e-12);
  EXPECT_NEAR(*KlDivergence(a, a), 0.0, 1e-12);
  // Probabilities: P = [0.5, 0.5], Q = [0.25, 0.75]:
  // 0.5 ln(0.5/0.25) + 0.5 ln(0.5/0.75) = 0.5 (0.693147 - 0.405465) = 0.143841
  const Tensor p = Tensor::FromVector<float>({1, 2}, {0.5f, 0.5f});
  const Tensor q = Tensor::FromVector<float>({1, 2}, {0.25f, 0.75f});
  EXPECT_NEAR(*KlDivergence(p, q, false), 0.143841, 1e-6);
  // The same through logits: softmax([0, ln 3]) = [0.25, 0.75], softmax([0, 0]) = [0.5, 0.5].
  const Tensor lp = Tensor::FromVector<float>({1, 2}, {0, 0});
  const Tensor lq = Tensor::FromVector<float>({1, 2}, {0, std::log(3.0f)});
  EXPECT_NEAR(*KlDivergence(lp, lq), 0.143841, 1e-6);
}

TEST(Fidelity, ShapeMismatchIsAnError) {
  const Tensor a(DataType::kFloat32, {2, 3});
  const Tensor b(DataType::kFloat32, {3, 2});
  auto s = Sqnr(a, b);
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("[2, 3]"), std::string::npos);
  EXPECT_FALSE(KlDivergence(a, b).ok());
  EXPECT_FALSE(
      Top1Agreement(Tensor(DataType::kFloat32, {2, 0}), Tensor(DataType::kFloat32, {2, 0})).ok());
}

}  // namespace
}  // namespace shrink::eval
