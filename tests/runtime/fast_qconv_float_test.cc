// oneDNN int8 kernels with a float32 output (com.shrink QConvFloat / QMatMulFloat, made by
// passes::FuseQdqFloatOutput) against their reference kernels (runtime/kernels/qconv_float.cc) on
// randomized geometry, zero points and scales, and with a fused activation post-op.
// Tolerance: the int32 accumulator is exact on both sides; the fast kernel scales it in float32
// and adds the float bias as B / (x_scale * w_scale) to the accumulator before scaling (oneDNN
// 2.x order), the reference in float64: a few float32 ulps of the larger of |acc * scale| and
// |B|, so kRelTol of the output's largest magnitude.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "runtime_util/fast_test_util.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

constexpr double kRelTol = 1e-5;

double MaxAbs(const Tensor& t) {
  double m = 0;
  for (int64_t i = 0; i < t.numel(); ++i) m = std::max(m, std::fabs(t.GetAsDouble(i)));
  return m;
}

void ExpectFloatMatches(const std::string& what, const std::string& op,
                        const std::vector<Tensor>& in, std::vector<ir::Attribute> attrs) {
  SCOPED_TRACE(what);
  std::vector<bool> constant(in.size(), true);
  constant[0] = false;
  FastOpResult r = RunBoth(op, in, constant, std::move(attrs), 17, "com.shrink");
  ASSERT_EQ(r.ref.size(), 1u);
  ASSERT_EQ(r.fast.size(), 1u);
  EXPECT_EQ(r.backend, Int8Backend("onednn"));
  ASSERT_EQ(r.fast[0].dtype(), DataType::kFloat32);
  ASSERT_EQ(r.ref[0].dtype(), DataType::kFloat32);
  ASSERT_EQ(r.fast[0].shape(), r.ref[0].shape());
  EXPECT_GT(MaxAbs(r.ref[0]), 0.0);
  EXPECT_LE(MaxAbsDiff(r.fast[0], r.ref[0]), kRelTol * MaxAbs(r.ref[0]));
}

struct ConvCase {
  Shape x;
  int64_t out_ch;
  Shape k;
  int64_t group;
  Shape strides, dilations, pads;
  bool bias;
};

const std::vector<ConvCase>& ConvCases() {
  static const std::vector<ConvCase> cases = {
      {{1, 3, 17, 13}, 8, {3, 3}, 1, {1, 1}, {1, 1}, {1, 1, 1, 1}, true},
      {{2, 6, 11, 9}, 6, {3, 3}, 6, {2, 2}, {1, 1}, {1, 0, 2, 1}, true},    // depthwise, odd pads
      {{1, 8, 15, 15}, 4, {3, 5}, 2, {1, 2}, {2, 1}, {2, 2, 2, 2}, false},  // groups, dilation
      {{1, 64, 7, 7}, 32, {1, 1}, 1, {1, 1}, {1, 1}, {0, 0, 0, 0}, true},   // pointwise, big K
      {{1, 5, 19}, 7, {4}, 1, {3}, {2}, {1, 2}, true},                      // 1-D
      {{1, 2, 5, 6, 7}, 3, {2, 3, 2}, 1, {1, 2, 1}, {1, 1, 2}, {0, 1, 1, 1, 0, 0}, true},  // 3-D
  };
  return cases;
}

// QConvFloat(x, xs, xzp, w, ws, wzp[, B]) for case `c`; variant 0: u8 x, s8 per-channel w;
// 1: s8 x, s8 per-tensor w; 2: u8 x, u8 per-channel w with zero point 128; 3: zero zero points.
std::vector<Tensor> ConvInputs(const ConvCase& c, int variant, uint32_t& seed) {
  const bool s8x = variant == 1, u8w = variant == 2, per_channel = variant != 1;
  const DataType xt = s8x ? DataType::kInt8 : DataType::kUInt8;
  const DataType wt = u8w ? DataType::kUInt8 : DataType::kInt8;
  Shape ws{c.out_ch, c.x[1] / c.group};
  ws.insert(ws.end(), c.k.begin(), c.k.end());
  const int xzp = variant == 3 ? 0 : (s8x ? -5 : 117);
  Tensor wzp = u8w ? Tensor(wt, {c.out_ch}) : Tensor(wt, per_channel ? Shape{c.out_ch} : Shape{});
  for (int64_t i = 0; u8w && i < c.out_ch; ++i) wzp.SetFromDouble(i, 128);
  std::vector<Tensor> in{
      s8x ? RandomQ(xt, c.x, seed++, -128, 127) : RandomQ(xt, c.x, seed++, 0, 255),
      Tensor::Scalar<float>(0.02f),
      ScalarQ(xt, xzp),
      u8w ? RandomQ(wt, ws, seed++, 20, 236) : RandomQ(wt, ws, seed++, -127, 127),
      per_channel ? RandomTensor({c.out_ch}, seed++, 0.005f, 0.015f) : Tensor::Scalar<float>(0.01f),
      wzp};
  if (c.bias) in.push_back(RandomTensor({c.out_ch}, seed++, -3.0f, 3.0f));
  return in;
}

std::vector<ir::Attribute> ConvAttrs(const ConvCase& c) {
  return {MakeAttr("group", c.group), MakeAttr("strides", c.strides),
          MakeAttr("dilations", c.dilations), MakeAttr("pads", c.pads)};
}

TEST(FastQConvFloat, MatchesReference) {
  uint32_t seed = 1;
  for (const auto& c : ConvCases())
    for (int variant = 0; variant < 4; ++variant)
      ExpectFloatMatches(
          "qconvfloat variant " + std::to_string(variant) + " x=" + ShapeToString(c.x),
          "QConvFloat", ConvInputs(c, variant, seed), ConvAttrs(c));
}

TEST(FastQConvFloat, FusedActivationMatchesReference) {
  // QConvFloat -> Relu / HardSwish: the plan fuses the activation as a post-op after the scale.
  const ConvCase c = ConvCases()[0];
  uint32_t seed = 50;
  for (const char* act : {"Relu", "HardSwish"}) {
    SCOPED_TRACE(act);
    const std::vector<Tensor> in = ConvInputs(c, 0, seed);
    ir::Model model = ir::MakeModel(17);
    model.SetOpset("com.shrink", 1);
    ir::Graph& g = *model.graph;
    std::vector<ir::Value*> ins = {g.AddInput("x", ir::TypeInfo::Tensor(in[0].dtype(), c.x))};
    for (size_t i = 1; i < in.size(); ++i)
      ins.push_back(g.AddInitializer("c" + std::to_string(i), in[i]));
    ir::Node* conv = g.AddNode("QConvFloat", ins, {"y"}, ConvAttrs(c), "conv", "com.shrink");
    ir::Node* a = g.AddNode(act, {conv->output(0)}, {"z"}, {}, "act");
    g.AddOutput(a->output(0));
    const runtime::Feeds feeds = {{"x", in[0]}};
    auto ex = runtime::Executor::Create(model);
    ASSERT_TRUE(ex.ok()) << ex.status().ToString();
    auto ref = (*ex)->Run(feeds);
    ASSERT_TRUE(ref.ok()) << ref.status().ToString();
    runtime::fast::SessionOptions opt;
    opt.profile = true;
    auto s = runtime::fast::Session::Create(model, opt);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    auto fast = (*s)->Run(feeds);
    ASSERT_TRUE(fast.ok()) << fast.status().ToString();
    const auto prof = (*s)->Profile();
    ASSERT_EQ(prof.size(), 1u);
    EXPECT_EQ(prof[0].op_type, std::string("QConvFloat+") + act);
    EXPECT_EQ(prof[0].backend, Int8Backend("onednn"));
    EXPECT_GT(MaxAbs((*ref)[0]), 0.0);
    EXPECT_LE(MaxAbsDiff((*fast)[0], (*ref)[0]), kRelTol * MaxAbs((*ref)[0]));
  }
}

TEST(FastQMatMulFloat, MatchesReference) {
  uint32_t seed = 200;
  const std::vector<std::pair<Shape, Shape>> shapes = {
      {{3, 8}, {8, 5}}, {{2, 7, 33}, {33, 17}}, {{64}, {64, 9}}, {{1, 4, 5, 300}, {300, 31}}};
  for (const auto& [as, bs] : shapes)
    for (int variant = 0; variant < 3; ++variant) {
      // 0: u8 a, per-column s8 b; 1: s8 a, per-tensor s8 b; 2: u8 b with zero point 128.
      const DataType at = variant == 1 ? DataType::kInt8 : DataType::kUInt8;
      const DataType bt = variant == 2 ? DataType::kUInt8 : DataType::kInt8;
      const int64_t n = bs[1];
      std::vector<Tensor> in{
          at == DataType::kInt8 ? RandomQ(at, as, seed++, -128, 127)
                                : RandomQ(at, as, seed++, 0, 255),
          Tensor::Scalar<float>(0.03f),
          ScalarQ(at, at == DataType::kInt8 ? 7 : 100),
          bt == DataType::kUInt8 ? RandomQ(bt, bs, seed++, 10, 240)
                                 : RandomQ(bt, bs, seed++, -127, 127),
          variant == 0 ? RandomTensor({n}, seed++, 0.005f, 0.015f) : Tensor::Scalar<float>(0.01f),
          bt == DataType::kUInt8 ? ScalarQ(bt, 128)
                                 : Tensor(bt, variant == 0 ? Shape{n} : Shape{})};
      ExpectFloatMatches("qmatmulfloat variant " + std::to_string(variant) +
                             " a=" + ShapeToString(as) + " b=" + ShapeToString(bs),
                         "QMatMulFloat", in, {});
    }
}

}  // namespace
}  // namespace shrink::testing
