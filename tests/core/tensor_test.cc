#include "core/tensor.h"

#include <gtest/gtest.h>

#include "core/half.h"

namespace shrink {
namespace {

TEST(Tensor, CreatesZeroFilledWithShape) {
  Tensor t(DataType::kFloat32, {2, 3});
  EXPECT_EQ(t.numel(), 6);
  EXPECT_EQ(t.nbytes(), 24u);
  for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(t.data<float>()[i], 0.0f);
}

TEST(Tensor, TypedAccessChecksType) {
  Tensor t(DataType::kInt8, {4});
  EXPECT_THROW(t.data<float>(), Error);
}

TEST(Tensor, MemoryLimitIsEnforced) {
  const size_t old = TensorMemoryLimit();
  SetTensorMemoryLimit(1000);
  auto t = Tensor::Create(DataType::kFloat32, {1000});
  SetTensorMemoryLimit(old);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kResourceExhausted);
}

TEST(Tensor, HugeShapeOverflowIsRejected) {
  auto t = Tensor::Create(DataType::kFloat32, {int64_t{1} << 40, int64_t{1} << 40});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
}

TEST(Tensor, NegativeDimIsRejected) {
  EXPECT_FALSE(Tensor::Create(DataType::kFloat32, {2, -1}).ok());
}

TEST(Tensor, Int4PacksTwoPerByteLowNibbleFirst) {
  Tensor t(DataType::kInt4, {3});
  EXPECT_EQ(t.nbytes(), 2u);
  t.SetFromDouble(0, -3);
  t.SetFromDouble(1, 7);
  t.SetFromDouble(2, -8);
  const auto* b = static_cast<const uint8_t*>(t.raw());
  EXPECT_EQ(b[0], 0x7d);  // low nibble -3 (0xd), high nibble 7
  EXPECT_EQ(b[1] & 0x0f, 0x8);
  EXPECT_EQ(t.GetAsDouble(0), -3);
  EXPECT_EQ(t.GetAsDouble(1), 7);
  EXPECT_EQ(t.GetAsDouble(2), -8);
  t.SetFromDouble(1, 100);  // saturates
  EXPECT_EQ(t.GetAsDouble(1), 7);
}

TEST(Tensor, ReshapeSharesBufferAndChecksCount) {
  Tensor t = Tensor::FromVector<float>({2, 2}, {1, 2, 3, 4});
  Tensor r = t.Reshaped({4});
  r.data<float>()[0] = 9;
  EXPECT_EQ(t.data<float>()[0], 9);
  EXPECT_THROW(t.Reshaped({3}), Error);
  Tensor c = t.Clone();
  c.data<float>()[1] = 7;
  EXPECT_EQ(t.data<float>()[1], 2);
  EXPECT_FALSE(c.BitwiseEqual(t));
}

TEST(Half, RoundTripsAndRoundsToNearestEven) {
  EXPECT_EQ(HalfToFloat(FloatToHalf(1.0f)), 1.0f);
  EXPECT_EQ(HalfToFloat(FloatToHalf(-2.5f)), -2.5f);
  EXPECT_EQ(FloatToHalf(65504.0f), 0x7bff);
  EXPECT_EQ(FloatToHalf(1e6f), 0x7c00);                    // overflow to +inf
  EXPECT_EQ(HalfToFloat(0x0001), 5.960464477539063e-08f);  // smallest subnormal
  EXPECT_EQ(FloatToHalf(5.960464477539063e-08f), 0x0001);
  // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even (1.0).
  EXPECT_EQ(FloatToHalf(1.0f + 1.0f / 2048), 0x3c00);
  EXPECT_EQ(BFloat16ToFloat(FloatToBFloat16(3.0f)), 3.0f);
  EXPECT_EQ(FloatToBFloat16(1.0f), 0x3f80);
}

TEST(DataType, NamesAndSizes) {
  EXPECT_EQ(ParseDataType("FLOAT"), DataType::kFloat32);
  EXPECT_EQ(ParseDataType("int4"), DataType::kInt4);
  EXPECT_FALSE(ParseDataType("complex").has_value());
  EXPECT_EQ(StorageBytes(DataType::kUInt4, 5), 3u);
  EXPECT_EQ(StorageBytes(DataType::kInt64, 2), 16u);
  EXPECT_TRUE(IsKnownDataType(16));
  EXPECT_FALSE(IsKnownDataType(14));
}

TEST(Status, ExpectedCarriesValueOrError) {
  Expected<int> ok = 3;
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 3);
  Expected<int> bad = NotFound("x missing");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().ToString(), "not found: x missing");
  EXPECT_EQ(bad.status().WithContext("f").message(), "f: x missing");
}

}  // namespace
}  // namespace shrink
