// MatMulInteger, ConvInteger, QLinearMatMul and QLinearConv vs hand values and naive integer
// loops written here (scales are powers of two so the requantization is exact in double).
#include <gtest/gtest.h>

#include <cmath>

#include "runtime/kernel_test_helpers.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

std::vector<double> RandomInts(int64_t n, uint32_t seed, int lo, int hi) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> dist(lo, hi);
  std::vector<double> v(static_cast<size_t>(n));
  for (double& x : v) x = dist(rng);
  return v;
}

TEST(MatMulIntegerTest, OnnxExampleAndPerColumnZeroPoint) {
  const Tensor a = Make(DataType::kUInt8, {4, 3}, {11, 7, 3, 10, 6, 2, 9, 5, 1, 8, 4, 0});
  const Tensor b = Make(DataType::kUInt8, {3, 2}, {1, 4, 2, 5, 3, 6});
  const Tensor y = RunOne("MatMulInteger",
                          {a, b, Tensor::Scalar<uint8_t>(12), Tensor::Scalar<uint8_t>(0)}, {}, 10);
  ASSERT_EQ(y.dtype(), DataType::kInt32);
  EXPECT_EQ(Values(y), (std::vector<double>{-38, -83, -44, -98, -50, -113, -56, -128}));
  // b zero point per column (1, 4): columns become (0, 1, 2) and (0, 1, 2).
  const Tensor yc =
      RunOne("MatMulInteger", {a, b, Tensor(), Tensor::FromVector<uint8_t>({2}, {1, 4})}, {}, 10);
  EXPECT_EQ(Values(yc), (std::vector<double>{13, 13, 10, 10, 7, 7, 4, 4}));
  // int8 x int8, batched.
  const Tensor ai = Make(DataType::kInt8, {2, 1, 2}, {-128, 127, 3, -4});
  const Tensor bi = Make(DataType::kInt8, {2, 1}, {-128, 2});
  EXPECT_EQ(Values(RunOne("MatMulInteger", {ai, bi}, {}, 10)),
            (std::vector<double>{128 * 128 + 254, -384 - 8}));
}

TEST(QLinearMatMulTest, OnnxExample) {
  const Tensor y = RunOne(
      "QLinearMatMul",
      {Make(DataType::kUInt8, {2, 4}, {208, 236, 0, 238, 3, 214, 255, 29}),
       Tensor::Scalar<float>(0.0066f), Tensor::Scalar<uint8_t>(113),
       Make(DataType::kUInt8, {4, 3}, {152, 51, 244, 60, 26, 255, 0, 127, 246, 127, 254, 247}),
       Tensor::Scalar<float>(0.00705f), Tensor::Scalar<uint8_t>(114),
       Tensor::Scalar<float>(0.0107f), Tensor::Scalar<uint8_t>(118)},
      {}, 10);
  ASSERT_EQ(y.dtype(), DataType::kUInt8);
  EXPECT_EQ(Values(y), (std::vector<double>{168, 115, 255, 1, 66, 151}));
}

TEST(QLinearMatMulTest, Int8PerColumnScaleVsNaive) {
  const int64_t m = 3, k = 5, n = 4;
  const auto a = RandomInts(m * k, 1, -128, 127), b = RandomInts(k * n, 2, -128, 127);
  const std::vector<double> b_scale = {0.25, 0.5, 0.125, 1.0};
  const Tensor y = RunOne("QLinearMatMul",
                          {Make(DataType::kInt8, {m, k}, a), Tensor::Scalar<float>(0.5f),
                           Tensor::Scalar<int8_t>(3), Make(DataType::kInt8, {k, n}, b),
                           F32({n}, b_scale), Tensor::FromVector<int8_t>({n}, {0, -1, 2, 0}),
                           Tensor::Scalar<float>(64.0f), Tensor::Scalar<int8_t>(-10)},
                          {}, 21);
  const std::vector<int> bzp = {0, -1, 2, 0};
  std::vector<double> expected;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0;
      for (int64_t p = 0; p < k; ++p) acc += (a[i * k + p] - 3) * (b[p * n + j] - bzp[j]);
      const double q = std::nearbyint(acc * 0.5 * b_scale[j] / 64.0) - 10;
      expected.push_back(std::min(127.0, std::max(-128.0, q)));
    }
  EXPECT_EQ(Values(y), expected);
}

// Naive 2-D integer conv; padding reads the zero point (i.e. contributes 0 after subtraction).
std::vector<double> NaiveIntConv(const std::vector<double>& x, int64_t c, int64_t h, int64_t w,
                                 double xzp, const std::vector<double>& wt, int64_t m, int64_t k,
                                 const std::vector<double>& wzp, int64_t pad, int64_t stride,
                                 int64_t group, int64_t* oh, int64_t* ow) {
  *oh = (h + 2 * pad - k) / stride + 1;
  *ow = (w + 2 * pad - k) / stride + 1;
  const int64_t cg = c / group, mg = m / group;
  std::vector<double> y;
  for (int64_t oc = 0; oc < m; ++oc)
    for (int64_t i = 0; i < *oh; ++i)
      for (int64_t j = 0; j < *ow; ++j) {
        double acc = 0;
        for (int64_t ic = 0; ic < cg; ++ic)
          for (int64_t a = 0; a < k; ++a)
            for (int64_t b = 0; b < k; ++b) {
              const int64_t r = i * stride - pad + a, q = j * stride - pad + b;
              const int64_t xc = (oc / mg) * cg + ic;
              const double xv =
                  (r < 0 || r >= h || q < 0 || q >= w) ? xzp : x[(xc * h + r) * w + q];
              acc += (xv - xzp) * (wt[((oc * cg + ic) * k + a) * k + b] - wzp[oc]);
            }
        y.push_back(acc);
      }
  return y;
}

TEST(ConvIntegerTest, PaddingReadsZeroPointAndPerChannelWeightZeroPoint) {
  const auto x = RandomInts(2 * 5 * 5, 3, 0, 255), w = RandomInts(4 * 1 * 3 * 3, 4, 0, 255);
  const std::vector<double> wzp = {100, 120, 140, 160};
  int64_t oh, ow;
  const auto expected = NaiveIntConv(x, 2, 5, 5, 7, w, 4, 3, wzp, 1, 2, 2, &oh, &ow);
  const Tensor y = RunOne(
      "ConvInteger",
      {Make(DataType::kUInt8, {1, 2, 5, 5}, x), Make(DataType::kUInt8, {4, 1, 3, 3}, w),
       Tensor::Scalar<uint8_t>(7), Make(DataType::kUInt8, {4}, wzp)},
      {MakeAttr("pads", Shape{1, 1, 1, 1}), MakeAttr("strides", Shape{2, 2}), MakeAttr("group", 2)},
      10);
  ASSERT_EQ(y.dtype(), DataType::kInt32);
  ASSERT_EQ(y.shape(), (Shape{1, 4, oh, ow}));
  EXPECT_EQ(Values(y), expected);
}

TEST(QLinearConvTest, PerChannelScaleBiasVsNaive) {
  const auto x = RandomInts(3 * 4 * 4, 5, 0, 255), w = RandomInts(2 * 3 * 3 * 3, 6, -127, 127);
  int64_t oh, ow;
  const auto acc = NaiveIntConv(x, 3, 4, 4, 128, w, 2, 3, {0, 0}, 1, 1, 1, &oh, &ow);
  const std::vector<double> w_scale = {0.5, 0.25}, bias = {1000, -3000};
  std::vector<double> expected;
  for (int64_t oc = 0; oc < 2; ++oc)
    for (int64_t p = 0; p < oh * ow; ++p) {
      const double v = (acc[oc * oh * ow + p] + bias[oc]) * 0.125 * w_scale[oc] / 16.0;
      expected.push_back(std::min(255.0, std::max(0.0, std::nearbyint(v) + 100)));
    }
  const Tensor y = RunOne(
      "QLinearConv",
      {Make(DataType::kUInt8, {1, 3, 4, 4}, x), Tensor::Scalar<float>(0.125f),
       Tensor::Scalar<uint8_t>(128), Make(DataType::kInt8, {2, 3, 3, 3}, w), F32({2}, w_scale),
       Tensor::FromVector<int8_t>({2}, {0, 0}), Tensor::Scalar<float>(16.0f),
       Tensor::Scalar<uint8_t>(100), Tensor::FromVector<int32_t>({2}, {1000, -3000})},
      {MakeAttr("pads", Shape{1, 1, 1, 1})}, 10);
  ASSERT_EQ(y.dtype(), DataType::kUInt8);
  ASSERT_EQ(y.shape(), (Shape{1, 2, oh, ow}));
  EXPECT_EQ(Values(y), expected);
}

TEST(QLinearTest, Errors) {
  // Channel mismatch in ConvInteger.
  auto r = RunOp("ConvInteger",
                 {Tensor(DataType::kUInt8, {1, 3, 4, 4}), Tensor(DataType::kUInt8, {2, 2, 3, 3})},
                 {}, 1, 10);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  // Per-row a_zero_point of the wrong length.
  r = RunOp("MatMulInteger",
            {Tensor(DataType::kUInt8, {2, 3}), Tensor(DataType::kUInt8, {3, 2}),
             Tensor::FromVector<uint8_t>({3}, {1, 2, 3})},
            {}, 1, 10);
  EXPECT_FALSE(r.ok());
  // Float inputs to MatMulInteger.
  r = RunOp("MatMulInteger", {F32({1, 1}, {1}), F32({1, 1}, {1})}, {}, 1, 10);
  EXPECT_FALSE(r.ok());
  // QLinearMatMul with a non-scalar y_scale.
  r = RunOp(
      "QLinearMatMul",
      {Tensor(DataType::kUInt8, {1, 1}), Tensor::Scalar<float>(1.0f), Tensor::Scalar<uint8_t>(0),
       Tensor(DataType::kUInt8, {1, 1}), Tensor::Scalar<float>(1.0f), Tensor::Scalar<uint8_t>(0),
       F32({2}, {1, 1}), Tensor::Scalar<uint8_t>(0)},
      {}, 1, 10);
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace shrink::testing
