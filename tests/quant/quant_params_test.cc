#include "quant/quant_params.h"

#include <gtest/gtest.h>

#include <algorithm>
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

// 7-bit weights: every product pair of a u8 activation and a code fits int16 (255 * 64 * 2).
TEST(QuantParamsTest, ReducedRangeWeightsFitSaturatingPairSums) {
  const QuantGrid sym = *GridFor(DataType::kInt8, true, true);
  EXPECT_EQ(sym.qmin, -64);
  EXPECT_EQ(sym.qmax, 64);
  EXPECT_FLOAT_EQ(ParamsFor({-0.5, 2}, sym).scale, 2.0f / 64);
  const QuantGrid asym = *GridFor(DataType::kInt8, false, true);
  EXPECT_EQ(asym.qmin, -64);
  EXPECT_EQ(asym.qmax, 63);
  EXPECT_EQ(GridFor(DataType::kUInt8, false, true)->qmax, 127);
  EXPECT_EQ(GridFor(DataType::kInt4, true, true)->qmax, 7);  // 4-bit codes: unchanged
  Tensor w = Tensor::FromVector<float>({2, 3}, {-1, 0.5f, 1, -100, 20, 100});
  for (bool symmetric : {true, false}) {
    auto q = QuantizeWeight(w, 0, DataType::kInt8, symmetric, true);
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    int lo = 0, hi = 0;
    for (int64_t i = 0; i < 6; ++i) {
      const int code = static_cast<int>(q->codes.GetAsDouble(i));
      lo = std::min(lo, code);
      hi = std::max(hi, code);
      EXPECT_LE(255 * 2 * std::abs(code), 32767) << "code " << code;  // kernels multiply codes
    }
    EXPECT_EQ(hi, symmetric ? 64 : 63);  // the range is used, on 7 bits
    EXPECT_EQ(lo, -64);
    const float s = q->scale.data<float>()[1];
    EXPECT_FLOAT_EQ(s, symmetric ? 100.0f / 64 : 200.0f / 127);
  }
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
