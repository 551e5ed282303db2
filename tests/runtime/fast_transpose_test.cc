// The oneDNN fp32 Transpose (transpose_onednn.cc) against the reference kernel on randomized
// shapes and permutations (BERT's head split / merge, default perm, negative-free odd sizes).
#include <gtest/gtest.h>

#include "runtime_util/fast_test_util.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

TEST(FastTranspose, MatchesReference) {
  struct C {
    Shape x;
    std::vector<int64_t> perm;  // empty: attribute omitted (reversed axes)
  };
  const std::vector<C> cases = {{{2, 13, 12, 8}, {0, 2, 1, 3}},
                                {{2, 13, 12, 8}, {0, 2, 3, 1}},
                                {{7, 5}, {}},
                                {{3, 4, 5}, {2, 0, 1}},
                                {{9}, {0}},
                                {{2, 3, 1, 5, 4}, {4, 3, 2, 1, 0}}};
  uint32_t seed = 3;
  for (const auto& c : cases) {
    std::vector<ir::Attribute> attrs;
    if (!c.perm.empty()) attrs.push_back(MakeAttr("perm", c.perm));
    // A copy: exact.
    ExpectFastMatches("transpose " + ShapeToString(c.x), "Transpose", {RandomTensor(c.x, seed++)},
                      {false}, attrs, 0.0);
  }
}

}  // namespace
}  // namespace shrink::testing
