// Pooling reference kernels vs hand values and a naive 2-D pool written here.
#include <gtest/gtest.h>

#include <limits>

#include "runtime/kernel_test_helpers.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

struct Pool2d {
  int64_t kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
  bool ceil = false;
};

int64_t OutDim(int64_t in, int64_t k, int64_t s, int64_t d, int64_t p0, int64_t p1, bool ceil) {
  const int64_t span = in + p0 + p1 - ((k - 1) * d + 1);
  int64_t out = (ceil ? (span + s - 1) / s : span / s) + 1;
  if (ceil && (out - 1) * s >= in + p0) --out;
  return out;
}

// Naive 2-D max / average pool over [planes, h, w]; mode 'm' max, 'a' average (exclude pad),
// 'i' average including pad positions (inside the padded extent).
std::vector<double> NaivePool(const std::vector<double>& x, int64_t planes, int64_t h, int64_t w,
                              const Pool2d& p, char mode, int64_t* oh, int64_t* ow) {
  *oh = OutDim(h, p.kh, p.sh, p.dh, p.pt, p.pb, p.ceil);
  *ow = OutDim(w, p.kw, p.sw, p.dw, p.pl, p.pr, p.ceil);
  std::vector<double> y;
  for (int64_t c = 0; c < planes; ++c)
    for (int64_t i = 0; i < *oh; ++i)
      for (int64_t j = 0; j < *ow; ++j) {
        double best = -std::numeric_limits<double>::infinity(), sum = 0;
        int64_t count = 0, padded = 0;
        for (int64_t a = 0; a < p.kh; ++a)
          for (int64_t b = 0; b < p.kw; ++b) {
            const int64_t r = i * p.sh - p.pt + a * p.dh, q = j * p.sw - p.pl + b * p.dw;
            if (r >= -p.pt && r < h + p.pb && q >= -p.pl && q < w + p.pr) ++padded;
            if (r < 0 || r >= h || q < 0 || q >= w) continue;
            const double v = x[(c * h + r) * w + q];
            best = std::max(best, v);
            sum += v;
            ++count;
          }
        y.push_back(mode == 'm' ? best : sum / static_cast<double>(mode == 'i' ? padded : count));
      }
  return y;
}

std::vector<ir::Attribute> Attrs(const Pool2d& p) {
  return {MakeAttr("kernel_shape", Shape{p.kh, p.kw}), MakeAttr("strides", Shape{p.sh, p.sw}),
          MakeAttr("dilations", Shape{p.dh, p.dw}), MakeAttr("pads", Shape{p.pt, p.pl, p.pb, p.pr}),
          MakeAttr("ceil_mode", p.ceil ? 1 : 0)};
}

TEST(MaxPoolTest, HandValuesAndIndices) {
  const Tensor x = F32({1, 1, 4, 4}, Iota(16, 1));
  auto r = RunOp("MaxPool", {x},
                 {MakeAttr("kernel_shape", Shape{2, 2}), MakeAttr("strides", Shape{2, 2})}, 2, 12);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectNear((*r)[0], {1, 1, 2, 2}, {6, 8, 14, 16});
  ASSERT_EQ((*r)[1].dtype(), DataType::kInt64);
  EXPECT_EQ(Values((*r)[1]), (std::vector<double>{5, 7, 13, 15}));
  // Column-major indices: (h, w) -> h + w * H.
  r = RunOp("MaxPool", {x},
            {MakeAttr("kernel_shape", Shape{2, 2}), MakeAttr("strides", Shape{2, 2}),
             MakeAttr("storage_order", 1)},
            2, 12);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values((*r)[1]), (std::vector<double>{5, 13, 7, 15}));
  // Indices count across batch and channels.
  r = RunOp("MaxPool", {F32({2, 1, 2, 2}, {1, 4, 2, 3, 9, 8, 7, 6})},
            {MakeAttr("kernel_shape", Shape{2, 2})}, 2, 12);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values((*r)[1]), (std::vector<double>{1, 4}));
}

TEST(MaxPoolTest, PadsDilationsCeilModeVsNaive) {
  const auto x = RandomFloatValues(2 * 3 * 9 * 8, 3);
  for (const Pool2d& p :
       {Pool2d{3, 3, 2, 2, 1, 1, 1, 1, 1, 1}, Pool2d{2, 3, 2, 1, 2, 2, 1, 0, 0, 2},
        Pool2d{3, 2, 2, 3, 1, 1, 0, 1, 1, 0, true}, Pool2d{2, 2, 3, 3, 2, 1, 0, 0, 0, 0, true}}) {
    int64_t oh, ow;
    const auto expected = NaivePool(x, 6, 9, 8, p, 'm', &oh, &ow);
    ExpectNear(RunOne("MaxPool", {F32({2, 3, 9, 8}, x)}, Attrs(p), 12), {2, 3, oh, ow}, expected);
  }
}

TEST(MaxPoolTest, AutoPadAndIntegerTypes) {
  // 1-D SAME_UPPER: in 5, k 2, s 2 -> out 3, pad end 1.
  const Tensor x = Tensor::FromVector<int8_t>({1, 1, 5}, {-5, 3, -1, -7, 2});
  const Tensor y = RunOne("MaxPool", {x},
                          {MakeAttr("kernel_shape", Shape{2}), MakeAttr("strides", Shape{2}),
                           MakeAttr("auto_pad", "SAME_UPPER")},
                          12);
  ASSERT_EQ(y.dtype(), DataType::kInt8);
  EXPECT_EQ(Values(y), (std::vector<double>{3, -1, 2}));
  const Tensor yl = RunOne("MaxPool", {Tensor::FromVector<uint8_t>({1, 1, 5}, {5, 3, 1, 7, 2})},
                           {MakeAttr("kernel_shape", Shape{2}), MakeAttr("strides", Shape{2}),
                            MakeAttr("auto_pad", "SAME_LOWER")},
                           12);
  EXPECT_EQ(Values(yl), (std::vector<double>{5, 3, 7}));
}

TEST(AveragePoolTest, CountIncludePad) {
  const Tensor ones = F32({1, 1, 3, 3}, std::vector<double>(9, 1.0));
  const std::vector<ir::Attribute> base = {MakeAttr("kernel_shape", Shape{3, 3}),
                                           MakeAttr("pads", Shape{1, 1, 1, 1})};
  ExpectNear(RunOne("AveragePool", {ones}, base), {1, 1, 3, 3}, std::vector<double>(9, 1.0));
  auto with = base;
  with.push_back(MakeAttr("count_include_pad", 1));
  ExpectNear(RunOne("AveragePool", {ones}, with), {1, 1, 3, 3},
             {4 / 9.0, 6 / 9.0, 4 / 9.0, 6 / 9.0, 1.0, 6 / 9.0, 4 / 9.0, 6 / 9.0, 4 / 9.0});
}

TEST(AveragePoolTest, CeilModeHandValues) {
  ExpectNear(RunOne("AveragePool", {F32({1, 1, 4, 4}, Iota(16, 1))},
                    {MakeAttr("kernel_shape", Shape{3, 3}), MakeAttr("strides", Shape{2, 2}),
                     MakeAttr("ceil_mode", 1)}),
             {1, 1, 2, 2}, {6, 7.5, 12, 13.5});
}

TEST(AveragePoolTest, VsNaiveIncludingDilations) {
  const auto x = RandomFloatValues(1 * 2 * 7 * 9, 4);
  for (char mode : {'a', 'i'})
    for (const Pool2d& p :
         {Pool2d{3, 3, 2, 2, 1, 1, 1, 1, 1, 1}, Pool2d{2, 3, 1, 2, 2, 1, 1, 2, 0, 1},
          Pool2d{3, 3, 2, 2, 1, 1, 1, 1, 0, 0, true}}) {
      int64_t oh, ow;
      const auto expected = NaivePool(x, 2, 7, 9, p, mode, &oh, &ow);
      auto attrs = Attrs(p);
      attrs.push_back(MakeAttr("count_include_pad", mode == 'i' ? 1 : 0));
      ExpectNear(RunOne("AveragePool", {F32({1, 2, 7, 9}, x)}, attrs, 19), {1, 2, oh, ow},
                 expected);
    }
}

TEST(LpPoolTest, NormsOverWindows) {
  // p = 2 over [3, 4] -> 5; p = 1 -> 7.
  const Tensor x = F32({1, 1, 4}, {3, -4, 0, 1});
  ExpectNear(
      RunOne("LpPool", {x}, {MakeAttr("kernel_shape", Shape{2}), MakeAttr("strides", Shape{2})}),
      {1, 1, 2}, {5, 1});
  ExpectNear(RunOne("LpPool", {x}, {MakeAttr("kernel_shape", Shape{2}), MakeAttr("p", 1)}),
             {1, 1, 3}, {7, 4, 1});
  // Opset 1 had a float p.
  ExpectNear(RunOne("LpPool", {x}, {MakeAttr("kernel_shape", Shape{4}), MakeAttr("p", 3.0f)}, 1),
             {1, 1, 1}, {std::cbrt(27.0 + 64.0 + 1.0)});
}

TEST(GlobalPoolTest, AverageMaxLp) {
  const Tensor x = F32({1, 2, 2, 2}, {1, 2, 3, 4, -1, -5, 0, -2});
  ExpectNear(RunOne("GlobalAveragePool", {x}), {1, 2, 1, 1}, {2.5, -2});
  ExpectNear(RunOne("GlobalMaxPool", {x}), {1, 2, 1, 1}, {4, 0});
  ExpectNear(RunOne("GlobalLpPool", {x}), {1, 2, 1, 1}, {std::sqrt(30.0), std::sqrt(30.0)});
  ExpectNear(RunOne("GlobalAveragePool", {F32({1, 1, 3}, {1, 2, 6})}), {1, 1, 1}, {3});
}

TEST(PoolTest, Errors) {
  const Tensor x = F32({1, 1, 4, 4}, Iota(16, 1));
  auto r = RunOp("MaxPool", {x});  // kernel_shape missing
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  r = RunOp("AveragePool", {x}, {MakeAttr("kernel_shape", Shape{5, 5})});  // larger than input
  EXPECT_FALSE(r.ok());
  r = RunOp("MaxPool", {x}, {MakeAttr("kernel_shape", Shape{2, 2}), MakeAttr("pads", Shape{1, 1})});
  EXPECT_FALSE(r.ok());
  r = RunOp("AveragePool", {Tensor(DataType::kInt32, {1, 1, 2, 2})},
            {MakeAttr("kernel_shape", Shape{2, 2})});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented);
  r = RunOp("GlobalAveragePool", {F32({4}, Iota(4, 1))});
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace shrink::testing
