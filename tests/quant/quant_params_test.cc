#include "quant/quant_params.h"

#include <gtest/gtest.h>

#include <cmath>

namespace shrink::quant {
namespace {

TEST(QuantParamsTest, AsymmetricUint8) {
  const QuantGrid g = *GridFor(DataType::kUInt8, false);
  const QuantParams p = ParamsFor({-1, 3}, g);
  EXPECT_FLOAT_EQ(p.scale, 4.0f / 255);
  EXPECT_EQ(p.zero_point, 64);  // round(255 / 4)
  for (double x = -1; x <= 3; x += 0.01) EXPECT_LE(std::abs(FakeQuantize(x, p, g) - x), p.scale);
  EXPECT_NEAR(FakeQuantize(10, p, g), (255 - 64) * p.scale, 1e-6);  // saturates
  EXPECT_EQ(FakeQuantize(0, p, g), 0);                              // zero is exact
}

TEST(QuantParamsTest, SymmetricInt8AndDegenerateRange) {
  const QuantGrid g = *GridFor(DataType::kInt8, true);
  const QuantParams p = ParamsFor({-0.5, 2}, g);
  EXPECT_EQ(p.zero_point, 0);
  EXPECT_FLOAT_EQ(p.scale, 2.0f / 127);
  EXPECT_FLOAT_EQ(ParamsFor({0, 0}, g).scale, 1.0f);
  EXPECT_FALSE(GridFor(DataType::kInt16, false).ok());
}

TEST(QuantParamsTest, PerChannelWeightsUseEachChannelsRange) {
  // Channel 0 in [-1, 1], channel 1 in [-100, 100]: per-channel scales differ by 100x.
  Tensor w = Tensor::FromVector<float>({2, 3}, {-1, 0.5f, 1, -100, 20, 100});
  auto q = QuantizeWeight(w, 0, DataType::kInt8, true);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  ASSERT_EQ(q->scale.numel(), 2);
  EXPECT_FLOAT_EQ(q->scale.data<float>()[0], 1.0f / 127);
  EXPECT_FLOAT_EQ(q->scale.data<float>()[1], 100.0f / 127);
  EXPECT_EQ(q->zero_point.dtype(), DataType::kInt8);
  for (int64_t i = 0; i < 6; ++i) {
    const float s = q->scale.data<float>()[i / 3];
    EXPECT_LE(std::abs(q->codes.GetAsDouble(i) * s - w.data<float>()[i]), s / 2 + 1e-6);
  }
  auto per_tensor = QuantizeWeight(w, -1, DataType::kInt8, false);
  ASSERT_TRUE(per_tensor.ok());
  EXPECT_EQ(per_tensor->scale.rank(), 0);
  EXPECT_FALSE(QuantizeWeight(w, 2, DataType::kInt8, true).ok());
}

TEST(QuantParamsTest, BiasIsInt32WithProductScale) {
  Tensor b = Tensor::FromVector<float>({2}, {0.3f, -1.2f});
  Tensor ws = Tensor::FromVector<float>({2}, {0.01f, 0.02f});
  auto q = QuantizeBias(b, 0.5f, ws);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->codes.dtype(), DataType::kInt32);
  EXPECT_FLOAT_EQ(q->scale.data<float>()[1], 0.01f);
  EXPECT_EQ(q->codes.data<int32_t>()[0], 60);    // 0.3 / 0.005
  EXPECT_EQ(q->codes.data<int32_t>()[1], -120);  // -1.2 / 0.01
  EXPECT_FALSE(q->zero_point.defined());
}

}  // namespace
}  // namespace shrink::quant
