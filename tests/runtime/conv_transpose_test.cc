// ConvTranspose reference kernel vs hand values and an independent naive scatter implementation.
#include <gtest/gtest.h>

#include "runtime/kernel_test_helpers.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

struct TCase {
  Shape x_shape, w_shape;  // w: [C, M/group, k...]
  int64_t group = 1;
  Shape strides, dilations, pads_begin, pads_end, out_pad;
};

// Every input element scatters x * w into out[i * stride - pad_begin + k * dilation]; the
// output size is stride * (in - 1) + out_pad + (k - 1) * dilation + 1 - pads.
std::vector<double> NaiveConvTranspose(const TCase& c, const std::vector<double>& x,
                                       const std::vector<double>& w, const std::vector<double>* b,
                                       Shape* y_shape) {
  const size_t nd = c.x_shape.size() - 2;
  auto get = [](const Shape& v, size_t d, int64_t dflt) { return v.empty() ? dflt : v[d]; };
  const int64_t nb = c.x_shape[0], cin = c.x_shape[1], cg = cin / c.group, mg = c.w_shape[1];
  const int64_t m = mg * c.group;
  Shape in(c.x_shape.begin() + 2, c.x_shape.end()), k(c.w_shape.begin() + 2, c.w_shape.end());
  Shape out(nd);
  for (size_t d = 0; d < nd; ++d)
    out[d] = get(c.strides, d, 1) * (in[d] - 1) + get(c.out_pad, d, 0) +
             (k[d] - 1) * get(c.dilations, d, 1) + 1 - get(c.pads_begin, d, 0) -
             get(c.pads_end, d, 0);
  *y_shape = {nb, m};
  y_shape->insert(y_shape->end(), out.begin(), out.end());
  const int64_t in_size = NumElements(in), k_size = NumElements(k), out_size = NumElements(out);
  std::vector<double> y(static_cast<size_t>(nb * m * out_size), 0.0);
  for (int64_t n = 0; n < nb; ++n)
    for (int64_t ic = 0; ic < cin; ++ic)
      for (int64_t i = 0; i < in_size; ++i)
        for (int64_t oc = 0; oc < mg; ++oc)
          for (int64_t kk = 0; kk < k_size; ++kk) {
            int64_t irem = i, krem = kk, off = 0;
            bool inside = true;
            std::vector<int64_t> pos(nd);
            for (size_t d = nd; d-- > 0;) {
              pos[d] = (irem % in[d]) * get(c.strides, d, 1) - get(c.pads_begin, d, 0) +
                       (krem % k[d]) * get(c.dilations, d, 1);
              irem /= in[d];
              krem /= k[d];
              if (pos[d] < 0 || pos[d] >= out[d]) inside = false;
            }
            if (!inside) continue;
            for (size_t d = 0; d < nd; ++d) off = off * out[d] + pos[d];
            const int64_t yc = (ic / cg) * mg + oc;
            y[(n * m + yc) * out_size + off] +=
                x[(n * cin + ic) * in_size + i] * w[(ic * mg + oc) * k_size + kk];
          }
  if (b)
    for (int64_t n = 0; n < nb; ++n)
      for (int64_t oc = 0; oc < m; ++oc)
        for (int64_t o = 0; o < out_size; ++o) y[(n * m + oc) * out_size + o] += (*b)[oc];
  return y;
}

std::vector<ir::Attribute> Attrs(const TCase& c) {
  std::vector<ir::Attribute> a = {MakeAttr("group", c.group)};
  if (!c.strides.empty()) a.push_back(MakeAttr("strides", c.strides));
  if (!c.dilations.empty()) a.push_back(MakeAttr("dilations", c.dilations));
  if (!c.out_pad.empty()) a.push_back(MakeAttr("output_padding", c.out_pad));
  if (!c.pads_begin.empty()) {
    Shape pads = c.pads_begin;
    pads.insert(pads.end(), c.pads_end.begin(), c.pads_end.end());
    a.push_back(MakeAttr("pads", pads));
  }
  return a;
}

void CheckAgainstNaive(const TCase& c, bool bias) {
  const auto x = RandomFloatValues(NumElements(c.x_shape), 11);
  const auto w = RandomFloatValues(NumElements(c.w_shape), 12);
  const auto b = RandomFloatValues(c.w_shape[1] * c.group, 13);
  Shape y_shape;
  const auto expected = NaiveConvTranspose(c, x, w, bias ? &b : nullptr, &y_shape);
  std::vector<Tensor> ins = {F32(c.x_shape, x), F32(c.w_shape, w)};
  if (bias) ins.push_back(F32({c.w_shape[1] * c.group}, b));
  ExpectNear(RunOne("ConvTranspose", ins, Attrs(c)), y_shape, expected);
}

TEST(ConvTransposeTest, OnnxDocExample) {
  std::vector<double> x(9);
  for (int i = 0; i < 9; ++i) x[i] = i;
  const Tensor y = RunOne("ConvTranspose",
                          {F32({1, 1, 3, 3}, x), F32({1, 2, 3, 3}, std::vector<double>(18, 1.0))});
  const std::vector<double> plane = {0,  1,  3, 3,  2,  3,  8,  15, 12, 7,  9,  21, 36,
                                     27, 15, 9, 20, 33, 24, 13, 6,  13, 21, 15, 8};
  std::vector<double> expected = plane;
  expected.insert(expected.end(), plane.begin(), plane.end());
  ExpectNear(y, {1, 2, 5, 5}, expected);
}

TEST(ConvTransposeTest, StridesDilationsPadsOutputPadding) {
  CheckAgainstNaive({{2, 3, 4, 5}, {3, 2, 3, 2}, 1, {2, 3}, {1, 2}, {1, 0}, {0, 2}, {1, 1}}, true);
  CheckAgainstNaive({{1, 2, 3, 3}, {2, 3, 2, 2}, 1, {2, 2}, {2, 2}, {}, {}, {1, 0}}, false);
}

TEST(ConvTransposeTest, Groups1dAnd3d) {
  CheckAgainstNaive({{1, 4, 5, 4}, {4, 3, 3, 3}, 2, {2, 1}, {}, {1, 1}, {1, 1}, {}}, true);
  CheckAgainstNaive({{1, 3, 5, 5}, {3, 1, 3, 3}, 3, {2, 2}, {}, {}, {}, {}}, false);
  CheckAgainstNaive({{2, 2, 6}, {2, 3, 4}, 1, {3}, {}, {1}, {2}, {}}, true);
  CheckAgainstNaive({{1, 2, 3, 2, 3}, {2, 2, 2, 2, 2}, 1, {2, 1, 2}, {1, 2, 1}, {}, {}, {}}, true);
}

TEST(ConvTransposeTest, OutputShapeAndAutoPad) {
  const Shape xs = {1, 1, 3, 3}, ws = {1, 2, 3, 3};
  const auto x = RandomFloatValues(9, 21), w = RandomFloatValues(18, 22);
  // in 3, stride 2, k 3: full output 7. output_shape 6 -> total padding 1; NOTSET puts the
  // larger half first: pads (1, 0). SAME_UPPER (output 3 * 2 = 6) puts it last: (0, 1).
  Shape y_shape;
  const auto lower =
      NaiveConvTranspose({xs, ws, 1, {2, 2}, {}, {1, 1}, {0, 0}, {}}, x, w, nullptr, &y_shape);
  ExpectNear(RunOne("ConvTranspose", {F32(xs, x), F32(ws, w)},
                    {MakeAttr("strides", Shape{2, 2}), MakeAttr("output_shape", Shape{6, 6})}),
             y_shape, lower);
  const auto upper =
      NaiveConvTranspose({xs, ws, 1, {2, 2}, {}, {0, 0}, {1, 1}, {}}, x, w, nullptr, &y_shape);
  ExpectNear(RunOne("ConvTranspose", {F32(xs, x), F32(ws, w)},
                    {MakeAttr("strides", Shape{2, 2}), MakeAttr("auto_pad", "SAME_UPPER")}),
             y_shape, upper);
  // output_shape beyond the full output: zero rows at the end.
  const auto full =
      NaiveConvTranspose({xs, ws, 1, {2, 2}, {}, {}, {}, {}}, x, w, nullptr, &y_shape);
  const Tensor big =
      RunOne("ConvTranspose", {F32(xs, x), F32(ws, w)},
             {MakeAttr("strides", Shape{2, 2}), MakeAttr("output_shape", Shape{8, 7})});
  ASSERT_EQ(big.shape(), (Shape{1, 2, 8, 7}));
  for (int64_t c = 0; c < 2; ++c)
    for (int64_t h = 0; h < 8; ++h)
      for (int64_t wi = 0; wi < 7; ++wi)
        EXPECT_NEAR(big.GetAsDouble((c * 8 + h) * 7 + wi), h < 7 ? full[(c * 7 + h) * 7 + wi] : 0.0,
                    1e-5);
}

TEST(ConvTransposeTest, Errors) {
  auto r = RunOp("ConvTranspose", {F32({1, 3, 3, 3}, std::vector<double>(27, 1.0)),
                                   F32({2, 1, 3, 3}, std::vector<double>(18, 1.0))});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  r = RunOp("ConvTranspose",
            {Tensor(DataType::kInt8, {1, 1, 2, 2}), Tensor(DataType::kInt8, {1, 1, 2, 2})});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace shrink::testing
