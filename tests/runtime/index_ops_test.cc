// CumSum, OneHot, NonZero.
#include <gtest/gtest.h>

#include "runtime/kernel_test_helpers.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

TEST(CumSum, ExclusiveAndReverse) {
  const Tensor x = F32({5}, {1, 2, 3, 4, 5});
  const Tensor axis = I64({}, {0});
  ExpectTensor(RunOne("CumSum", {x, axis}), kF32, {5}, {1, 3, 6, 10, 15});
  ExpectTensor(RunOne("CumSum", {x, axis}, {MakeAttr("exclusive", 1)}), kF32, {5},
               {0, 1, 3, 6, 10});
  ExpectTensor(RunOne("CumSum", {x, axis}, {MakeAttr("reverse", 1)}), kF32, {5},
               {15, 14, 12, 9, 5});
  ExpectTensor(RunOne("CumSum", {x, axis}, {MakeAttr("reverse", 1), MakeAttr("exclusive", 1)}),
               kF32, {5}, {14, 12, 9, 5, 0});
}

TEST(CumSum, NegativeAxisInt32AxisAndFloat16) {
  ExpectTensor(
      RunOne("CumSum", {Make(kI64, {2, 3}, {1, 2, 3, 4, 5, 6}), Make(DataType::kInt32, {1}, {-1})}),
      kI64, {2, 3}, {1, 3, 6, 4, 9, 15});
  ExpectTensor(
      RunOne("CumSum", {Make(DataType::kFloat16, {3}, {0.5, -1.5, 4}), I64({}, {0})}, {}, 14),
      DataType::kFloat16, {3}, {0.5, -1, 3});
  EXPECT_EQ(RunStatus("CumSum", {F32({2}, {1, 2}), I64({}, {1})}).code(),
            StatusCode::kInvalidArgument);
}

TEST(OneHot, NegativeIndicesWrapFromOpset11) {
  const Tensor idx = I64({3}, {0, 2, -1});
  const Tensor depth = I64({}, {3});
  const Tensor values = F32({2}, {0, 1});
  ExpectTensor(RunOne("OneHot", {idx, depth, values}, {}, 11), kF32, {3, 3},
               {1, 0, 0, 0, 0, 1, 0, 0, 1});
  // Opset 9: an index outside [0, depth) gives an all-off row.
  ExpectTensor(RunOne("OneHot", {idx, depth, values}, {}, 9), kF32, {3, 3},
               {1, 0, 0, 0, 0, 1, 0, 0, 0});
}

TEST(OneHot, AxisZeroFloatIndicesCustomValues) {
  // out[d, i] = idx[i] == d ? 7 : 5; float indices truncate (1.7 -> 1).
  ExpectTensor(
      RunOne("OneHot", {F32({2}, {1.7, 2}), F32({}, {3}), I64({2}, {5, 7})}, {MakeAttr("axis", 0)}),
      kI64, {3, 2}, {5, 5, 7, 5, 5, 7});
  EXPECT_EQ(RunStatus("OneHot", {I64({1}, {0}), I64({}, {0}), F32({2}, {0, 1})}).code(),
            StatusCode::kInvalidArgument);
}

TEST(NonZero, CoordinatesPerAxis) {
  ExpectTensor(RunOne("NonZero", {F32({2, 2}, {1, 0, 1, 1})}), kI64, {2, 3}, {0, 1, 1, 0, 0, 1});
  ExpectTensor(RunOne("NonZero", {Make(DataType::kBool, {3}, {0, 0, 0})}), kI64, {1, 0}, {});
  // -0.0 is zero in float16 too.
  ExpectTensor(RunOne("NonZero", {Make(DataType::kFloat16, {3}, {0, -0.0, 2})}), kI64, {1, 1}, {2});
}

}  // namespace
}  // namespace shrink::testing
