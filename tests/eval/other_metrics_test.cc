#include <gtest/gtest.h>

#include <cmath>

#include "eval/edit_distance.h"
#include "metric_test_util.h"

namespace shrink::eval {
namespace {

using testing::ClassPreds;
using testing::Score;
using testing::TextPreds;

// p(class 1) = [0.9, 0.8, 0.8, 0.3, 0.1], labels [1, 0, 1, 0, 1]
// positives {0.9, 0.8, 0.1}, negatives {0.8, 0.3}; pairs (pos, neg):
//   (0.9,0.8)=1 (0.9,0.3)=1 (0.8,0.8)=1/2 (0.8,0.3)=1 (0.1,0.8)=0 (0.1,0.3)=0 -> 3.5 / 6
Predictions BinaryScores() {
  std::vector<std::vector<float>> rows;
  for (float p : {0.9f, 0.8f, 0.8f, 0.3f, 0.1f}) rows.push_back({1 - p, p});
  return ClassPreds(rows, {1, 0, 1, 0, 1});
}

TEST(RocAuc, BinaryWithTies) {
  EXPECT_NEAR(Score("roc_auc", BinaryScores()), 3.5 / 6, 1e-12);
  auto m = testing::Make("roc_auc");
  ASSERT_TRUE(m->Update(BinaryScores()).ok());
  // Without the 0.1 positive: pairs 1 + 1 + 1/2 + 1 = 3.5 of 4.
  const std::vector<double> drop_last = {1, 1, 1, 1, 0};
  EXPECT_NEAR(m->Compute(&drop_last), 3.5 / 4, 1e-12);
  // Only positives weighted: undefined.
  const std::vector<double> positives = {1, 0, 1, 0, 1};
  EXPECT_TRUE(std::isnan(m->Compute(&positives)));
}

// One-vs-rest over rows e0 [.6 .3 .1] l0, e1 [.2 .5 .3] l1, e2 [.3 .3 .4] l2, e3 [.5 .1 .4] l1:
//   class 0: pos {.6} neg {.2 .3 .5}            -> 3/3
//   class 1: pos {.5 .1} neg {.3 .3}            -> (1 + 1 + 0 + 0) / 4 = 1/2
//   class 2: pos {.4 (e2)} neg {.1 .3 .4 (e3)}  -> (1 + 1 + 1/2) / 3 = 5/6
//   macro: (1 + 1/2 + 5/6) / 3 = 7/9
TEST(RocAuc, MulticlassOneVsRest) {
  const Predictions p =
      ClassPreds({{0.6f, 0.3f, 0.1f}, {0.2f, 0.5f, 0.3f}, {0.3f, 0.3f, 0.4f}, {0.5f, 0.1f, 0.4f}},
                 {0, 1, 2, 1});
  EXPECT_NEAR(Score("roc_auc", p), 7.0 / 9, 1e-6);
}

TEST(TextMetrics, CerWerExactMatch) {
  // kitten -> sitting: 3 edits of 7; abc == abc: 0 of 3; "" vs "ab": 2 of 2 -> 5 / 12.
  const Predictions p = TextPreds({"kitten", "abc", ""}, {"sitting", "abc", "ab"});
  EXPECT_NEAR(Score("cer", p), 5.0 / 12, 1e-12);
  EXPECT_NEAR(Score("exact_match", p), 1.0 / 3, 1e-12);
  // Code points, not bytes: "héllo" vs "hello" is one substitution of 5.
  EXPECT_NEAR(Score("cer", TextPreds({"h\xC3\xA9llo"}, {"hello"})), 0.2, 1e-12);
  // "the cat sat" vs "the cat sat down": 1 deletion of 4 words; "a b" vs "a c": 1 of 2 -> 2/6.
  EXPECT_NEAR(Score("wer", TextPreds({"the cat sat", "a b"}, {"the cat sat down", "a  c"})),
              2.0 / 6, 1e-12);
}

TEST(TextMetrics, EmptyReferences) {
  // An empty reference adds the prediction's length in edits and nothing below the line:
  // (5 + 2) / 12 with "xy" predicted for "" added to the set above.
  EXPECT_NEAR(Score("cer", TextPreds({"kitten", "abc", "", "xy"}, {"sitting", "abc", "ab", ""})),
              7.0 / 12, 1e-12);
  // Only empty references: 0 when nothing was predicted, else the edit count (1 + 0) / 1.
  EXPECT_EQ(Score("cer", TextPreds({"", ""}, {"", ""})), 0.0);
  EXPECT_EQ(Score("cer", TextPreds({"x", ""}, {"", ""})), 1.0);
  EXPECT_EQ(Score("exact_match", TextPreds({""}, {""})), 1.0);
}

TEST(EditDistance, Basics) {
  EXPECT_EQ(EditDistance(Utf8Chars("kitten"), Utf8Chars("sitting")), 3);
  EXPECT_EQ(EditDistance(Utf8Chars(""), Utf8Chars("abc")), 3);
  EXPECT_EQ(EditDistance(Utf8Chars("flaw"), Utf8Chars("lawn")), 2);
  EXPECT_EQ(Utf8Chars("a\xE2\x82\xAC"
                      "b")
                .size(),
            3u);  // a, euro sign, b
  EXPECT_EQ(Words("  a \t b\n"), (std::vector<std::string>{"a", "b"}));
}

// predictions [1, 2, 4], targets [1, 3, 2]: errors 0, -1, 2
//   mse (0 + 1 + 4) / 3 = 5/3, mae 3/3 = 1, rmse sqrt(5/3)
//   r2: mean(y) = 2, SS_tot = 1 + 1 + 0 = 2, SS_res = 5 -> 1 - 5/2 = -1.5
TEST(RegressionMetrics, HandComputed) {
  Predictions p;
  p.kind = data::PredictionKind::kValues;
  p.size = 3;
  p.width = 1;
  p.values = {1, 2, 4};
  p.target_values = {1, 3, 2};
  EXPECT_NEAR(Score("mse", p), 5.0 / 3, 1e-12);
  EXPECT_NEAR(Score("mae", p), 1.0, 1e-12);
  EXPECT_NEAR(Score("rmse", p), std::sqrt(5.0 / 3), 1e-12);
  EXPECT_NEAR(Score("r2", p), -1.5, 1e-12);
  // Two output columns: r2 averages per column. Column 2 = perfect -> (-1.5 + 1) / 2.
  Predictions q = p;
  q.width = 2;
  q.values = {1, 10, 2, 20, 4, 40};
  q.target_values = {1, 10, 3, 20, 2, 40};
  EXPECT_NEAR(Score("r2", q), -0.25, 1e-12);
}

TEST(MetricRegistry, CoversEveryKnownMetric) {
  for (const auto& known : data::KnownMetrics()) {
    data::MetricSpec spec;
    spec.name = known.name;
    auto m = CreateMetric(spec);
    EXPECT_TRUE(m.ok()) << known.name;
    auto hib = MetricHigherIsBetter(known.name);
    ASSERT_TRUE(hib.ok());
    EXPECT_EQ(*hib, known.higher_is_better) << known.name;
  }
  data::MetricSpec bogus;
  bogus.name = "bleu9";
  EXPECT_EQ(CreateMetric(bogus).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace shrink::eval
