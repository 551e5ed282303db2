// Pad: attribute form (opset < 11), input form, axes (18), modes constant/reflect/edge/wrap (19).
#include <gtest/gtest.h>

#include "runtime/kernel_test_helpers.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

TEST(Pad, ConstantAttributeFormBeforeOpset11) {
  // pads = [begin0, begin1, end0, end1] = [0, 1, 1, 0].
  ExpectTensor(
      RunOne("Pad", {F32({2, 2}, {1, 2, 3, 4})},
             {MakeAttr("pads", std::vector<int64_t>{0, 1, 1, 0}), MakeAttr("value", 9.0f)}, 2),
      kF32, {3, 3}, {9, 1, 2, 9, 3, 4, 9, 9, 9});
}

TEST(Pad, ConstantInputFormFromOpset11) {
  ExpectTensor(RunOne("Pad", {F32({2, 2}, {1, 2, 3, 4}), I64s({0, 1, 1, 0}), F32({}, {9})}, {}, 11),
               kF32, {3, 3}, {9, 1, 2, 9, 3, 4, 9, 9, 9});
  // Default constant is zero; int8 with an explicit constant.
  ExpectTensor(RunOne("Pad", {F32({2}, {1, 2}), I64s({1, 0})}, {}, 13), kF32, {3}, {0, 1, 2});
  ExpectTensor(
      RunOne("Pad",
             {Make(DataType::kInt8, {1}, {5}), I64s({1, 1}), Make(DataType::kInt8, {}, {-3})}, {},
             13),
      DataType::kInt8, {3}, {-3, 5, -3});
}

TEST(Pad, ReflectEdgeWrap) {
  const Tensor x = F32({3}, {1, 2, 3});
  ExpectTensor(RunOne("Pad", {x, I64s({2, 2})}, {MakeAttr("mode", "reflect")}, 13), kF32, {7},
               {3, 2, 1, 2, 3, 2, 1});
  ExpectTensor(RunOne("Pad", {x, I64s({2, 2})}, {MakeAttr("mode", "edge")}, 13), kF32, {7},
               {1, 1, 1, 2, 3, 3, 3});
  ExpectTensor(RunOne("Pad", {x, I64s({2, 2})}, {MakeAttr("mode", "wrap")}, 19), kF32, {7},
               {2, 3, 1, 2, 3, 1, 2});
  // "wrap" is new in opset 19.
  EXPECT_EQ(RunStatus("Pad", {x, I64s({2, 2})}, {MakeAttr("mode", "wrap")}, 18).code(),
            StatusCode::kInvalidArgument);
}

TEST(Pad, NegativePadsCrop) {
  ExpectTensor(RunOne("Pad", {F32({4}, {1, 2, 3, 4}), I64s({-1, 2})}, {}, 13), kF32, {5},
               {2, 3, 4, 0, 0});
  ExpectTensor(
      RunOne("Pad", {F32({3}, {1, 2, 3}), I64s({-1, 1})}, {MakeAttr("mode", "reflect")}, 13), kF32,
      {3}, {2, 3, 2});
}

TEST(Pad, AxesInputFromOpset18) {
  ExpectTensor(
      RunOne("Pad", {F32({2, 2}, {1, 2, 3, 4}), I64s({1, 1}), Tensor(), I64s({-1})}, {}, 18), kF32,
      {2, 4}, {0, 1, 2, 0, 0, 3, 4, 0});
}

TEST(Pad, WrongPadsLengthIsAnError) {
  EXPECT_EQ(RunStatus("Pad", {F32({2, 2}, {1, 2, 3, 4}), I64s({1, 1})}, {}, 13).code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shrink::testing
