// QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear vs hand-computed values.
#include <gtest/gtest.h>

#include "runtime/kernel_test_helpers.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

TEST(QuantizeLinearTest, Uint8SaturationAndRounding) {
  // ONNX example: x / 2 + 128 with 3 / 2 = 1.5 rounding to 2.
  const Tensor y = RunOne("QuantizeLinear",
                          {F32({6}, {0, 2, 3, 1000, -254, -1000}), Tensor::Scalar<float>(2.0f),
                           Tensor::Scalar<uint8_t>(128)},
                          {}, 10);
  ASSERT_EQ(y.dtype(), DataType::kUInt8);
  EXPECT_EQ(Values(y), (std::vector<double>{128, 129, 130, 255, 1, 0}));
  // Ties go to even; int8 saturates at -128 / 127.
  const Tensor z = RunOne("QuantizeLinear",
                          {F32({8}, {0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 300, -300}),
                           Tensor::Scalar<float>(1.0f), Tensor::Scalar<int8_t>(0)},
                          {}, 13);
  ASSERT_EQ(z.dtype(), DataType::kInt8);
  EXPECT_EQ(Values(z), (std::vector<double>{0, 2, 2, 0, -2, -2, 127, -128}));
  // No zero point: uint8 with zero point 0.
  const Tensor u =
      RunOne("QuantizeLinear", {F32({3}, {-3, 0.26, 51}), Tensor::Scalar<float>(0.2f)});
  ASSERT_EQ(u.dtype(), DataType::kUInt8);
  EXPECT_EQ(Values(u), (std::vector<double>{0, 1, 255}));
}

TEST(QuantizeLinearTest, PerAxis) {
  // x [1, 3, 2], axis 1: scales 1, 2, 4; zero points 0, 10, -5.
  const Tensor y = RunOne("QuantizeLinear",
                          {F32({1, 3, 2}, {1, -1, 4, 5, 8, -8}), F32({3}, {1, 2, 4}),
                           Tensor::FromVector<int8_t>({3}, {0, 10, -5})},
                          {}, 13);
  EXPECT_EQ(Values(y), (std::vector<double>{1, -1, 12, 12, -3, -7}));
  // axis 0 on a [2, 2] input.
  const Tensor y0 = RunOne(
      "QuantizeLinear",
      {F32({2, 2}, {1, 2, 3, 4}), F32({2}, {1, 0.5}), Tensor::FromVector<uint8_t>({2}, {1, 2})},
      {MakeAttr("axis", 0)}, 13);
  EXPECT_EQ(Values(y0), (std::vector<double>{2, 3, 8, 10}));
}

TEST(QuantizeLinearTest, Int4Int16BlockedAndOutputDtype) {
  // int4: saturates to [-8, 7], packed low nibble first.
  const Tensor q4 =
      RunOne("QuantizeLinear",
             {F32({3}, {1, -2, 100}), Tensor::Scalar<float>(1.0f), Make(DataType::kInt4, {}, {0})},
             {}, 21);
  ASSERT_EQ(q4.dtype(), DataType::kInt4);
  EXPECT_EQ(Values(q4), (std::vector<double>{1, -2, 7}));
  const auto* bytes = static_cast<const uint8_t*>(q4.raw());
  EXPECT_EQ(bytes[0], 0xE1);
  EXPECT_EQ(bytes[1] & 0x0F, 0x07);
  const Tensor u4 = RunOne(
      "QuantizeLinear",
      {F32({2}, {-1, 40}), Tensor::Scalar<float>(2.0f), Make(DataType::kUInt4, {}, {3})}, {}, 21);
  EXPECT_EQ(Values(u4), (std::vector<double>{3, 15}));  // -0.5 -> -0 + 3
  const Tensor q16 = RunOne(
      "QuantizeLinear",
      {F32({2}, {70000, -3}), Tensor::Scalar<float>(1.0f), Tensor::Scalar<int16_t>(0)}, {}, 21);
  EXPECT_EQ(Values(q16), (std::vector<double>{32767, -3}));
  // Blocks of 2 along axis 1 of [2, 4]: scale [2, 2].
  const Tensor qb = RunOne("QuantizeLinear",
                           {F32({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8}), F32({2, 2}, {1, 2, 0.5, 4}),
                            Tensor::FromVector<int8_t>({2, 2}, {0, 1, 2, 3})},
                           {MakeAttr("axis", 1), MakeAttr("block_size", 2)}, 21);
  EXPECT_EQ(Values(qb), (std::vector<double>{1, 2, 3, 3, 12, 14, 5, 5}));
  // output_dtype without a zero point.
  const Tensor qo = RunOne("QuantizeLinear", {F32({2}, {-5, 5}), Tensor::Scalar<float>(1.0f)},
                           {MakeAttr("output_dtype", int64_t{3})}, 21);
  ASSERT_EQ(qo.dtype(), DataType::kInt8);
  EXPECT_EQ(Values(qo), (std::vector<double>{-5, 5}));
}

TEST(QuantizeLinearTest, Errors) {
  auto r = RunOp("QuantizeLinear",
                 {F32({2, 3}, std::vector<double>(6, 1.0)), F32({2}, {1, 1}),
                  Tensor::FromVector<uint8_t>({2}, {0, 0})},
                 {}, 1, 13);
  ASSERT_FALSE(r.ok());  // per-axis scale length 2 vs axis-1 size 3
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  r = RunOp("QuantizeLinear", {F32({2}, {1, 2}), F32({2}, {1, 1})}, {MakeAttr("axis", 0)}, 1, 10);
  EXPECT_FALSE(r.ok());  // per-axis needs opset 13
  r = RunOp("QuantizeLinear", {F32({2}, {1, 2}), Tensor::Scalar<float>(1.0f)},
            {MakeAttr("output_dtype", int64_t{17})}, 1, 21);  // float8e4m3fn
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented);
}

TEST(DequantizeLinearTest, PerTensorPerAxisAndBlocked) {
  const Tensor y = RunOne("DequantizeLinear",
                          {Tensor::FromVector<uint8_t>({4}, {0, 3, 128, 255}),
                           Tensor::Scalar<float>(2.0f), Tensor::Scalar<uint8_t>(128)},
                          {}, 10);
  ASSERT_EQ(y.dtype(), DataType::kFloat32);
  ExpectNear(y, {4}, {-256, -250, 0, 254});
  const Tensor ya = RunOne("DequantizeLinear",
                           {Tensor::FromVector<int8_t>({2, 2}, {1, -1, 4, 8}), F32({2}, {0.5, 2}),
                            Tensor::FromVector<int8_t>({2}, {1, 0})},
                           {MakeAttr("axis", 0)}, 13);
  ExpectNear(ya, {2, 2}, {0, -1, 8, 16});
  const Tensor y32 =
      RunOne("DequantizeLinear",
             {Tensor::FromVector<int32_t>({2}, {-7, 1000}), Tensor::Scalar<float>(0.5f)}, {}, 13);
  ExpectNear(y32, {2}, {-3.5, 500});
  const Tensor y4 = RunOne("DequantizeLinear",
                           {Make(DataType::kInt4, {3}, {-8, 7, 2}), Tensor::Scalar<float>(0.5f),
                            Make(DataType::kInt4, {}, {1})},
                           {}, 21);
  ExpectNear(y4, {3}, {-4.5, 3, 0.5});
  const Tensor yb = RunOne("DequantizeLinear",
                           {Tensor::FromVector<int16_t>({1, 5}, {1, 2, 3, 4, 5}),
                            F32({1, 3}, {1, 2, 3}), Tensor::FromVector<int16_t>({1, 3}, {0, 1, 2})},
                           {MakeAttr("axis", 1), MakeAttr("block_size", 2)}, 21);
  ExpectNear(yb, {1, 5}, {1, 2, 4, 6, 9});
}

TEST(DequantizeLinearTest, Float16ScaleGivesFloat16Output) {
  Tensor scale(DataType::kFloat16, {});
  scale.SetFromDouble(0, 0.25);
  const Tensor y =
      RunOne("DequantizeLinear", {Tensor::FromVector<int8_t>({2}, {4, -8}), scale}, {}, 19);
  ASSERT_EQ(y.dtype(), DataType::kFloat16);
  EXPECT_EQ(Values(y), (std::vector<double>{1.0, -2.0}));
}

TEST(DequantizeLinearTest, Errors) {
  auto r = RunOp("DequantizeLinear", {Tensor::FromVector<int8_t>({2}, {1, 2}),
                                      Tensor::Scalar<float>(1.0f), Tensor::Scalar<uint8_t>(0)});
  ASSERT_FALSE(r.ok());  // zero point dtype differs
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  r = RunOp("DequantizeLinear", {F32({2}, {1, 2}), Tensor::Scalar<float>(1.0f)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented);
}

TEST(DynamicQuantizeLinearTest, OnnxExamples) {
  auto r = RunOp("DynamicQuantizeLinear", {F32({6}, {0, 2, -3, -2.5, 1.34, 0.5})}, {}, 3, 11);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values((*r)[0]), (std::vector<double>{153, 255, 0, 26, 221, 179}));
  EXPECT_NEAR((*r)[1].GetAsDouble(0), 5.0 / 255.0, 1e-7);
  EXPECT_EQ((*r)[2].GetAsDouble(0), 153);
  // All positive: the range is extended to 0, so the zero point is 0.
  r = RunOp("DynamicQuantizeLinear", {F32({4}, {1, 2.1, 3.34, 4})}, {}, 3, 11);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values((*r)[0]), (std::vector<double>{64, 134, 213, 255}));
  EXPECT_EQ((*r)[2].GetAsDouble(0), 0);
  r = RunOp("DynamicQuantizeLinear", {Make(DataType::kFloat64, {1}, {1.0})}, {}, 3, 11);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace shrink::testing
