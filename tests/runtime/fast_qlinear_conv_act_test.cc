// com.shrink QLinearConvAct (int8 Conv + HardSwish in float + requantization): the oneDNN kernel
// (runtime/fast/qlinear_conv_onednn.cc) against the reference kernel
// (runtime/kernels/conv_integer.cc) on randomized geometry, and the reference kernel against
// the float computation it stands for. Tolerance: at most one quantization step
// (kRequantTol: float32 multipliers, 1 / y_scale as a multiplication, ties), on at most ~1% of
// the elements.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "runtime/fast/int8_depthwise.h"
#include "runtime/fast/int8_util.h"
#include "runtime_util/fast_test_util.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;
using runtime::fast::kRequantTol;

struct Case {
  Shape x;
  int64_t out_ch;
  Shape k;
  int64_t group;
  Shape strides, pads;
  bool bias;
};

std::vector<Case> Cases() {
  return {
      {{1, 3, 17, 13}, 8, {3, 3}, 1, {1, 1}, {1, 1, 1, 1}, true},
      {{2, 6, 11, 9}, 6, {3, 3}, 6, {2, 2}, {1, 0, 2, 1}, true},   // depthwise, odd pads
      {{1, 64, 7, 9}, 32, {1, 1}, 1, {1, 1}, {0, 0, 0, 0}, true},  // pointwise (x_zp folded)
      {{1, 8, 5, 40}, 16, {1, 1}, 1, {1, 1}, {0, 0, 0, 0}, false},
      {{1, 5, 19}, 7, {4}, 1, {3}, {1, 2}, true},  // 1-D
  };
}

struct Inputs {
  std::vector<Tensor> in;
  std::vector<ir::Attribute> attrs;
};

// variant 0: u8 x / y, s8 per-channel w; 1: s8 x / y, per-tensor w.
Inputs MakeInputs(const Case& c, int variant, uint32_t& seed) {
  const bool s8 = variant == 1;
  const DataType xt = s8 ? DataType::kInt8 : DataType::kUInt8;
  Shape ws{c.out_ch, c.x[1] / c.group};
  ws.insert(ws.end(), c.k.begin(), c.k.end());
  const int64_t k = NumElements(ws) / c.out_ch;
  const float xs = 0.02f;
  Tensor w_scale =
      s8 ? Tensor::Scalar<float>(0.01f) : RandomTensor({c.out_ch}, seed++, 0.005f, 0.015f);
  // The conv output spreads over ~ sqrt(K) * 64 * 0.02 * 64 * 0.01; y spans that in ~100 steps.
  const float ys = xs * 0.01f * std::sqrt(static_cast<float>(k)) * 64.0f * 64.0f / 100.0f;
  Inputs r;
  r.in = {s8 ? RandomQ(xt, c.x, seed++, -128, 127) : RandomQ(xt, c.x, seed++, 0, 255),
          Tensor::Scalar<float>(xs),
          ScalarQ(xt, s8 ? -3 : 119),
          RandomQ(DataType::kInt8, ws, seed++, -127, 127),
          w_scale,
          Tensor(DataType::kInt8, s8 ? Shape{} : Shape{c.out_ch}),
          Tensor::Scalar<float>(ys),
          ScalarQ(xt, s8 ? -100 : 20)};
  if (c.bias) r.in.push_back(RandomQ(DataType::kInt32, {c.out_ch}, seed++, -3000, 3000));
  r.attrs = {MakeAttr("group", c.group), MakeAttr("strides", c.strides), MakeAttr("pads", c.pads),
             MakeAttr("activation", "HardSwish")};
  return r;
}

TEST(FastQLinearConvAct, MatchesReference) {
  uint32_t seed = 1;
  for (const Case& c : Cases())
    for (int variant = 0; variant < 2; ++variant)
      for (int threads : {0, 1}) {  // 1: the native paths for u8 inputs (qlinear_conv_native.h)
        SCOPED_TRACE("variant " + std::to_string(variant) + " x=" + ShapeToString(c.x) +
                     " threads " + std::to_string(threads));
        Inputs p = MakeInputs(c, variant, seed);
        std::vector<bool> constant(p.in.size(), true);
        constant[0] = false;
        FastOpResult r =
            RunBoth("QLinearConvAct", p.in, constant, p.attrs, 17, "com.shrink", threads);
        ASSERT_EQ(r.ref.size(), 1u);
        ASSERT_EQ(r.fast.size(), 1u);
        if (!runtime::fast::Int8DotExact())
          EXPECT_EQ(r.backend, "reference");
        else if (threads == 0)  // the thread tuner may settle on one thread, and then native
          EXPECT_NE(r.backend, "reference");
        else if (variant == 0 && c.x.size() == 4 && runtime::fast::Int8DepthwiseAvailable())
          EXPECT_EQ(r.backend, "native");
        else
          EXPECT_EQ(r.backend, "onednn");
        ASSERT_EQ(r.fast[0].dtype(), r.ref[0].dtype());
        ASSERT_EQ(r.fast[0].shape(), r.ref[0].shape());
        EXPECT_LE(MaxAbsDiff(r.fast[0], r.ref[0]), kRequantTol);
        int64_t off = 0, distinct_low = 0;
        const double zp = p.in[7].GetAsDouble(0);
        for (int64_t i = 0; i < r.ref[0].numel(); ++i) {
          off += r.fast[0].GetAsDouble(i) != r.ref[0].GetAsDouble(i);
          distinct_low += r.ref[0].GetAsDouble(i) < zp;  // hard-swish's negative lobe is used
        }
        EXPECT_LE(static_cast<double>(off), 0.01 * static_cast<double>(r.ref[0].numel()) + 1);
        EXPECT_GT(distinct_low, 0);
      }
}

// The reference kernel computes quantize(hardswish(dequantized conv)) exactly (checked against a
// float64 recomputation of a 1x1 conv).
TEST(FastQLinearConvAct, ReferenceIsQuantizedHardSwishOfConv) {
  uint32_t seed = 50;
  const Case c{{1, 4, 3, 5}, 6, {1, 1}, 1, {1, 1}, {0, 0, 0, 0}, true};
  Inputs p = MakeInputs(c, 0, seed);
  std::vector<bool> constant(p.in.size(), true);
  constant[0] = false;
  FastOpResult r = RunBoth("QLinearConvAct", p.in, constant, p.attrs, 17, "com.shrink");
  ASSERT_EQ(r.ref.size(), 1u);
  const Tensor& x = p.in[0];
  const Tensor& w = p.in[3];
  const double xs = p.in[1].GetAsDouble(0), xzp = p.in[2].GetAsDouble(0);
  const double ys = p.in[6].GetAsDouble(0), yzp = p.in[7].GetAsDouble(0);
  const int64_t plane = 15;
  for (int64_t m = 0; m < 6; ++m)
    for (int64_t s = 0; s < plane; ++s) {
      double acc = p.in[8].GetAsDouble(m);
      for (int64_t ci = 0; ci < 4; ++ci)
        acc += (x.GetAsDouble(ci * plane + s) - xzp) * w.GetAsDouble(m * 4 + ci);
      const double v = acc * static_cast<double>(static_cast<float>(xs) *
                                                 static_cast<float>(p.in[4].GetAsDouble(m)));
      const double h = v * std::clamp(v / 6.0 + 0.5, 0.0, 1.0);
      const double q = std::clamp(std::nearbyint(h / ys) + yzp, 0.0, 255.0);
      EXPECT_EQ(r.ref[0].GetAsDouble(m * plane + s), q) << m << " " << s;
    }
}

}  // namespace
}  // namespace shrink::testing
