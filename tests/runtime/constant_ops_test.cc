// Constant, ConstantOfShape, EyeLike, Range.
#include <gtest/gtest.h>

#include "runtime/kernel_test_helpers.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

TEST(Constant, EveryValueForm) {
  ExpectTensor(RunOne("Constant", {}, {MakeAttr("value", F32({2}, {1.5, -2}))}), kF32, {2},
               {1.5, -2});
  ExpectTensor(RunOne("Constant", {}, {MakeAttr("value_float", 2.5f)}), kF32, {}, {2.5});
  ExpectTensor(RunOne("Constant", {}, {MakeAttr("value_floats", std::vector<float>{1, 2, 3})}),
               kF32, {3}, {1, 2, 3});
  ExpectTensor(RunOne("Constant", {}, {MakeAttr("value_int", int64_t{-7})}), kI64, {}, {-7});
  ExpectTensor(RunOne("Constant", {}, {MakeAttr("value_ints", std::vector<int64_t>{4, 5})}), kI64,
               {2}, {4, 5});
  const Tensor s = RunOne("Constant", {}, {MakeAttr("value_string", "hi")});
  ASSERT_EQ(s.dtype(), DataType::kString);
  EXPECT_EQ(s.shape(), Shape{});
  EXPECT_EQ(s.strings()[0], "hi");
  const Tensor ss =
      RunOne("Constant", {}, {MakeAttr("value_strings", std::vector<std::string>{"a", "bc"})});
  ASSERT_EQ(ss.shape(), Shape{2});
  EXPECT_EQ(ss.strings()[1], "bc");
}

TEST(Constant, MissingOrDuplicateValueIsAnError) {
  EXPECT_EQ(RunStatus("Constant", {}, {}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(
      RunStatus("Constant", {}, {MakeAttr("value_int", int64_t{1}), MakeAttr("value_float", 1.0f)})
          .code(),
      StatusCode::kInvalidArgument);
}

TEST(ConstantOfShape, DefaultAndTypedValue) {
  ExpectTensor(RunOne("ConstantOfShape", {I64({2}, {2, 3})}), kF32, {2, 3}, {0, 0, 0, 0, 0, 0});
  ExpectTensor(RunOne("ConstantOfShape", {I64({1}, {3})},
                      {MakeAttr("value", Make(DataType::kInt32, {1}, {-4}))}),
               DataType::kInt32, {3}, {-4, -4, -4});
  ExpectTensor(RunOne("ConstantOfShape", {I64({0}, {})}, {MakeAttr("value", F32({1}, {2}))}), kF32,
               {}, {2});
  ExpectTensor(RunOne("ConstantOfShape", {I64({2}, {2, 0})}), kF32, {2, 0}, {});
  EXPECT_EQ(RunStatus("ConstantOfShape", {I64({1}, {-1})}).code(), StatusCode::kInvalidArgument);
}

TEST(EyeLike, DiagonalOffsetAndDtype) {
  const Tensor x = F32({3, 4}, std::vector<double>(12, 9));
  ExpectTensor(RunOne("EyeLike", {x}), kF32, {3, 4}, {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0});
  ExpectTensor(RunOne("EyeLike", {x}, {MakeAttr("k", 1), MakeAttr("dtype", int64_t{7})}), kI64,
               {3, 4}, {0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1});
  ExpectTensor(RunOne("EyeLike", {x}, {MakeAttr("k", -2)}), kF32, {3, 4},
               {0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0});
  EXPECT_EQ(RunStatus("EyeLike", {F32({3}, {1, 2, 3})}).code(), StatusCode::kInvalidArgument);
}

TEST(Range, IntAndFloat) {
  ExpectTensor(RunOne("Range", {I64({}, {10}), I64({}, {4}), I64({}, {-3})}), kI64, {2}, {10, 7});
  ExpectTensor(RunOne("Range", {F32({}, {1}), F32({}, {2}), F32({}, {0.25})}), kF32, {4},
               {1, 1.25, 1.5, 1.75});
  ExpectTensor(RunOne("Range", {Make(DataType::kInt32, {}, {0}), Make(DataType::kInt32, {}, {5}),
                                Make(DataType::kInt32, {}, {2})}),
               DataType::kInt32, {3}, {0, 2, 4});
  // Empty when the delta points away from the limit.
  ExpectTensor(RunOne("Range", {I64({}, {0}), I64({}, {5}), I64({}, {-1})}), kI64, {0}, {});
  EXPECT_EQ(RunStatus("Range", {I64({}, {0}), I64({}, {5}), I64({}, {0})}).code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shrink::testing
