// Resize (opset 10 / 11+ / 18 features) and Upsample. Expected values are worked out by hand from
// the ONNX coordinate formulas; comments give the mapped input coordinates.
#include <gtest/gtest.h>

#include "runtime/kernel_test_helpers.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

Tensor Scales(const std::vector<double>& v) { return F32({static_cast<int64_t>(v.size())}, v); }

Tensor Resize13(const Tensor& x, const Tensor& scales, const Tensor& sizes,
                std::vector<ir::Attribute> attrs, int64_t opset = 13) {
  return RunOne("Resize", {x, Tensor(), scales, sizes}, std::move(attrs), opset);
}

TEST(Resize, NearestHalfPixelUpsample2x) {
  // half_pixel, x2: output coords map to -0.25, 0.25, 0.75, 1.25 -> 0, 0, 1, 1.
  ExpectTensor(Resize13(F32({1, 1, 2, 2}, {1, 2, 3, 4}), Scales({1, 1, 2, 2}), Tensor(), {}), kF32,
               {1, 1, 4, 4}, {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
}

TEST(Resize, LinearCoordinateModes) {
  const Tensor x = F32({2}, {1, 3});
  const auto linear = MakeAttr("mode", "linear");
  // half_pixel: -0.25 (clamps to 1), 0.25, 0.75, 1.25 (clamps to 3).
  ExpectTensor(Resize13(x, Scales({2}), Tensor(), {linear}), kF32, {4}, {1, 1.5, 2.5, 3});
  // align_corners: o * (2 - 1) / (4 - 1).
  ExpectTensor(Resize13(x, Scales({2}), Tensor(),
                        {linear, MakeAttr("coordinate_transformation_mode", "align_corners")}),
               kF32, {4}, {1, 1 + 2.0 / 3, 1 + 4.0 / 3, 3}, 1e-6);
  // asymmetric: o / 2.
  ExpectTensor(Resize13(x, Scales({2}), Tensor(),
                        {linear, MakeAttr("coordinate_transformation_mode", "asymmetric")}),
               kF32, {4}, {1, 2, 3, 3});
  // sizes: scale 1.5, coords -1/6, 0.5, 7/6.
  ExpectTensor(Resize13(x, Tensor(), I64s({3}), {linear}), kF32, {3}, {1, 2, 3}, 1e-6);
}

TEST(Resize, CubicAndExcludeOutside) {
  // asymmetric x2 over a ramp: interior points are reproduced exactly; at x = 0.5 the taps
  // [-1, 0, 1, 2] read [0, 0, 1, 2] with weights [-0.09375, 0.59375, 0.59375, -0.09375].
  const Tensor x = F32({4}, {0, 1, 2, 3});
  const auto cubic = MakeAttr("mode", "cubic");
  const auto asym = MakeAttr("coordinate_transformation_mode", "asymmetric");
  ExpectTensor(Resize13(x, Scales({2}), Tensor(), {cubic, asym}), kF32, {8},
               {0, 0.40625, 1, 1.5, 2, 2.59375, 3, 3.09375}, 1e-6);
  // exclude_outside drops tap -1 and renormalizes: (13/32) / (35/32).
  const Tensor y =
      Resize13(x, Scales({2}), Tensor(), {cubic, asym, MakeAttr("exclude_outside", 1)});
  ASSERT_EQ(y.numel(), 8);
  EXPECT_NEAR(y.GetAsDouble(1), 13.0 / 35, 1e-6);
}

TEST(Resize, NearestModesAndLegacyOpset10) {
  const Tensor x = F32({5}, {1, 2, 3, 4, 5});
  // scale 0.6 -> 3 outputs at asymmetric coords 0, 1.667, 3.333.
  ExpectTensor(Resize13(x, Scales({0.6}), Tensor(),
                        {MakeAttr("coordinate_transformation_mode", "asymmetric")}),
               kF32, {3}, {1, 3, 4});
  ExpectTensor(Resize13(x, Scales({0.6}), Tensor(),
                        {MakeAttr("coordinate_transformation_mode", "asymmetric"),
                         MakeAttr("nearest_mode", "ceil")}),
               kF32, {3}, {1, 3, 5});
  ExpectTensor(Resize13(x, Scales({0.6}), Tensor(),
                        {MakeAttr("coordinate_transformation_mode", "asymmetric"),
                         MakeAttr("nearest_mode", "floor")}),
               kF32, {3}, {1, 2, 4});
  // Opset 10: asymmetric, and downscaling rounds up (ONNX Runtime's legacy rule).
  ExpectTensor(RunOne("Resize", {x, Scales({0.6})}, {}, 10), kF32, {3}, {1, 3, 5});
}

TEST(Upsample, NearestAndLinear) {
  const Tensor x = F32({2}, {1, 2});
  ExpectTensor(RunOne("Upsample", {x, Scales({2})}, {}, 9), kF32, {4}, {1, 1, 2, 2});
  ExpectTensor(RunOne("Upsample", {x}, {MakeAttr("scales", std::vector<float>{2})}, 7), kF32, {4},
               {1, 1, 2, 2});
  ExpectTensor(RunOne("Upsample", {x, Scales({2})}, {MakeAttr("mode", "linear")}, 9), kF32, {4},
               {1, 1.5, 2, 2});
}

TEST(Resize, TfCropAndResizeExtrapolates) {
  const Tensor x = F32({4}, {0, 1, 2, 3});
  const auto attrs = std::vector<ir::Attribute>{
      MakeAttr("mode", "linear"), MakeAttr("coordinate_transformation_mode", "tf_crop_and_resize"),
      MakeAttr("extrapolation_value", 9.0f)};
  // roi [0.5, 1.0]: coords 1.5, 2.25, 3.
  ExpectTensor(RunOne("Resize", {x, Scales({0.5, 1.0}), Tensor(), I64s({3})}, attrs, 13), kF32, {3},
               {1.5, 2.25, 3}, 1e-6);
  // roi [0.5, 1.5]: coords 1.5, 3, 4.5 (outside -> extrapolation value).
  ExpectTensor(RunOne("Resize", {x, Scales({0.5, 1.5}), Tensor(), I64s({3})}, attrs, 13), kF32, {3},
               {1.5, 3, 9}, 1e-6);
}

TEST(Resize, AxesAndKeepAspectRatioOpset18) {
  const Tensor x = F32({1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  const auto axes = MakeAttr("axes", std::vector<int64_t>{1, 2});
  // not_larger: scale min(4/2, 4/4) = 1 -> unchanged.
  ExpectTensor(Resize13(x, Tensor(), I64s({4, 4}),
                        {axes, MakeAttr("keep_aspect_ratio_policy", "not_larger")}, 18),
               kF32, {1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  // not_smaller: scale 2 on both axes -> every element doubled in both directions.
  const Tensor y = Resize13(x, Tensor(), I64s({4, 4}),
                            {axes, MakeAttr("keep_aspect_ratio_policy", "not_smaller")}, 18);
  ExpectTensor(y, kF32, {1, 4, 8}, {1, 1, 2, 2, 3, 3, 4, 4, 1, 1, 2, 2, 3, 3, 4, 4,
                                    5, 5, 6, 6, 7, 7, 8, 8, 5, 5, 6, 6, 7, 7, 8, 8});
}

TEST(Resize, AntialiasWidensLinearFilterWhenDownscaling) {
  // scale 0.5, half_pixel coords 0.5 and 2.5; the filter spans 4 taps with weights
  // [1, 3, 3, 1] / 8 (edge-clamped).
  const Tensor x = F32({4}, {0, 1, 2, 3});
  ExpectTensor(Resize13(x, Scales({0.5}), Tensor(),
                        {MakeAttr("mode", "linear"), MakeAttr("antialias", 1)}, 18),
               kF32, {2}, {0.625, 2.375}, 1e-6);
  ExpectTensor(Resize13(x, Scales({0.5}), Tensor(), {MakeAttr("mode", "linear")}, 18), kF32, {2},
               {0.5, 2.5}, 1e-6);
}

TEST(Resize, IntegerLinearRoundsToNearest) {
  // asymmetric coords 0, 0.5, 1, 1.5 over [0, 3]: 0, 1.5 (-> 2, ties to even), 3, 3.
  ExpectTensor(Resize13(Make(DataType::kUInt8, {2}, {0, 3}), Scales({2}), Tensor(),
                        {MakeAttr("mode", "linear"),
                         MakeAttr("coordinate_transformation_mode", "asymmetric")}),
               DataType::kUInt8, {4}, {0, 2, 3, 3});
}

TEST(Resize, InvalidInputsAreErrors) {
  const Tensor x = F32({2}, {1, 2});
  EXPECT_EQ(RunStatus("Resize", {x, Tensor(), Scales({2}), I64s({4})}, {}, 13).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RunStatus("Resize", {x, Tensor(), Scales({2, 2})}, {}, 13).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RunStatus("Resize", {x, Tensor(), Scales({2})}, {MakeAttr("mode", "area")}, 13).code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shrink::testing
