#include <gtest/gtest.h>

#include <cmath>

#include "metric_test_util.h"

namespace shrink::eval {
namespace {

using testing::ClassPreds;
using testing::Labels;
using testing::Score;

// Three examples, three classes:
//   [0.7, 0.2, 0.1] label 0: argmax 0 (hit); label rank 0
//   [0.5, 0.3, 0.2] label 2: argmax 0 (miss); label rank 2 (0.5 and 0.3 are larger)
//   [0.4, 0.4, 0.2] label 1: argmax 0 (tie, first wins: miss); rank 1 (class 0 ties, lower id)
Predictions ThreeExamples() {
  return ClassPreds({{0.7f, 0.2f, 0.1f}, {0.5f, 0.3f, 0.2f}, {0.4f, 0.4f, 0.2f}}, {0, 2, 1});
}

TEST(ClassificationMetrics, TopK) {
  const Predictions p = ThreeExamples();
  EXPECT_DOUBLE_EQ(Score("top1", p), 1.0 / 3);
  EXPECT_DOUBLE_EQ(Score("accuracy", p), 1.0 / 3);
  EXPECT_DOUBLE_EQ(Score("top_k", p, 2), 2.0 / 3);  // ranks 0, 2, 1 -> two below 2
  EXPECT_DOUBLE_EQ(Score("top5", p), 1.0);          // k above the class count: every label
}

TEST(ClassificationMetrics, LogLossAndCrossEntropy) {
  const Predictions p = ThreeExamples();
  // -(ln 0.7 + ln 0.2 + ln 0.4) / 3 = (0.356675 + 1.609438 + 0.916291) / 3 = 0.960801
  EXPECT_NEAR(Score("log_loss", p), 0.960801, 1e-5);
  EXPECT_NEAR(Score("cross_entropy", p), 0.960801, 1e-5);
  // A zero probability is clipped at 1e-15: -ln(1e-15) = 34.538776.
  EXPECT_NEAR(Score("log_loss", ClassPreds({{1.0f, 0.0f}}, {1})), 34.538776, 1e-5);
}

TEST(ClassificationMetrics, TokenMetrics) {
  Predictions p;
  p.kind = data::PredictionKind::kTokens;
  p.size = 2;
  p.nll = {2.0, 4.0};  // nats summed per sequence
  p.tokens = {2, 4};
  p.correct = {1, 3};
  EXPECT_NEAR(Score("perplexity", p), std::exp(1.0), 1e-12);  // exp(6 / 6)
  EXPECT_DOUBLE_EQ(Score("cross_entropy", p), 1.0);           // 6 nats / 6 tokens
  EXPECT_DOUBLE_EQ(Score("accuracy", p), 4.0 / 6);            // (1 + 3) / (2 + 4)
  // Sequence 1 counted twice: accuracy (2*1 + 3) / (2*2 + 4) = 5/8.
  auto m = testing::Make("accuracy");
  ASSERT_TRUE(m->Update(p).ok());
  const std::vector<double> w = {2, 1};
  EXPECT_DOUBLE_EQ(m->Compute(&w), 5.0 / 8);
}

TEST(ClassificationMetrics, RejectsOtherPredictionKinds) {
  auto m = testing::Make("top1");
  const Status s = m->Update(testing::TextPreds({"a"}, {"a"}));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("top1"), std::string::npos) << s.message();
  EXPECT_TRUE(std::isnan(testing::Make("top1")->Result()));  // no examples
}

// Multiclass: labels [0,0,1,1,2,2], predicted [0,1,1,1,2,0]
//   class 0: tp 1, fp 1 (ex 5), fn 1 (ex 1) -> P 1/2, R 1/2, F1 1/2
//   class 1: tp 2, fp 1 (ex 1), fn 0        -> P 2/3, R 1,   F1 2*(2/3)/(5/3) = 4/5
//   class 2: tp 1, fp 0, fn 1 (ex 5)        -> P 1,   R 1/2, F1 2*(1/2)/(3/2) = 2/3
TEST(ConfusionMetrics, MacroAndMicro) {
  const Predictions p = Labels({0, 0, 1, 1, 2, 2}, {0, 1, 1, 1, 2, 0}, 3);
  EXPECT_NEAR(Score("precision_macro", p), (0.5 + 2.0 / 3 + 1.0) / 3, 1e-12);  // 0.722222
  EXPECT_NEAR(Score("recall_macro", p), (0.5 + 1.0 + 0.5) / 3, 1e-12);         // 0.666667
  EXPECT_NEAR(Score("f1_macro", p), (0.5 + 0.8 + 2.0 / 3) / 3, 1e-12);         // 0.655556
  EXPECT_NEAR(Score("precision", p), (0.5 + 2.0 / 3 + 1.0) / 3, 1e-12);        // 3 classes: macro
  // Micro: tp 4, fp 2, fn 2 -> 4/6 for all three.
  EXPECT_NEAR(Score("precision_micro", p), 4.0 / 6, 1e-12);
  EXPECT_NEAR(Score("recall_micro", p), 4.0 / 6, 1e-12);
  EXPECT_NEAR(Score("f1_micro", p), 4.0 / 6, 1e-12);
}

// Binary: labels [1,1,0,0,1], predicted [1,0,1,1,1]: tp 2 (ex 0, 4), fp 2 (ex 2, 3), fn 1 (ex 1)
// -> P 2/4, R 2/3, F1 = 2 * 0.5 * (2/3) / (0.5 + 2/3) = 4/7.
TEST(ConfusionMetrics, BinaryScoresClassOne) {
  const Predictions p = Labels({1, 1, 0, 0, 1}, {1, 0, 1, 1, 1}, 2);
  EXPECT_NEAR(Score("precision", p), 0.5, 1e-12);
  EXPECT_NEAR(Score("recall", p), 2.0 / 3, 1e-12);
  EXPECT_NEAR(Score("f1", p), 4.0 / 7, 1e-12);
  // No positive predictions at all: precision 0 (zero_division = 0), not NaN.
  EXPECT_EQ(Score("precision", Labels({1, 0}, {0, 0}, 2)), 0.0);
}

}  // namespace
}  // namespace shrink::eval
