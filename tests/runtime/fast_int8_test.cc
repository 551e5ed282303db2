// oneDNN int8 fast kernels (QLinearConv, ConvInteger, QLinearMatMul, MatMulInteger) and the native
// QuantizeLinear / DequantizeLinear against their reference kernels on randomized geometry.
// Tolerances: int32 outputs (ConvInteger, MatMulInteger) and Q/DQ are exact; requantized outputs
// may differ by at most one quantization step (kRequantTol, see runtime/fast/int8_util.h), and the
// share of such elements is small (ties and float32 rounding of large accumulators only).
#include <gtest/gtest.h>

#include <cmath>

#include "runtime/fast/int8_depthwise.h"
#include "runtime/fast/int8_util.h"
#include "runtime/fast/qlinear_conv_native.h"
#include "runtime_util/fast_test_util.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;
using runtime::fast::Int8DepthwiseAvailable;
using runtime::fast::kNativeConvMaxImageMacs;
using runtime::fast::kRequantTol;

Tensor Full8(DataType t, int64_t n, int v) {
  Tensor out(t, {n});
  for (int64_t i = 0; i < n; ++i) out.SetFromDouble(i, v + static_cast<int>(i % 3));
  return out;
}

// Runs both (the fast session on `threads`, 0: tuned); expects the fast backend (`backend`, or
// any but the reference when empty; the reference for int8 products on a CPU without VNNI), equal
// shapes and dtypes, |diff| <= tol and at most 1% of the elements off by anything.
void ExpectInt8Matches(const std::string& what, const std::string& op,
                       const std::vector<Tensor>& in, const std::vector<bool>& constant,
                       std::vector<ir::Attribute> attrs, double tol, int64_t opset = 17,
                       const std::string& domain = "", int threads = 0,
                       const std::string& backend = "") {
  SCOPED_TRACE(what);
  FastOpResult r = RunBoth(op, in, constant, std::move(attrs), opset, domain, threads);
  ASSERT_EQ(r.ref.size(), 1u);
  ASSERT_EQ(r.fast.size(), 1u);
  const bool dot =
      op == "QLinearConv" || op == "ConvInteger" || op == "QLinearMatMul" || op == "MatMulInteger";
  if (dot && !runtime::fast::Int8DotExact())  // no VNNI: the int8 products decline
    EXPECT_EQ(r.backend, "reference");
  else if (backend.empty())
    EXPECT_NE(r.backend, "reference");
  else
    EXPECT_EQ(r.backend, backend);
  ASSERT_EQ(r.fast[0].dtype(), r.ref[0].dtype());
  ASSERT_EQ(r.fast[0].shape(), r.ref[0].shape());
  EXPECT_LE(MaxAbsDiff(r.fast[0], r.ref[0]), tol);
  int64_t off = 0;
  for (int64_t i = 0; i < r.ref[0].numel(); ++i)
    off += r.fast[0].GetAsDouble(i) != r.ref[0].GetAsDouble(i);
  EXPECT_LE(static_cast<double>(off), 0.01 * static_cast<double>(r.ref[0].numel()) + 1);
}

struct ConvCase {
  Shape x;
  int64_t out_ch;
  Shape k;
  int64_t group;
  Shape strides, dilations, pads;
  bool bias;
  bool native = false;  // the native paths (qlinear_conv_native.h) take its u8-input variants,
                        // within their multiply-add cap
};

// Multiply-adds of a 2-D case.
int64_t Macs(const ConvCase& c) {
  const int64_t oh = (c.x[2] + c.pads[0] + c.pads[2] - c.k[0]) / c.strides[0] + 1;
  const int64_t ow = (c.x[3] + c.pads[1] + c.pads[3] - c.k[1]) / c.strides[1] + 1;
  return c.x[0] * oh * ow * c.out_ch * (c.x[1] / c.group) * c.k[0] * c.k[1];
}

const std::vector<ConvCase>& ConvCases() {
  static const std::vector<ConvCase> cases = {
      {{1, 3, 17, 13}, 8, {3, 3}, 1, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, true},
      {{2, 6, 11, 9}, 6, {3, 3}, 6, {2, 2}, {1, 1}, {1, 0, 2, 1}, true, true},   // depthwise, odd
                                                                                 // pads
      {{1, 8, 15, 15}, 4, {3, 5}, 2, {1, 2}, {2, 1}, {2, 2, 2, 2}, false},       // groups, dilation
      {{1, 64, 7, 7}, 32, {1, 1}, 1, {1, 1}, {1, 1}, {0, 0, 0, 0}, true, true},  // pointwise, big K
      {{1, 5, 19}, 7, {4}, 1, {3}, {2}, {1, 2}, true},                           // 1-D
      {{1, 2, 5, 6, 7}, 3, {2, 3, 2}, 1, {1, 2, 1}, {1, 1, 2}, {0, 1, 1, 1, 0, 0}, true},  // 3-D
      // The native paths (qlinear_conv_native.h) for u8 inputs: a first conv over one channel
      // (window rows of 3 bytes), in-place pointwise with a partial column tile, a 1x1 stride-2
      // conv across 4 whole tiles and a partial one, 64 outputs (the packed stores), depthwise
      // with a partial channel block / stride 2 / batch 2 and with kernel width 4 and uneven pads;
      // depthwise over quads of 64 channels (int8_depthwise.h): one quad with a pixel remainder,
      // a quad and two 16-channel blocks with a 4-row kernel, two quads and a partial block with a
      // one-row kernel 5 wide.
      {{1, 1, 28, 28}, 16, {3, 3}, 1, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, true},
      {{1, 16, 14, 14}, 24, {1, 1}, 1, {1, 1}, {1, 1}, {0, 0, 0, 0}, true, true},
      {{1, 6, 9, 9}, 70, {1, 1}, 1, {2, 2}, {1, 1}, {0, 0, 0, 0}, true, true},
      {{1, 8, 6, 6}, 64, {3, 3}, 1, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, true},
      {{2, 40, 9, 10}, 40, {3, 3}, 40, {2, 2}, {1, 1}, {1, 1, 1, 1}, true, true},
      {{1, 20, 8, 8}, 20, {2, 4}, 20, {1, 1}, {1, 1}, {0, 1, 1, 2}, false, true},
      {{1, 64, 7, 9}, 64, {3, 3}, 64, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, true},
      {{2, 96, 9, 8}, 96, {4, 3}, 96, {2, 2}, {1, 1}, {2, 1, 1, 0}, true, true},
      {{1, 136, 5, 11}, 136, {1, 5}, 136, {1, 2}, {1, 1}, {0, 2, 0, 2}, false, true},
      // Depthwise over exactly 16 channels: four pixels' outputs in one 64-byte store (8 + 4).
      {{1, 16, 10, 12}, 16, {3, 3}, 16, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, true},
      // Split across two threads (>= 64K multiply-adds): depthwise over 15 rows (7 + 8), at batch
      // 2 (the halves meet at the image border), a 3x3 conv over 3 images of 9 rows (13 + 14
      // rows, one image cut in two), and more multiply-adds per image than the native paths take
      // (kNativeConvMaxImageMacs): oneDNN.
      {{1, 64, 15, 13}, 64, {3, 3}, 64, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, true},
      {{2, 48, 12, 11}, 48, {3, 3}, 48, {1, 1}, {1, 1}, {1, 1, 1, 1}, false, true},
      {{3, 8, 9, 12}, 32, {3, 3}, 1, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, true},
      {{1, 64, 16, 16}, 64, {3, 3}, 1, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, true},
  };
  return cases;
}

Shape WeightShape(const ConvCase& c) {
  Shape ws{c.out_ch, c.x[1] / c.group};
  ws.insert(ws.end(), c.k.begin(), c.k.end());
  return ws;
}

std::vector<ir::Attribute> ConvAttrs(const ConvCase& c) {
  return {MakeAttr("group", c.group), MakeAttr("strides", c.strides),
          MakeAttr("dilations", c.dilations), MakeAttr("pads", c.pads)};
}

TEST(FastInt8, QLinearConvMatchesReference) {
  uint32_t seed = 1;
  for (const auto& c : ConvCases())
    for (int variant = 0; variant < 5; ++variant) {
      // 0: u8 x, s8 per-channel w, u8 y; 1: s8 x, s8 per-tensor w, s8 y;
      // 2: u8 x, u8 w with zero point 128 (converted once), u8 y; 3: u8 x, zero zero points;
      // 4: u8 x, s8 per-channel w, s8 y.
      const bool s8x = variant == 1, u8w = variant == 2, per_channel = variant != 1;
      const DataType xt = s8x ? DataType::kInt8 : DataType::kUInt8;
      const DataType wt = u8w ? DataType::kUInt8 : DataType::kInt8;
      const DataType yt = s8x || variant == 4 ? DataType::kInt8 : DataType::kUInt8;
      const Shape ws = WeightShape(c);
      const int64_t k = NumElements(ws) / c.out_ch;
      const int xzp = variant == 3 ? 0 : (s8x ? -5 : 117);
      const int yzp = variant == 3 ? 0 : (yt == DataType::kInt8 ? 3 : 121);
      const float xs = 0.02f, wscale = 0.01f;
      Tensor w_scale = per_channel ? RandomTensor({c.out_ch}, seed++, 0.005f, 0.015f)
                                   : Tensor::Scalar<float>(wscale);
      // y_scale ~ the accumulator's spread (sqrt(K) * |x - zp| * |w|) over ~60 steps.
      const float ys = xs * wscale * std::sqrt(static_cast<float>(k)) * 70.0f;
      std::vector<Tensor> in{
          s8x ? RandomQ(xt, c.x, seed++, -128, 127) : RandomQ(xt, c.x, seed++, 0, 255),
          Tensor::Scalar<float>(xs),
          ScalarQ(xt, xzp),
          u8w ? RandomQ(wt, ws, seed++, 20, 236) : RandomQ(wt, ws, seed++, -127, 127),
          w_scale,
          u8w ? Full8(wt, c.out_ch, 127) : Tensor(wt, per_channel ? Shape{c.out_ch} : Shape{}),
          Tensor::Scalar<float>(ys),
          ScalarQ(yt, yzp)};
      if (c.bias) in.push_back(RandomQ(DataType::kInt32, {c.out_ch}, seed++, -5000, 5000));
      const std::string what = "qlinearconv variant " + std::to_string(variant) +
                               " x=" + ShapeToString(c.x) + " w=" + ShapeToString(ws);
      const std::vector<bool> constant{false, true, true, true, true, true, true, true, true};
      ExpectInt8Matches(what, "QLinearConv", in, constant, ConvAttrs(c), kRequantTol);
      // One and two threads: the native paths where they apply, else oneDNN.
      for (int threads : {1, 2}) {
        const bool native = c.native && !s8x && Int8DepthwiseAvailable() &&
                            Macs(c) / c.x[0] <= kNativeConvMaxImageMacs;
        ExpectInt8Matches(what + " threads " + std::to_string(threads), "QLinearConv", in, constant,
                          ConvAttrs(c), kRequantTol, 17, "", threads, native ? "native" : "onednn");
      }
    }
}

TEST(FastInt8, ConvIntegerIsExact) {
  uint32_t seed = 100;
  for (const auto& c : ConvCases()) {
    const Shape ws = WeightShape(c);
    std::vector<Tensor> in{RandomQ(DataType::kUInt8, c.x, seed++, 0, 255),
                           RandomQ(DataType::kUInt8, ws, seed++, 0, 255),
                           ScalarQ(DataType::kUInt8, 131), ScalarQ(DataType::kUInt8, 128)};
    ExpectInt8Matches("convinteger x=" + ShapeToString(c.x), "ConvInteger", in,
                      {false, true, true, true}, ConvAttrs(c), 0.0);
  }
}

TEST(FastInt8, QLinearMatMulMatchesReference) {
  uint32_t seed = 200;
  const std::vector<std::pair<Shape, Shape>> shapes = {
      {{3, 8}, {8, 5}}, {{2, 7, 33}, {33, 17}}, {{64}, {64, 9}}, {{1, 4, 5, 300}, {300, 31}}};
  for (const auto& [as, bs] : shapes)
    for (int variant = 0; variant < 3; ++variant) {
      // 0: u8 a, per-column s8 b, u8 y; 1: s8 a, per-tensor s8 b, s8 y; 2: u8 b with zp 128.
      const DataType at = variant == 1 ? DataType::kInt8 : DataType::kUInt8;
      const DataType bt = variant == 2 ? DataType::kUInt8 : DataType::kInt8;
      const DataType yt = at;
      const int64_t n = bs[1], k = bs[0];
      const float a_s = 0.03f, b_s = 0.01f;
      const float ys = a_s * b_s * std::sqrt(static_cast<float>(k)) * 70.0f;
      std::vector<Tensor> in{
          at == DataType::kInt8 ? RandomQ(at, as, seed++, -128, 127)
                                : RandomQ(at, as, seed++, 0, 255),
          Tensor::Scalar<float>(a_s),
          ScalarQ(at, at == DataType::kInt8 ? 7 : 100),
          bt == DataType::kUInt8 ? RandomQ(bt, bs, seed++, 10, 240)
                                 : RandomQ(bt, bs, seed++, -127, 127),
          variant == 0 ? RandomTensor({n}, seed++, 0.005f, 0.015f) : Tensor::Scalar<float>(b_s),
          bt == DataType::kUInt8 ? ScalarQ(bt, 128) : Tensor(bt, variant == 0 ? Shape{n} : Shape{}),
          Tensor::Scalar<float>(ys),
          ScalarQ(yt, at == DataType::kInt8 ? -2 : 130)};
      ExpectInt8Matches("qlinearmatmul variant " + std::to_string(variant) +
                            " a=" + ShapeToString(as) + " b=" + ShapeToString(bs),
                        "QLinearMatMul", in, {false, true, true, true, true, true, true, true}, {},
                        kRequantTol);
    }
}

TEST(FastInt8, MatMulIntegerIsExact) {
  const Tensor a = RandomQ(DataType::kUInt8, {2, 5, 40}, 300, 0, 255);
  const Tensor b = RandomQ(DataType::kInt8, {40, 11}, 301, -128, 127);
  ExpectInt8Matches("u8 x s8 per-column zp", "MatMulInteger",
                    {a, b, ScalarQ(DataType::kUInt8, 140), Full8(DataType::kInt8, 11, -1)},
                    {false, true, true, true}, {}, 0.0);
  ExpectInt8Matches("s8 x s8 no zp", "MatMulInteger",
                    {RandomQ(DataType::kInt8, {7, 40}, 302, -128, 127), b}, {false, true}, {}, 0.0);
}

TEST(FastInt8, QuantizeDequantizeAreExact) {
  Tensor x = RandomTensor({2, 6, 33, 35}, 400, -3.0f, 3.0f);
  // Exact ties (k + 0.5) * scale and out-of-range values exercise rounding and saturation.
  for (int64_t i = 0; i < 64; ++i) x.data<float>()[i] = (static_cast<float>(i) - 32.5f) * 0.05f;
  x.data<float>()[70] = 1e6f;
  x.data<float>()[71] = -1e6f;
  const Tensor s = Tensor::Scalar<float>(0.05f);
  const Tensor axis_s = RandomTensor({6}, 401, 0.01f, 0.04f);
  for (DataType qt : {DataType::kUInt8, DataType::kInt8}) {
    const int zp = qt == DataType::kUInt8 ? 128 : -3;
    ExpectInt8Matches("quantize per-tensor", "QuantizeLinear", {x, s, ScalarQ(qt, zp)},
                      {false, true, true}, {}, 0.0);
    ExpectInt8Matches("quantize per-axis", "QuantizeLinear", {x, axis_s, Full8(qt, 6, zp)},
                      {false, true, true}, {MakeAttr("axis", int64_t{1})}, 0.0);
    const Tensor q = RandomQ(qt, {2, 6, 33, 35}, 402, qt == DataType::kUInt8 ? 0 : -128,
                             qt == DataType::kUInt8 ? 255 : 127);
    ExpectInt8Matches("dequantize per-tensor", "DequantizeLinear", {q, s, ScalarQ(qt, zp)},
                      {false, true, true}, {}, 0.0);
    ExpectInt8Matches("dequantize per-axis", "DequantizeLinear", {q, axis_s, Full8(qt, 6, zp)},
                      {false, true, true}, {MakeAttr("axis", int64_t{1})}, 0.0);
  }
  ExpectInt8Matches("quantize default u8", "QuantizeLinear", {x, s}, {false, true}, {}, 0.0);
}

TEST(FastInt8, UnsupportedParametersFallBackToReference) {
  // Runtime (non-constant) weights and u8 weights whose zero point cannot shift into s8.
  const Tensor x = RandomQ(DataType::kUInt8, {1, 2, 5, 5}, 500, 0, 255);
  const Tensor w = RandomQ(DataType::kUInt8, {3, 2, 3, 3}, 501, 0, 255);
  for (bool const_w : {false, true}) {
    FastOpResult r =
        RunBoth("ConvInteger", {x, w, ScalarQ(DataType::kUInt8, 3), ScalarQ(DataType::kUInt8, 0)},
                {false, const_w, true, true}, {});
    EXPECT_EQ(r.backend, "reference");
    ASSERT_EQ(r.fast.size(), 1u);
    EXPECT_EQ(MaxAbsDiff(r.fast[0], r.ref[0]), 0.0);
  }
}

TEST(FastInt8, QLinearAddGlobalAveragePoolAndMaxPoolAreExact) {
  const Shape shape{2, 5, 9, 11};
  for (DataType qt : {DataType::kUInt8, DataType::kInt8}) {
    const bool u8 = qt == DataType::kUInt8;
    const Tensor a = RandomQ(qt, shape, 600, u8 ? 0 : -128, u8 ? 255 : 127);
    const Tensor b = RandomQ(qt, shape, 601, u8 ? 0 : -128, u8 ? 255 : 127);
    std::vector<Tensor> in{a,
                           Tensor::Scalar<float>(0.05f),
                           ScalarQ(qt, u8 ? 128 : 1),
                           b,
                           Tensor::Scalar<float>(0.03f),
                           ScalarQ(qt, u8 ? 100 : -4),
                           Tensor::Scalar<float>(0.07f),
                           ScalarQ(qt, u8 ? 3 : -128)};
    ExpectInt8Matches("qlinearadd", "QLinearAdd", in,
                      {false, true, true, false, true, true, true, true}, {}, 0.0, 17,
                      "com.microsoft");
    // Past 4096 elements, split across two threads in whole cache lines (4704: 2368 + 2336).
    std::vector<Tensor> big = in;
    big[0] = RandomQ(qt, {1, 24, 14, 14}, 602, u8 ? 0 : -128, u8 ? 255 : 127);
    big[3] = RandomQ(qt, {1, 24, 14, 14}, 603, u8 ? 0 : -128, u8 ? 255 : 127);
    ExpectInt8Matches("qlinearadd split", "QLinearAdd", big,
                      {false, true, true, false, true, true, true, true}, {}, 0.0, 17,
                      "com.microsoft", 2, "native");
    ExpectInt8Matches("qlinear global average pool", "QLinearGlobalAveragePool",
                      {a, Tensor::Scalar<float>(0.05f), ScalarQ(qt, u8 ? 128 : 1),
                       Tensor::Scalar<float>(0.01f), ScalarQ(qt, u8 ? 3 : -7)},
                      {false, true, true, true, true}, {}, 0.0, 17, "com.microsoft");
    // From 64 KB of input, images split across two threads (5 images: 3 + 2).
    ExpectInt8Matches("qlinear global average pool split", "QLinearGlobalAveragePool",
                      {RandomQ(qt, {5, 128, 11, 10}, 604, u8 ? 0 : -128, u8 ? 255 : 127),
                       Tensor::Scalar<float>(0.05f), ScalarQ(qt, u8 ? 128 : 1),
                       Tensor::Scalar<float>(0.01f), ScalarQ(qt, u8 ? 3 : -7)},
                      {false, true, true, true, true}, {}, 0.0, 17, "com.microsoft", 2, "native");
    ExpectInt8Matches("maxpool 8-bit", "MaxPool", {a}, {false},
                      {MakeAttr("kernel_shape", Shape{3, 3}), MakeAttr("strides", Shape{2, 2}),
                       MakeAttr("pads", Shape{1, 1, 1, 1})},
                      0.0);
  }
}

// 8-bit MaxPool geometries: 1-2 spatial dims on the native kernel (unpadded windows on its direct
// loops, the rest through its row buffer), 3-D on oneDNN; always exact.
TEST(FastInt8, MaxPoolGeometriesAreExact) {
  struct Geometry {
    std::string what;
    Shape x;
    std::vector<ir::Attribute> attrs;
    std::string backend;
  };
  const std::vector<Geometry> cases = {
      {"2x2 stride 2",
       {1, 3, 10, 13},
       {MakeAttr("kernel_shape", Shape{2, 2}), MakeAttr("strides", Shape{2, 2})},
       "native"},
      {"dilated, uneven pads, ceil",
       {2, 4, 11, 9},
       {MakeAttr("kernel_shape", Shape{3, 2}), MakeAttr("strides", Shape{1, 2}),
        MakeAttr("dilations", Shape{2, 1}), MakeAttr("pads", Shape{1, 0, 2, 1}),
        MakeAttr("ceil_mode", int64_t{1})},
       "native"},
      {"3x3 stride 2, no padding",
       {1, 3, 12, 11},
       {MakeAttr("kernel_shape", Shape{3, 3}), MakeAttr("strides", Shape{2, 2})},
       "native"},
      {"3x2 stride 1x3, no padding",
       {2, 2, 7, 14},
       {MakeAttr("kernel_shape", Shape{3, 2}), MakeAttr("strides", Shape{1, 3})},
       "native"},
      {"SAME_UPPER",
       {1, 2, 9, 9},
       {MakeAttr("kernel_shape", Shape{3, 3}), MakeAttr("strides", Shape{2, 2}),
        MakeAttr("auto_pad", std::string("SAME_UPPER"))},
       "native"},
      {"1-D",
       {1, 3, 17},
       {MakeAttr("kernel_shape", Shape{3}), MakeAttr("strides", Shape{2}),
        MakeAttr("pads", Shape{1, 1})},
       "native"},
      {"3-D", {1, 2, 5, 6, 7}, {MakeAttr("kernel_shape", Shape{2, 2, 2})}, "onednn"},
  };
  for (DataType qt : {DataType::kUInt8, DataType::kInt8})
    for (const auto& c : cases) {
      SCOPED_TRACE(c.what + " " + DataTypeName(qt));
      const bool u8 = qt == DataType::kUInt8;
      const Tensor x = RandomQ(qt, c.x, 700, u8 ? 0 : -128, u8 ? 255 : 127);
      FastOpResult r = RunBoth("MaxPool", {x}, {false}, c.attrs);
      ASSERT_EQ(r.fast.size(), 1u);
      ASSERT_EQ(r.ref.size(), 1u);
      EXPECT_EQ(r.backend, c.backend);
      ASSERT_EQ(r.fast[0].shape(), r.ref[0].shape());
      EXPECT_EQ(MaxAbsDiff(r.fast[0], r.ref[0]), 0.0);
    }
}

}  // namespace
}  // namespace shrink::testing
