// ArgMax, ArgMin (keepdims, negative axis, select_last_index) and TopK (k attribute / input,
// largest, ties).
#include <gtest/gtest.h>

#include "runtime/kernel_test_helpers.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

const Tensor& Data() {
  static const Tensor x = F32({2, 3}, {1, 5, 5, 7, 2, 7});
  return x;
}

TEST(ArgMax, KeepdimsAndSelectLastIndex) {
  ExpectTensor(RunOne("ArgMax", {Data()}, {MakeAttr("axis", 1)}, 13), kI64, {2, 1}, {1, 0});
  ExpectTensor(
      RunOne("ArgMax", {Data()}, {MakeAttr("axis", -1), MakeAttr("select_last_index", 1)}, 13),
      kI64, {2, 1}, {2, 2});
  // select_last_index does not exist before opset 12.
  ExpectTensor(
      RunOne("ArgMax", {Data()}, {MakeAttr("axis", 1), MakeAttr("select_last_index", 1)}, 11), kI64,
      {2, 1}, {1, 0});
  ExpectTensor(RunOne("ArgMax", {Data()}, {MakeAttr("keepdims", 0)}), kI64, {3}, {1, 0, 1});
}

TEST(ArgMax, Float16ComparesByValue) {
  ExpectTensor(RunOne("ArgMax", {Make(DataType::kFloat16, {3}, {-1, -2, 0.5})}), kI64, {1}, {2});
}

TEST(ArgMin, BasicAndNegativeAxisRule) {
  ExpectTensor(RunOne("ArgMin", {Data()}, {MakeAttr("axis", 1), MakeAttr("keepdims", 0)}), kI64,
               {2}, {0, 1});
  ExpectTensor(RunOne("ArgMin", {Make(DataType::kInt32, {4}, {3, 1, 4, 1})},
                      {MakeAttr("select_last_index", 1)}, 12),
               kI64, {1}, {3});
  EXPECT_EQ(RunStatus("ArgMin", {Data()}, {MakeAttr("axis", -1)}, 10).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RunStatus("ArgMin", {Data()}, {MakeAttr("axis", 2)}).code(),
            StatusCode::kInvalidArgument);
}

TEST(TopK, KAsInputLargest) {
  auto out = RunOk("TopK", {F32({3, 4}, Iota(12)), I64({1}, {2})}, {}, 10, 2);
  ExpectTensor(out[0], kF32, {3, 2}, {3, 2, 7, 6, 11, 10});
  ExpectTensor(out[1], kI64, {3, 2}, {3, 2, 3, 2, 3, 2});
}

TEST(TopK, KAsAttributeBeforeOpset10) {
  auto out = RunOk("TopK", {F32({4}, {2, 9, 4, 1})}, {MakeAttr("k", 3)}, 1, 2);
  ExpectTensor(out[0], kF32, {3}, {9, 4, 2});
  ExpectTensor(out[1], kI64, {3}, {1, 2, 0});
}

TEST(TopK, SmallestAlongAxis0AndTies) {
  auto out = RunOk("TopK", {F32({3, 4}, Iota(12)), I64({1}, {1})},
                   {MakeAttr("axis", 0), MakeAttr("largest", 0)}, 11, 2);
  ExpectTensor(out[0], kF32, {1, 4}, {0, 1, 2, 3});
  ExpectTensor(out[1], kI64, {1, 4}, {0, 0, 0, 0});
  // Equal values keep the lower index first.
  out = RunOk("TopK", {Make(DataType::kInt32, {4}, {1, 3, 3, 2}), I64({1}, {3})}, {}, 11, 2);
  ExpectTensor(out[0], DataType::kInt32, {3}, {3, 3, 2});
  ExpectTensor(out[1], kI64, {3}, {1, 2, 3});
}

TEST(TopK, KLargerThanAxisIsAnError) {
  EXPECT_EQ(RunStatus("TopK", {F32({3}, {1, 2, 3}), I64({1}, {4})}, {}, 11, 2).code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shrink::testing
