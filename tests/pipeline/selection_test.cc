#include "pipeline/selection.h"

#include <gtest/gtest.h>

#include "pipeline/runtime_choice.h"

namespace shrink::pipeline {
namespace {

Outcome Make(const std::string& id, double drop, double p50, double size_mb) {
  Outcome o;
  o.id = id;
  o.ok = true;
  o.m.metric_drop_pct = drop;
  o.m.latency_ms_p50 = p50;
  o.m.size_mb = size_mb;
  o.m.compression_ratio = 4.0 / size_mb;
  return o;
}

search::Measurement Base() {
  search::Measurement b;
  b.latency_ms_p50 = 10;
  b.size_mb = 4;
  return b;
}

TEST(Selection, PicksMostSpeedTimesCompressionAmongFeasible) {
  search::Constraints c;
  c.max_metric_drop_pct = 1.0;
  std::vector<Outcome> o = {Make("a", 0.5, 5, 1),      // 0.5 x 0.25 = 0.125
                            Make("b", 0.2, 4, 2),      // 0.4 x 0.5 = 0.2
                            Make("c", 3.0, 2, 0.5),    // best score but drops 3%
                            Make("d", 0.1, 12, 0.5)};  // slower than baseline
  const Selection s = Select(o, Base(), c);
  ASSERT_TRUE(s.best.has_value());
  EXPECT_EQ(*s.best, 0u);
  EXPECT_EQ(o[2].violations.size(), 1u);
  ASSERT_EQ(o[3].violations.size(), 1u);
  EXPECT_EQ(o[3].violations[0].constraint, "not_slower_than_baseline");
  EXPECT_NE(s.explanation.find("a meets every constraint"), std::string::npos);
  // Front over (drop, p50, size): a, b, c, d all trade off somewhere except none dominated.
  EXPECT_EQ(s.front.size(), 4u);
}

TEST(Selection, PairedBaselineDecidesSpeed) {
  std::vector<Outcome> o = {Make("a", 0, 12, 1)};
  o[0].paired_baseline_p50_ms = 15;  // the machine was slower while `a` was measured
  const Selection s = Select(o, Base(), {});
  ASSERT_TRUE(s.best.has_value());
}

TEST(Selection, NothingFeasibleExplainsClosest) {
  search::Constraints c;
  c.min_compression_ratio = 10;
  std::vector<Outcome> o = {Make("a", 0, 5, 1), Make("b", 0, 5, 0.5)};  // ratios 4 and 8
  Outcome failed;
  failed.id = "f";
  o.push_back(failed);
  const Selection s = Select(o, Base(), c);
  EXPECT_FALSE(s.best.has_value());
  ASSERT_EQ(s.closest.size(), 2u);  // the failed trial is not a candidate
  EXPECT_EQ(s.closest[0], 1u);      // 8x is closer to 10x than 4x
  EXPECT_NE(s.explanation.find("min_compression_ratio: 8 < 10"), std::string::npos)
      << s.explanation;
}

}  // namespace
}  // namespace shrink::pipeline

namespace shrink::pipeline {
namespace {

// RankCandidates: Select's order; with ignore_latency, candidates whose only violations are about
// latency (what another runtime can change) stay in, in the same order.
TEST(Selection, RankCandidatesKeepsLatencyOnlyViolationsWhenAsked) {
  search::Constraints c;
  c.max_metric_drop_pct = 1.0;
  std::vector<Outcome> o = {Make("a", 0.5, 5, 1),      // 0.125
                            Make("b", 0.2, 4, 2),      // 0.2
                            Make("c", 3.0, 2, 0.5),    // drops 3%: out either way
                            Make("d", 0.1, 12, 0.5)};  // slower than the baseline here
  Select(o, Base(), c);
  EXPECT_EQ(RankCandidates(o, Base(), false), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(RankCandidates(o, Base(), true), (std::vector<size_t>{0, 3, 1}));  // d: 1.2 x 0.125
}

// The first candidate of each kind is timed ahead of its variants, so a runtime that runs one kind
// slowly still sees the best of the others.
TEST(RuntimeChoice, TimingOrderPutsEachKindsFirstCandidateAhead) {
  const std::vector<std::string> kinds = {"int8", "int8,w4a8", "int8,w4a8", "int8,w4a8", "int8"};
  EXPECT_EQ(TimingOrder({1, 2, 3, 0, 4}, kinds, 10), (std::vector<size_t>{1, 0, 2, 3, 4}));
  EXPECT_EQ(TimingOrder({1, 2, 3, 0, 4}, kinds, 2), (std::vector<size_t>{1, 0}));
  EXPECT_EQ(TimingOrder({}, kinds, 3), std::vector<size_t>{});
}

}  // namespace
}  // namespace shrink::pipeline
