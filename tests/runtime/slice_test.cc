// Slice: attribute form (opset < 10) and input form with steps, negative indices and clamping.
#include <gtest/gtest.h>

#include <limits>

#include "runtime/kernel_test_helpers.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

TEST(Slice, AttributesBeforeOpset10) {
  const Tensor x = F32({3, 4}, Iota(12));
  ExpectTensor(RunOne("Slice", {x},
                      {MakeAttr("starts", std::vector<int64_t>{1, 0}),
                       MakeAttr("ends", std::vector<int64_t>{3, 2})},
                      9),
               kF32, {2, 2}, {4, 5, 8, 9});
  ExpectTensor(RunOne("Slice", {x},
                      {MakeAttr("starts", std::vector<int64_t>{-2}),
                       MakeAttr("ends", std::vector<int64_t>{1000}),
                       MakeAttr("axes", std::vector<int64_t>{1})},
                      1),
               kF32, {3, 2}, {2, 3, 6, 7, 10, 11});
}

TEST(Slice, InputsWithAxesAndSteps) {
  const Tensor x = F32({3, 4}, Iota(12));
  ExpectTensor(RunOne("Slice", {x, I64s({1}), I64s({3}), I64s({-1})}, {}, 13), kF32, {3, 2},
               {1, 2, 5, 6, 9, 10});
  ExpectTensor(RunOne("Slice", {x, I64s({0}), I64s({4}), I64s({1}), I64s({2})}, {}, 13), kF32,
               {3, 2}, {0, 2, 4, 6, 8, 10});
  // Omitted axes input, given steps.
  ExpectTensor(RunOne("Slice", {x, I64s({2, 3}), I64s({0, 0}), Tensor(), I64s({-1, -2})}, {}, 13),
               kF32, {2, 2}, {11, 9, 7, 5});
}

TEST(Slice, NegativeStepsAndClamping) {
  const Tensor x = Make(kI64, {10}, Iota(10));
  // start -1 -> 9; end -11 -> -1 (clamped): 9, 6, 3, 0.
  ExpectTensor(RunOne("Slice", {x, I64s({-1}), I64s({-11}), I64s({0}), I64s({-3})}, {}, 13), kI64,
               {4}, {9, 6, 3, 0});
  ExpectTensor(RunOne("Slice", {x, I64s({7}), I64s({std::numeric_limits<int64_t>::max()})}, {}, 13),
               kI64, {3}, {7, 8, 9});
  ExpectTensor(RunOne("Slice", {x, I64s({100}), I64s({-100}), I64s({0}), I64s({-4})}, {}, 13), kI64,
               {3}, {9, 5, 1});
  // Start past the end: empty.
  ExpectTensor(RunOne("Slice", {x, I64s({12}), I64s({20})}, {}, 13), kI64, {0}, {});
}

TEST(Slice, ErrorsAndOpsetRules) {
  const Tensor x = F32({4}, Iota(4));
  EXPECT_EQ(RunStatus("Slice", {x, I64s({0}), I64s({4}), I64s({0}), I64s({0})}, {}, 13).code(),
            StatusCode::kInvalidArgument);
  // Negative axes need opset 11.
  EXPECT_EQ(RunStatus("Slice", {x, I64s({0}), I64s({2}), I64s({-1})}, {}, 10).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RunStatus("Slice", {x, I64s({0, 0}), I64s({2})}, {}, 13).code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shrink::testing
