// Conv reference kernel vs hand values and an independent naive N-d convolution.
#include <gtest/gtest.h>

#include "runtime/kernel_test_helpers.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

struct ConvCase {
  Shape x_shape, w_shape;
  int64_t group = 1;
  Shape strides, dilations, pads_begin, pads_end;  // empty: defaults
};

// Direct convolution: for every output element sum over group channels and kernel positions.
std::vector<double> NaiveConv(const ConvCase& c, const std::vector<double>& x,
                              const std::vector<double>& w, const std::vector<double>* b,
                              Shape* y_shape) {
  const size_t nd = c.x_shape.size() - 2;
  auto get = [&](const Shape& v, size_t d, int64_t dflt) { return v.empty() ? dflt : v[d]; };
  const int64_t n_batch = c.x_shape[0], cin = c.x_shape[1], m = c.w_shape[0];
  const int64_t cg = cin / c.group, mg = m / c.group;
  Shape in(c.x_shape.begin() + 2, c.x_shape.end()), k(c.w_shape.begin() + 2, c.w_shape.end());
  Shape out(nd);
  for (size_t d = 0; d < nd; ++d) {
    const int64_t ext = (k[d] - 1) * get(c.dilations, d, 1) + 1;
    out[d] =
        (in[d] + get(c.pads_begin, d, 0) + get(c.pads_end, d, 0) - ext) / get(c.strides, d, 1) + 1;
  }
  *y_shape = {n_batch, m};
  y_shape->insert(y_shape->end(), out.begin(), out.end());
  const int64_t out_size = NumElements(out), k_size = NumElements(k), in_size = NumElements(in);
  std::vector<double> y(static_cast<size_t>(n_batch * m * out_size), 0.0);
  for (int64_t n = 0; n < n_batch; ++n)
    for (int64_t oc = 0; oc < m; ++oc)
      for (int64_t o = 0; o < out_size; ++o) {
        double acc = b ? (*b)[oc] : 0.0;
        for (int64_t ic = 0; ic < cg; ++ic)
          for (int64_t kk = 0; kk < k_size; ++kk) {
            int64_t orem = o, krem = kk, in_off = 0;
            bool inside = true;
            std::vector<int64_t> pos(nd);
            for (size_t d = nd; d-- > 0;) {
              const int64_t od = orem % out[d], kd = krem % k[d];
              orem /= out[d];
              krem /= k[d];
              pos[d] =
                  od * get(c.strides, d, 1) - get(c.pads_begin, d, 0) + kd * get(c.dilations, d, 1);
              if (pos[d] < 0 || pos[d] >= in[d]) inside = false;
            }
            if (!inside) continue;
            for (size_t d = 0; d < nd; ++d) in_off = in_off * in[d] + pos[d];
            const int64_t xc = (oc / mg) * cg + ic;
            acc += x[(n * cin + xc) * in_size + in_off] * w[(oc * cg + ic) * k_size + kk];
          }
        y[(n * m + oc) * out_size + o] = acc;
      }
  return y;
}

std::vector<ir::Attribute> Attrs(const ConvCase& c) {
  std::vector<ir::Attribute> a = {MakeAttr("group", c.group)};
  if (!c.strides.empty()) a.push_back(MakeAttr("strides", c.strides));
  if (!c.dilations.empty()) a.push_back(MakeAttr("dilations", c.dilations));
  if (!c.pads_begin.empty()) {
    Shape pads = c.pads_begin;
    pads.insert(pads.end(), c.pads_end.begin(), c.pads_end.end());
    a.push_back(MakeAttr("pads", pads));
  }
  return a;
}

void CheckAgainstNaive(const ConvCase& c, bool bias, DataType dtype = DataType::kFloat32,
                       int64_t opset = 17) {
  const auto x = RandomFloatValues(NumElements(c.x_shape), 1);
  const auto w = RandomFloatValues(NumElements(c.w_shape), 2);
  const auto b = RandomFloatValues(c.w_shape[0], 3);
  Shape y_shape;
  const auto expected = NaiveConv(c, x, w, bias ? &b : nullptr, &y_shape);
  std::vector<Tensor> ins = {Make(dtype, c.x_shape, x), Make(dtype, c.w_shape, w)};
  if (bias) ins.push_back(Make(dtype, {c.w_shape[0]}, b));
  const Tensor y = RunOne("Conv", ins, Attrs(c), opset);
  EXPECT_EQ(y.dtype(), dtype);
  ExpectNear(y, y_shape, expected, dtype == DataType::kFloat64 ? 1e-12 : 1e-4);
}

TEST(ConvTest, OnnxDocExampleWithAndWithoutPadding) {
  std::vector<double> x(25);
  for (int i = 0; i < 25; ++i) x[i] = i;
  const Tensor xt = F32({1, 1, 5, 5}, x), wt = F32({1, 1, 3, 3}, std::vector<double>(9, 1.0));
  ExpectNear(RunOne("Conv", {xt, wt}, {MakeAttr("pads", Shape{1, 1, 1, 1})}), {1, 1, 5, 5},
             {12,  21, 27, 33,  24,  33,  54,  63, 72,  51,  63,  99, 108,
              117, 81, 93, 144, 153, 162, 111, 72, 111, 117, 123, 84});
  ExpectNear(RunOne("Conv", {xt, wt}), {1, 1, 3, 3}, {54, 63, 72, 99, 108, 117, 144, 153, 162});
  // Strided with asymmetric padding (ONNX conv_with_strides_and_asymmetric_padding).
  std::vector<double> x2(35);
  for (int i = 0; i < 35; ++i) x2[i] = i;
  ExpectNear(RunOne("Conv", {F32({1, 1, 7, 5}, x2), wt},
                    {MakeAttr("pads", Shape{1, 0, 1, 0}), MakeAttr("strides", Shape{2, 2})}),
             {1, 1, 4, 2}, {21, 33, 99, 117, 189, 207, 171, 183});
}

TEST(ConvTest, Conv2dStridesDilationsPadsBias) {
  CheckAgainstNaive({{2, 3, 9, 8}, {4, 3, 3, 2}, 1, {2, 1}, {2, 3}, {1, 0}, {2, 1}}, true);
}

TEST(ConvTest, GroupedAndDepthwise) {
  CheckAgainstNaive({{1, 4, 7, 7}, {6, 2, 3, 3}, 2, {1, 1}, {1, 1}, {1, 1}, {1, 1}}, true);
  CheckAgainstNaive({{2, 5, 6, 6}, {5, 1, 3, 3}, 5, {2, 2}, {}, {1, 1}, {1, 1}}, false);
  CheckAgainstNaive({{1, 4, 5, 5}, {8, 1, 3, 3}, 4, {}, {}, {}, {}}, true);  // multiplier 2
}

TEST(ConvTest, PointwiseAndLargeGemm) {
  CheckAgainstNaive({{1, 160, 9, 9}, {600, 160, 1, 1}, 1, {}, {}, {}, {}}, true);
  CheckAgainstNaive({{1, 64, 12, 12}, {16, 64, 3, 3}, 1, {}, {}, {1, 1}, {1, 1}}, false);
}

TEST(ConvTest, Conv1dAnd3d) {
  CheckAgainstNaive({{2, 3, 11}, {4, 3, 3}, 1, {2}, {2}, {2}, {1}}, true);
  CheckAgainstNaive(
      {{1, 2, 5, 4, 6}, {3, 2, 2, 3, 2}, 1, {1, 2, 1}, {1, 1, 2}, {0, 1, 1}, {1, 0, 1}}, true);
}

TEST(ConvTest, Float64AndOpset1) {
  CheckAgainstNaive({{1, 2, 6, 5}, {3, 2, 3, 3}, 1, {1, 2}, {}, {1, 1}, {1, 1}}, true,
                    DataType::kFloat64);
  CheckAgainstNaive({{1, 2, 6, 5}, {3, 2, 3, 3}, 1, {}, {}, {}, {}}, false, DataType::kFloat32, 1);
}

TEST(ConvTest, AutoPad) {
  // in 5, kernel 4, stride 2 -> out 3, total padding (3-1)*2+4-5 = 3: SAME_UPPER (1, 2),
  // SAME_LOWER (2, 1).
  const Shape xs = {1, 2, 5, 5}, ws = {2, 2, 4, 4};
  const auto x = RandomFloatValues(NumElements(xs), 5), w = RandomFloatValues(NumElements(ws), 6);
  for (const char* mode : {"SAME_UPPER", "SAME_LOWER", "VALID"}) {
    ConvCase c{xs, ws, 1, {2, 2}, {}, {1, 1}, {2, 2}};
    if (std::string(mode) == "SAME_LOWER") c.pads_begin = {2, 2}, c.pads_end = {1, 1};
    if (std::string(mode) == "VALID") c.pads_begin = {0, 0}, c.pads_end = {0, 0};
    Shape y_shape;
    const auto expected = NaiveConv(c, x, w, nullptr, &y_shape);
    const Tensor y = RunOne("Conv", {F32(xs, x), F32(ws, w)},
                            {MakeAttr("auto_pad", mode), MakeAttr("strides", Shape{2, 2})});
    SCOPED_TRACE(mode);
    ExpectNear(y, y_shape, expected);
  }
}

TEST(ConvTest, Errors) {
  const Tensor x = F32({1, 3, 4, 4}, std::vector<double>(48, 1.0));
  const Tensor w = F32({2, 2, 3, 3}, std::vector<double>(36, 1.0));
  auto r = RunOp("Conv", {x, w});  // 3 input channels vs 2 weight channels
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("channels"), std::string::npos) << r.status().message();
  r = RunOp("Conv", {F32({1, 2, 4, 4}, std::vector<double>(32, 1.0)), w},
            {MakeAttr("kernel_shape", Shape{2, 2})});
  EXPECT_FALSE(r.ok());
  r = RunOp("Conv", {F32({1, 2, 4, 4}, std::vector<double>(32, 1.0)), w,
                     F32({3}, {1, 2, 3})});  // bias length != M
  EXPECT_FALSE(r.ok());
  r = RunOp("Conv",
            {Tensor(DataType::kInt32, {1, 2, 4, 4}), Tensor(DataType::kInt32, {2, 2, 3, 3})});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace shrink::testing
