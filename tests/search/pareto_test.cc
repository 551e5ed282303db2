#include "search/pareto.h"

#include <gtest/gtest.h>

#include <cmath>

namespace shrink::search {
namespace {

TEST(Pareto, Dominance) {
  EXPECT_TRUE(Dominates({1, 2}, {1, 3}));
  EXPECT_FALSE(Dominates({1, 3}, {1, 3}));   // equal: neither dominates
  EXPECT_FALSE(Dominates({1, 4}, {2, 3}));   // a trade-off
  EXPECT_TRUE(Dominates({9, 9}, {0, NAN}));  // a failed measurement loses to any real one
  EXPECT_FALSE(Dominates({0, NAN}, {9, 9}));
  EXPECT_THROW(Dominates({1}, {1, 2}), std::invalid_argument);
}

TEST(Pareto, FrontAndRanks) {
  // (size, error): 0 and 1 and 3 trade off; 2 is dominated by 1; 4 by everything.
  const std::vector<Objectives> p = {{1, 9}, {3, 3}, {4, 4}, {9, 1}, {10, 10}};
  EXPECT_EQ(ParetoFront(p), (std::vector<size_t>{0, 1, 3}));
  const auto fronts = NonDominatedSort(p);
  ASSERT_EQ(fronts.size(), 3u);
  EXPECT_EQ(fronts[1], (std::vector<size_t>{2}));
  EXPECT_EQ(fronts[2], (std::vector<size_t>{4}));
}

TEST(Pareto, CrowdingDistance) {
  // Points on a line x + y = 10 at x = 0, 2, 6, 10: interior distances are the normalised gaps.
  const std::vector<Objectives> p = {{0, 10}, {2, 8}, {6, 4}, {10, 0}};
  const std::vector<double> d = CrowdingDistance(p, {0, 1, 2, 3});
  EXPECT_TRUE(std::isinf(d[0]));
  EXPECT_TRUE(std::isinf(d[3]));
  EXPECT_DOUBLE_EQ(d[1], 2 * (6.0 - 0.0) / 10.0);  // both objectives: neighbours 0 and 6
  EXPECT_DOUBLE_EQ(d[2], 2 * (10.0 - 2.0) / 10.0);
}

}  // namespace
}  // namespace shrink::search
