#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "data/dataset.h"

namespace shrink::data {
namespace {

TEST(Split, PermutationIsAPermutationAndSeeded) {
  const std::vector<int64_t> a = Permutation(100, 7), b = Permutation(100, 7),
                             c = Permutation(100, 8);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  std::vector<int64_t> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 100; ++i) EXPECT_EQ(sorted[static_cast<size_t>(i)], i);
  int64_t fixed = 0;
  for (int64_t i = 0; i < 100; ++i) fixed += a[static_cast<size_t>(i)] == i;
  EXPECT_LT(fixed, 20);  // a shuffle, not the identity
}

TEST(Split, FractionsDisjointCoverAndDeterministic) {
  SplitSpec s;
  s.seed = 42;
  s.train_fraction = 0.7;
  s.calibration_fraction = 0.2;
  std::set<int64_t> all;
  size_t total = 0;
  const std::map<std::string, size_t> expected = {{"train", 70}, {"calibration", 20}, {"eval", 10}};
  for (const auto& [name, count] : expected) {
    s.name = name;
    Expected<std::vector<int64_t>> idx = SplitIndices(100, s);
    ASSERT_TRUE(idx.ok()) << idx.status().ToString();
    EXPECT_EQ(idx->size(), count) << name;
    EXPECT_TRUE(std::is_sorted(idx->begin(), idx->end()));
    all.insert(idx->begin(), idx->end());
    total += idx->size();
    Expected<std::vector<int64_t>> again = SplitIndices(100, s);
    EXPECT_EQ(*idx, *again);
    SplitSpec other = s;
    other.seed = 43;
    EXPECT_NE(*idx, *SplitIndices(100, other));
  }
  EXPECT_EQ(total, 100u);
  EXPECT_EQ(all.size(), 100u);
  s.name = "all";
  EXPECT_EQ(SplitIndices(100, s)->size(), 100u);
}

TEST(Split, RejectsBadSpecs) {
  SplitSpec s;
  s.name = "validation";
  EXPECT_EQ(SplitIndices(10, s).status().code(), StatusCode::kInvalidArgument);
  s.name = "train";
  s.train_fraction = 0.9;
  s.calibration_fraction = 0.2;
  EXPECT_EQ(SplitIndices(10, s).status().code(), StatusCode::kInvalidArgument);
  s.train_fraction = -0.1;
  EXPECT_FALSE(SplitIndices(10, s).ok());
}

}  // namespace
}  // namespace shrink::data
