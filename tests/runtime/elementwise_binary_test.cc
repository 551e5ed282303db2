// Binary arithmetic (Add Sub Mul Div Pow Mod BitShift) and variadic (Min Max Sum Mean) kernels.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "runtime/kernel_test_helpers.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

TEST(ElementwiseBinary, AddBroadcastsRowOverMatrix) {
  const Tensor y = RunOne("Add", {F32({2, 3}, {1, 2, 3, 4, 5, 6}), F32({3}, {10, 20, 30})});
  ExpectTensor(y, kF32, {2, 3}, {11, 22, 33, 14, 25, 36});
}

TEST(ElementwiseBinary, SubMulDivBroadcastBothWays) {
  const Tensor col = F32({2, 1}, {1, 2});
  const Tensor row = F32({1, 3}, {4, 5, 8});
  ExpectTensor(RunOne("Sub", {col, row}), kF32, {2, 3}, {-3, -4, -7, -2, -3, -6});
  ExpectTensor(RunOne("Mul", {col, row}), kF32, {2, 3}, {4, 5, 8, 8, 10, 16});
  ExpectTensor(RunOne("Div", {col, row}), kF32, {2, 3}, {0.25, 0.2, 0.125, 0.5, 0.4, 0.25});
}

TEST(ElementwiseBinary, ScalarAndFloat64) {
  const Tensor y =
      RunOne("Mul", {Make(DataType::kFloat64, {}, {0.1}), Make(DataType::kFloat64, {2}, {3, 7})});
  ExpectTensor(y, DataType::kFloat64, {2}, {0.1 * 3, 0.1 * 7}, 1e-15);
}

TEST(ElementwiseBinary, IncompatibleShapesFail) {
  const Status s = RunStatus("Add", {F32({2, 3}, {1, 2, 3, 4, 5, 6}), F32({2}, {1, 2})});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
}

TEST(ElementwiseBinary, MixedDtypesFail) {
  const Status s = RunStatus("Add", {F32({1}, {1}), Make(kI32, {1}, {1})});
  EXPECT_FALSE(s.ok());
}

TEST(ElementwiseBinary, IntegerArithmeticWraps) {
  const Tensor a = Tensor::FromVector<int32_t>({2}, {std::numeric_limits<int32_t>::max(), -5});
  const Tensor b = Tensor::FromVector<int32_t>({2}, {1, 3});
  const Tensor sum = RunOne("Add", {a, b});
  ASSERT_EQ(sum.dtype(), kI32);
  EXPECT_EQ(sum.data<int32_t>()[0], std::numeric_limits<int32_t>::min());
  EXPECT_EQ(sum.data<int32_t>()[1], -2);
  const Tensor u =
      RunOne("Sub", {Tensor::FromVector<uint8_t>({1}, {3}), Tensor::FromVector<uint8_t>({1}, {5})});
  EXPECT_EQ(u.data<uint8_t>()[0], 254);
}

TEST(ElementwiseBinary, IntegerDivTruncatesAndRejectsZero) {
  const Tensor y =
      RunOne("Div", {Make(kI32, {4}, {7, -7, 7, -8}), Make(kI32, {4}, {2, 2, -2, -1})});
  ExpectTensor(y, kI32, {4}, {3, -3, -3, 8});
  const Status s = RunStatus("Div", {Make(kI32, {1}, {1}), Make(kI32, {1}, {0})});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
}

TEST(ElementwiseBinary, Float16ComputesAndReturnsFloat16) {
  const Tensor a = Make(DataType::kFloat16, {3}, {1.5, -2.0, 2048});
  const Tensor b = Make(DataType::kFloat16, {3}, {2.25, 0.5, 1});
  // 2049 is not representable in float16 (spacing 2 from 2048 on): it rounds to even, 2048.
  ExpectTensor(RunOne("Add", {a, b}), DataType::kFloat16, {3}, {3.75, -1.5, 2048});
}

TEST(ElementwiseBinary, LegacyBroadcastWithAxis) {
  // Opset 6: B (shape [3]) aligned with A's axis 1, not with its trailing dim (4).
  std::vector<double> av(24);
  for (int i = 0; i < 24; ++i) av[static_cast<size_t>(i)] = i;
  const Tensor a = F32({2, 3, 4}, av);
  const Tensor b = F32({3}, {100, 200, 300});
  const Tensor y =
      RunOne("Add", {a, b}, {MakeAttr("broadcast", int64_t{1}), MakeAttr("axis", int64_t{1})}, 6);
  std::vector<double> expected(24);
  for (int i = 0; i < 24; ++i) expected[static_cast<size_t>(i)] = i + 100.0 * ((i / 4) % 3 + 1);
  ExpectTensor(y, kF32, {2, 3, 4}, expected);
  // The same shapes are not numpy-broadcastable, so opset 7 rejects them.
  EXPECT_EQ(RunStatus("Add", {a, b}, {}, 7).code(), StatusCode::kInvalidArgument);
}

TEST(ElementwiseBinary, LegacyBroadcastOffRequiresEqualShapes) {
  const Status s = RunStatus("Mul", {F32({2, 2}, {1, 2, 3, 4}), F32({2}, {1, 2})}, {}, 6);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  // Trailing alignment when axis is absent.
  const Tensor y = RunOne("Mul", {F32({2, 2}, {1, 2, 3, 4}), F32({2}, {10, 100})},
                          {MakeAttr("broadcast", int64_t{1})}, 6);
  ExpectTensor(y, kF32, {2, 2}, {10, 200, 30, 400});
}

TEST(ElementwiseBinary, PowFloatMatchesStdPow) {
  const Tensor y = RunOne("Pow", {F32({3}, {2, 9, 1.5}), F32({1}, {0.5})});
  ExpectTensor(y, kF32, {3}, {std::pow(2.0, 0.5), 3, std::pow(1.5, 0.5)});
}

TEST(ElementwiseBinary, PowIntegerAndMixedTypes) {
  const Tensor ints =
      RunOne("Pow", {Make(kI32, {4}, {2, 3, 2, -1}), Make(kI32, {4}, {10, 0, -1, -3})});
  ExpectTensor(ints, kI32, {4}, {1024, 1, 0, -1});
  // Base dtype decides the output dtype (opset 12+ allows a different exponent dtype).
  const Tensor int_base =
      RunOne("Pow", {Make(DataType::kInt64, {3}, {1, 2, 3}), F32({3}, {4, 5, 6})});
  ExpectTensor(int_base, DataType::kInt64, {3}, {1, 32, 729});
  const Tensor float_base =
      RunOne("Pow", {F32({2}, {1.5, 4}), Make(DataType::kInt64, {2}, {2, -1})});
  ExpectTensor(float_base, kF32, {2}, {2.25, 0.25});
}

TEST(ElementwiseBinary, ModSignConventions) {
  const Tensor a = Make(kI32, {4}, {-7, 7, -7, 7});
  const Tensor b = Make(kI32, {4}, {3, -3, -3, 3});
  // fmod=0: result takes the divisor's sign (Python %).
  ExpectTensor(RunOne("Mod", {a, b}), kI32, {4}, {2, -2, -1, 1});
  // fmod=1: result takes the dividend's sign (C fmod).
  ExpectTensor(RunOne("Mod", {a, b}, {MakeAttr("fmod", int64_t{1})}), kI32, {4}, {-1, 1, -1, 1});
  const Tensor fa = F32({2}, {-4.5, 5.25});
  const Tensor fb = F32({2}, {2, -2});
  ExpectTensor(RunOne("Mod", {fa, fb}, {MakeAttr("fmod", int64_t{1})}), kF32, {2},
               {std::fmod(-4.5, 2.0), std::fmod(5.25, -2.0)});
  // Floating point requires fmod=1.
  EXPECT_EQ(RunStatus("Mod", {fa, fb}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RunStatus("Mod", {a, Make(kI32, {1}, {0})}).code(), StatusCode::kInvalidArgument);
}

TEST(ElementwiseBinary, BitShift) {
  const Tensor x = Tensor::FromVector<uint8_t>({3}, {1, 255, 16});
  const Tensor s = Tensor::FromVector<uint8_t>({3}, {3, 1, 9});
  const Tensor left = RunOne("BitShift", {x, s}, {MakeAttr("direction", "LEFT")});
  ExpectTensor(left, DataType::kUInt8, {3}, {8, 254, 0});
  const Tensor right = RunOne("BitShift", {x, s}, {MakeAttr("direction", "RIGHT")});
  ExpectTensor(right, DataType::kUInt8, {3}, {0, 127, 0});
  EXPECT_EQ(RunStatus("BitShift", {x, s}, {MakeAttr("direction", "UP")}).code(),
            StatusCode::kInvalidArgument);
  const Tensor i = Make(kI32, {1}, {1});
  EXPECT_EQ(RunStatus("BitShift", {i, i}, {MakeAttr("direction", "LEFT")}).code(),
            StatusCode::kUnimplemented);
}

TEST(ElementwiseVariadic, MaxMinBroadcastAndNaN) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Tensor a = F32({2, 2}, {1, 5, nan, -1});
  const Tensor b = F32({2}, {3, 2});
  const Tensor c = F32({}, {0});
  ExpectTensor(RunOne("Max", {a, b, c}), kF32, {2, 2}, {3, 5, nan, 2});
  ExpectTensor(RunOne("Min", {a, b, c}), kF32, {2, 2}, {0, 0, nan, -1});
  ExpectTensor(
      RunOne("Max", {Make(DataType::kInt8, {2}, {-128, 7}), Make(DataType::kInt8, {2}, {-3, 9})}),
      DataType::kInt8, {2}, {-3, 9});
}

TEST(ElementwiseVariadic, SumMeanAndSingleInput) {
  const Tensor a = F32({3}, {1, 2, 3});
  const Tensor b = F32({3}, {4, 5, 6});
  const Tensor c = F32({1}, {0.5});
  ExpectTensor(RunOne("Sum", {a, b, c}), kF32, {3}, {5.5, 7.5, 9.5});
  ExpectTensor(RunOne("Mean", {a, b, c}), kF32, {3}, {5.5 / 3, 7.5 / 3, 9.5 / 3});
  ExpectTensor(RunOne("Sum", {a}), kF32, {3}, {1, 2, 3});
  EXPECT_EQ(RunStatus("Mean", {Make(kI32, {1}, {1}), Make(kI32, {1}, {2})}).code(),
            StatusCode::kUnimplemented);
}

TEST(ElementwiseVariadic, EqualShapesRequiredBeforeOpset8) {
  const Tensor a = F32({2}, {1, 2});
  const Tensor b = F32({1}, {3});
  EXPECT_EQ(RunStatus("Max", {a, b}, {}, 6).code(), StatusCode::kInvalidArgument);
  ExpectTensor(RunOne("Max", {a, b}, {}, 8), kF32, {2}, {3, 3});
}

}  // namespace
}  // namespace shrink::testing
