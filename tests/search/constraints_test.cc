#include "search/constraints.h"

#include <gtest/gtest.h>

#include <cmath>

namespace shrink::search {
namespace {

TEST(Constraints, MetricDropFollowsDirection) {
  EXPECT_DOUBLE_EQ(MetricDropPct(0.90, 0.891, true), 1.0);   // accuracy fell 0.009 of 0.9
  EXPECT_DOUBLE_EQ(MetricDropPct(0.90, 0.909, true), -1.0);  // a gain is a negative drop
  EXPECT_NEAR(MetricDropPct(4.0, 4.2, false), 5.0, 1e-9);    // perplexity rose 0.2 of 4
  EXPECT_DOUBLE_EQ(MetricDropPct(0.0, 0.02, false), 2.0);    // zero baseline: absolute x 100
}

TEST(Constraints, UnsetNeverFails) {
  Measurement m;
  m.metric_drop_pct = 50;
  m.latency_ms_p50 = 1e9;
  EXPECT_TRUE(Check(Constraints{}, m).empty());
}

TEST(Constraints, ReportsEveryViolationWithExcess) {
  Constraints c;
  c.max_metric_drop_pct = 1.0;
  c.max_latency_ms_p50 = 50;
  c.min_compression_ratio = 4;
  c.max_size_mb = 10;
  Measurement m;
  m.metric_drop_pct = 0.5;  // fine
  m.latency_ms_p50 = 60;    // 10 over, 20%
  m.compression_ratio = 3;  // 1 under, 25%
  m.size_mb = 10;           // exactly at the limit: fine
  const std::vector<Violation> v = Check(c, m);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].constraint, "max_latency_ms_p50");
  EXPECT_DOUBLE_EQ(v[0].excess, 10);
  EXPECT_DOUBLE_EQ(v[0].excess_pct, 20);
  EXPECT_EQ(v[1].constraint, "min_compression_ratio");
  EXPECT_DOUBLE_EQ(v[1].excess_pct, 25);
  EXPECT_EQ(v[1].ToString(), "min_compression_ratio: 3 < 4 (by 1, 25%)");
  EXPECT_DOUBLE_EQ(Infeasibility(v), 45);
}

TEST(Constraints, NanViolates) {
  Constraints c;
  c.max_latency_ms_p95 = 5;
  Measurement m;
  m.latency_ms_p95 = NAN;
  ASSERT_EQ(Check(c, m).size(), 1u);
  EXPECT_TRUE(std::isinf(Infeasibility(Check(c, m))));
}

}  // namespace
}  // namespace shrink::search
