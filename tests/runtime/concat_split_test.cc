// Concat and Split (every opset form of Split's sizes).
#include <gtest/gtest.h>

#include "runtime/kernel_test_helpers.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

TEST(Concat, InnerAxisAndNegativeAxis) {
  const Tensor a = F32({2, 1}, {1, 2});
  const Tensor b = F32({2, 2}, {3, 4, 5, 6});
  ExpectTensor(RunOne("Concat", {a, b}, {MakeAttr("axis", 1)}), kF32, {2, 3}, {1, 3, 4, 2, 5, 6});
  ExpectTensor(RunOne("Concat", {a, b}, {MakeAttr("axis", -1)}, 13), kF32, {2, 3},
               {1, 3, 4, 2, 5, 6});
  ExpectTensor(RunOne("Concat", {I64({1, 2}, {1, 2}), I64({0, 2}, {}), I64({1, 2}, {3, 4})},
                      {MakeAttr("axis", 0)}),
               kI64, {2, 2}, {1, 2, 3, 4});
}

TEST(Concat, MismatchedShapesAreAnError) {
  EXPECT_EQ(
      RunStatus("Concat", {F32({2, 1}, {1, 2}), F32({3, 1}, {1, 2, 3})}, {MakeAttr("axis", 1)})
          .code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(
      RunStatus("Concat", {F32({2}, {1, 2}), F32({1}, {3})}, {MakeAttr("axis", -1)}, 7).code(),
      StatusCode::kInvalidArgument);
}

TEST(Split, SizesAsAttributeBeforeOpset13) {
  auto out = RunOk("Split", {F32({2, 3}, Iota(6))},
                   {MakeAttr("axis", 1), MakeAttr("split", std::vector<int64_t>{1, 2})}, 11, 2);
  ExpectTensor(out[0], kF32, {2, 1}, {0, 3});
  ExpectTensor(out[1], kF32, {2, 2}, {1, 2, 4, 5});
}

TEST(Split, SizesAsInputFromOpset13) {
  auto out =
      RunOk("Split", {F32({2, 3}, Iota(6)), I64({2}, {2, 1})}, {MakeAttr("axis", -1)}, 13, 2);
  ExpectTensor(out[0], kF32, {2, 2}, {0, 1, 3, 4});
  ExpectTensor(out[1], kF32, {2, 1}, {2, 5});
}

TEST(Split, EvenSplitByOutputCount) {
  auto out = RunOk("Split", {I64({6}, Iota(6))}, {}, 13, 3);
  ExpectTensor(out[0], kI64, {2}, {0, 1});
  ExpectTensor(out[1], kI64, {2}, {2, 3});
  ExpectTensor(out[2], kI64, {2}, {4, 5});
  // 7 elements cannot be split evenly into 3 before opset 18.
  EXPECT_EQ(RunStatus("Split", {I64({7}, Iota(7))}, {}, 13, 3).code(),
            StatusCode::kInvalidArgument);
}

TEST(Split, NumOutputsFromOpset18LastChunkSmaller) {
  auto out = RunOk("Split", {I64({7}, Iota(7))}, {MakeAttr("num_outputs", 3)}, 18, 3);
  ExpectTensor(out[0], kI64, {3}, {0, 1, 2});
  ExpectTensor(out[1], kI64, {3}, {3, 4, 5});
  ExpectTensor(out[2], kI64, {1}, {6});
}

TEST(Split, SizesThatDoNotSumAreAnError) {
  EXPECT_EQ(RunStatus("Split", {F32({4}, Iota(4)), I64({2}, {1, 2})}, {}, 13, 2).code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shrink::testing
