// Reference kernels for Resize (opset 10, 11, 13, 18, 19) and Upsample (opset 7-9).
//
// The maths follows the ONNX reference implementation (onnx/reference/ops/op_resize.py):
// every output coordinate is mapped to an input coordinate per axis
// (coordinate_transformation_mode, using the fractional output length scale * in), then weighted
// "taps" per axis are formed (nearest: one, linear: two, cubic: four; antialias widens linear/cubic
// filters by 1/scale when downscaling), out-of-range taps read the edge value, and the output is
// the tensor product over axes. Opset 10 Resize and Upsample use asymmetric coordinates and the
// legacy nearest rule of ONNX Runtime (downscale: ceil, upscale: truncate). Integer outputs of
// linear/cubic modes are rounded to nearest and saturated.
#include <cmath>
#include <functional>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/movement_util.h"
#include "runtime/kernels/resize_plan.h"

namespace shrink::runtime {
namespace {

double CubicKernel(double x, double a) {
  x = std::abs(x);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0.0;
}

ResizeAxisTaps PlanAxis(const ResizeParams& p, int axis, int64_t in) {
  const size_t a = static_cast<size_t>(axis);
  const double scale = p.scales[a];
  const double out_f = p.out_length[a];
  const int64_t out = p.out_shape[a];
  ResizeAxisTaps plan;
  plan.taps.resize(static_cast<size_t>(out));
  plan.extrapolate.assign(static_cast<size_t>(out), false);
  const double len = static_cast<double>(in);
  for (int64_t o = 0; o < out; ++o) {
    const double xo = static_cast<double>(o);
    double x = 0;
    switch (p.coord) {
      case ResizeCoord::kHalfPixel:
        x = (xo + 0.5) / scale - 0.5;
        break;
      case ResizeCoord::kHalfPixelSymmetric: {
        const double adjustment = static_cast<double>(out) / out_f;
        x = (len / 2) * (1 - adjustment) + (xo + 0.5) / scale - 0.5;
        break;
      }
      case ResizeCoord::kPytorchHalfPixel:
        x = out_f == 1 ? -0.5 : (xo + 0.5) / scale - 0.5;
        break;
      case ResizeCoord::kAlignCorners:
        x = out_f == 1 ? 0 : xo * (len - 1) / (out_f - 1);
        break;
      case ResizeCoord::kAsymmetric:
        x = xo / scale;
        break;
      case ResizeCoord::kTfHalfPixelForNN:
        x = (xo + 0.5) / scale;
        break;
      case ResizeCoord::kTfCropAndResize: {
        const double s = p.roi_start[a], e = p.roi_end[a];
        x = out_f == 1 ? (e - s) * (len - 1) / 2 : xo * (e - s) * (len - 1) / (out_f - 1);
        x += s * (len - 1);
        if (x < 0 || x > len - 1) {
          plan.extrapolate[static_cast<size_t>(o)] = true;
          continue;
        }
        break;
      }
    }
    auto& taps = plan.taps[static_cast<size_t>(o)];
    auto clamp = [&](int64_t i) { return std::clamp<int64_t>(i, 0, in - 1); };
    if (p.mode == ResizeMode::kNearest) {
      int64_t i;
      if (p.nearest == ResizeNearest::kLegacy) {
        i = scale < 1 ? static_cast<int64_t>(std::ceil(x)) : static_cast<int64_t>(x);
      } else if (x == std::floor(x)) {
        i = static_cast<int64_t>(x);
      } else {
        const double f = std::floor(x), r = x - f;
        bool up = false;
        switch (p.nearest) {
          case ResizeNearest::kRoundPreferFloor:
            up = r > 0.5;
            break;
          case ResizeNearest::kRoundPreferCeil:
            up = r >= 0.5;
            break;
          case ResizeNearest::kFloor:
            up = false;
            break;
          case ResizeNearest::kCeil:
            up = true;
            break;
          case ResizeNearest::kLegacy:
            break;
        }
        i = static_cast<int64_t>(f) + (up ? 1 : 0);
      }
      taps.push_back({clamp(i), 1.0});
      continue;
    }
    // Linear / cubic: base = ceil(x) - 1 so that ratio lies in (0, 1].
    const int64_t base = static_cast<int64_t>(std::ceil(x)) - 1;
    const double ratio = x - static_cast<double>(base);
    const double s = p.antialias ? std::min(scale, 1.0) : 1.0;
    const int64_t start = p.mode == ResizeMode::kLinear
                              ? static_cast<int64_t>(std::floor(-1 / s) + 1)
                              : static_cast<int64_t>(std::floor(-2 / s) + 1);
    std::vector<ResizeTap> raw;
    double sum = 0;
    for (int64_t k = start; k < 2 - start; ++k) {
      const double arg = (static_cast<double>(k) - ratio) * s;
      double w = p.mode == ResizeMode::kLinear ? std::max(0.0, 1 - std::abs(arg))
                                               : CubicKernel(arg, p.cubic_a);
      const int64_t idx = base + k;
      if (p.exclude_outside && (idx < 0 || idx >= in)) w = 0;
      sum += w;
      raw.push_back({idx, w});
    }
    const bool normalize = p.antialias || p.exclude_outside;
    for (const ResizeTap& t : raw) {
      if (t.weight == 0) continue;
      taps.push_back({clamp(t.index), normalize && sum != 0 ? t.weight / sum : t.weight});
    }
  }
  return plan;
}

void RunResize(KernelContext& ctx, const Tensor& x, const ResizeParams& p) {
  const int r = x.rank();
  std::vector<ResizeAxisTaps> plans;
  for (int d = 0; d < r; ++d) plans.push_back(PlanAxis(p, d, x.dim(d)));
  const auto strides = StridesOf(x.shape());
  Tensor y(x.dtype(), p.out_shape);
  std::vector<int64_t> counter(static_cast<size_t>(r), 0);
  if (p.mode == ResizeMode::kNearest) {
    Tensor fill(x.dtype(), {});
    if (p.coord == ResizeCoord::kTfCropAndResize) fill.SetFromDouble(0, p.extrapolation);
    DispatchMovable(ctx, x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* s = Elems<T>(x);
      T* o = Elems<T>(y);
      for (int64_t i = 0; i < y.numel(); ++i) {
        int64_t off = 0;
        bool extrapolate = false;
        for (int d = 0; d < r; ++d) {
          const size_t c = static_cast<size_t>(counter[static_cast<size_t>(d)]);
          const ResizeAxisTaps& plan = plans[static_cast<size_t>(d)];
          if (plan.extrapolate[c])
            extrapolate = true;
          else
            off += plan.taps[c][0].index * strides[static_cast<size_t>(d)];
        }
        o[i] = extrapolate ? Elems<T>(fill)[0] : s[off];
        for (int d = r; d-- > 0;) {
          if (++counter[static_cast<size_t>(d)] < p.out_shape[static_cast<size_t>(d)]) break;
          counter[static_cast<size_t>(d)] = 0;
        }
      }
    });
    ctx.set_output(0, y);
    return;
  }
  if (x.dtype() == DataType::kString || x.dtype() == DataType::kBool)
    ctx.Unsupported(std::string("interpolation of ") + DataTypeName(x.dtype()));
  const bool is_int = IsInteger(x.dtype());
  std::vector<double> in(static_cast<size_t>(x.numel()));
  for (int64_t i = 0; i < x.numel(); ++i) in[static_cast<size_t>(i)] = x.GetAsDouble(i);
  // Sum over the tensor product of the per-axis taps.
  std::function<double(int, int64_t)> accumulate = [&](int d, int64_t off) -> double {
    if (d == r) return in[static_cast<size_t>(off)];
    const auto& taps =
        plans[static_cast<size_t>(d)].taps[static_cast<size_t>(counter[static_cast<size_t>(d)])];
    double acc = 0;
    for (const ResizeTap& t : taps)
      acc += t.weight * accumulate(d + 1, off + t.index * strides[static_cast<size_t>(d)]);
    return acc;
  };
  for (int64_t i = 0; i < y.numel(); ++i) {
    bool extrapolate = false;
    for (int d = 0; d < r; ++d)
      if (plans[static_cast<size_t>(d)]
              .extrapolate[static_cast<size_t>(counter[static_cast<size_t>(d)])])
        extrapolate = true;
    double v = extrapolate ? p.extrapolation : accumulate(0, 0);
    if (is_int) v = std::nearbyint(v);
    y.SetFromDouble(i, v);
    for (int d = r; d-- > 0;) {
      if (++counter[static_cast<size_t>(d)] < p.out_shape[static_cast<size_t>(d)]) break;
      counter[static_cast<size_t>(d)] = 0;
    }
  }
  ctx.set_output(0, y);
}

ResizeMode ReadMode(const KernelContext& ctx, bool allow_cubic) {
  const std::string m = ctx.attr_string("mode", "nearest");
  if (m == "nearest") return ResizeMode::kNearest;
  if (m == "linear" || m == "bilinear") return ResizeMode::kLinear;
  if (m == "cubic" && allow_cubic) return ResizeMode::kCubic;
  ctx.Fail("unknown mode '" + m + "'");
}

std::vector<double> ReadFloats(const KernelContext& ctx, const Tensor& t) {
  if (!IsFloat(t.dtype())) ctx.Fail("scales/roi must be a float tensor");
  std::vector<double> v(static_cast<size_t>(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) v[static_cast<size_t>(i)] = t.GetAsDouble(i);
  return v;
}

// Fills scales/out_shape/out_length from per-axis scales.
void FromScales(const KernelContext& ctx, const Shape& x, const std::vector<double>& scales,
                ResizeParams* p) {
  if (scales.size() != x.size())
    ctx.Fail("scales has " + std::to_string(scales.size()) + " entries for rank " +
             std::to_string(x.size()));
  for (size_t d = 0; d < x.size(); ++d) {
    const double s = scales[d];
    if (!(s > 0)) ctx.Fail("scales must be positive");
    const double len = s * static_cast<double>(x[d]);
    p->scales.push_back(s);
    p->out_length.push_back(len);
    p->out_shape.push_back(static_cast<int64_t>(std::floor(len)));
  }
}

// Legacy forms: Upsample 7-9 and Resize 10 (asymmetric, legacy nearest rule).
void LegacyResize(KernelContext& ctx, const std::vector<double>& scales) {
  const Tensor& x = ctx.in(0);
  ResizeParams p;
  p.mode = ReadMode(ctx, false);
  p.coord = ResizeCoord::kAsymmetric;
  p.nearest = ResizeNearest::kLegacy;
  FromScales(ctx, x.shape(), scales, &p);
  RunResize(ctx, x, p);
}

void UpsampleAttrKernel(KernelContext& ctx) {  // opset 7-8
  if (!ctx.has_attr("scales")) ctx.Fail("missing required attribute 'scales'");
  const auto f = ctx.attr_floats("scales");
  LegacyResize(ctx, std::vector<double>(f.begin(), f.end()));
}

void UpsampleInputKernel(KernelContext& ctx) {  // opset 9 (and Resize 10)
  LegacyResize(ctx, ReadFloats(ctx, ctx.in(1)));
}

ResizeCoord ReadCoord(const KernelContext& ctx) {
  const std::string c = ctx.attr_string("coordinate_transformation_mode", "half_pixel");
  if (c == "half_pixel") return ResizeCoord::kHalfPixel;
  if (c == "half_pixel_symmetric") return ResizeCoord::kHalfPixelSymmetric;
  if (c == "pytorch_half_pixel") return ResizeCoord::kPytorchHalfPixel;
  if (c == "align_corners") return ResizeCoord::kAlignCorners;
  if (c == "asymmetric") return ResizeCoord::kAsymmetric;
  if (c == "tf_half_pixel_for_nn") return ResizeCoord::kTfHalfPixelForNN;
  if (c == "tf_crop_and_resize") return ResizeCoord::kTfCropAndResize;
  ctx.Fail("unknown coordinate_transformation_mode '" + c + "'");
}

ResizeNearest ReadNearest(const KernelContext& ctx) {
  const std::string n = ctx.attr_string("nearest_mode", "round_prefer_floor");
  if (n == "round_prefer_floor") return ResizeNearest::kRoundPreferFloor;
  if (n == "round_prefer_ceil") return ResizeNearest::kRoundPreferCeil;
  if (n == "floor") return ResizeNearest::kFloor;
  if (n == "ceil") return ResizeNearest::kCeil;
  ctx.Fail("unknown nearest_mode '" + n + "'");
}

// Output shape and scales from `sizes` (with keep_aspect_ratio_policy from opset 18).
void FromSizes(const KernelContext& ctx, const Shape& x, const std::vector<int64_t>& axes,
               const std::vector<int64_t>& sizes, ResizeParams* p) {
  const int r = static_cast<int>(x.size());
  if (sizes.size() != axes.size())
    ctx.Fail("sizes has " + std::to_string(sizes.size()) + " entries for " +
             std::to_string(axes.size()) + " axes");
  p->scales.assign(static_cast<size_t>(r), 1.0);
  p->out_shape = x;
  for (size_t i = 0; i < axes.size(); ++i) {
    const size_t a = static_cast<size_t>(axes[i]);
    if (sizes[i] < 0) ctx.Fail("negative size " + std::to_string(sizes[i]));
    if (x[a] == 0) ctx.Fail("cannot resize an empty axis");
    p->out_shape[a] = sizes[i];
    p->scales[a] = static_cast<double>(sizes[i]) / static_cast<double>(x[a]);
  }
  for (int d = 0; d < r; ++d)
    p->out_length.push_back(static_cast<double>(p->out_shape[static_cast<size_t>(d)]));
  const std::string policy =
      ctx.opset() >= 18 ? ctx.attr_string("keep_aspect_ratio_policy", "stretch") : "stretch";
  if (policy == "stretch") return;
  if (policy != "not_larger" && policy != "not_smaller")
    ctx.Fail("unknown keep_aspect_ratio_policy '" + policy + "'");
  double s = p->scales[static_cast<size_t>(axes[0])];
  for (int64_t a : axes) {
    const double v = p->scales[static_cast<size_t>(a)];
    s = policy == "not_larger" ? std::min(s, v) : std::max(s, v);
  }
  for (int64_t a : axes) {
    const size_t i = static_cast<size_t>(a);
    const double len = s * static_cast<double>(x[i]);
    p->scales[i] = s;
    p->out_length[i] = len;
    p->out_shape[i] = static_cast<int64_t>(len + 0.5);  // round half up
  }
}

}  // namespace

ResizeParams ReadResizeParams(const KernelContext& ctx, const Shape& x) {
  const int r = static_cast<int>(x.size());
  ResizeParams p;
  p.mode = ReadMode(ctx, true);
  p.coord = ReadCoord(ctx);
  p.nearest = ReadNearest(ctx);
  p.cubic_a = ctx.attr_float("cubic_coeff_a", -0.75f);
  p.exclude_outside = ctx.attr_int("exclude_outside", 0) != 0;
  p.extrapolation = ctx.attr_float("extrapolation_value", 0.0f);
  p.antialias = ctx.opset() >= 18 && ctx.attr_int("antialias", 0) != 0;
  std::vector<int64_t> axes;
  if (ctx.opset() >= 18 && ctx.has_attr("axes")) {
    std::vector<bool> seen(static_cast<size_t>(r), false);
    for (int64_t a : ctx.attr_ints("axes")) {
      const int64_t d = NormalizeAxis(ctx, a, r);
      if (seen[static_cast<size_t>(d)]) ctx.Fail("axis " + std::to_string(a) + " repeated");
      seen[static_cast<size_t>(d)] = true;
      axes.push_back(d);
    }
  } else {
    for (int d = 0; d < r; ++d) axes.push_back(d);
  }
  const Tensor* scales = ctx.input(2);
  const Tensor* sizes = ctx.input(3);
  const bool have_scales = scales != nullptr && scales->numel() > 0;
  const bool have_sizes = sizes != nullptr && sizes->numel() > 0;
  if (have_scales == have_sizes) ctx.Fail("exactly one of 'scales' and 'sizes' must be given");
  p.roi_start.assign(static_cast<size_t>(r), 0.0);
  p.roi_end.assign(static_cast<size_t>(r), 1.0);
  if (p.coord == ResizeCoord::kTfCropAndResize) {
    const Tensor* roi = ctx.input(1);
    if (roi == nullptr || roi->numel() == 0) ctx.Fail("tf_crop_and_resize needs 'roi'");
    const auto v = ReadFloats(ctx, *roi);
    if (v.size() != 2 * axes.size()) ctx.Fail("roi must hold 2 values per resized axis");
    for (size_t i = 0; i < axes.size(); ++i) {
      p.roi_start[static_cast<size_t>(axes[i])] = v[i];
      p.roi_end[static_cast<size_t>(axes[i])] = v[i + axes.size()];
    }
  }
  if (have_scales) {
    const auto s = ReadFloats(ctx, *scales);
    if (s.size() != axes.size())
      ctx.Fail("scales has " + std::to_string(s.size()) + " entries for " +
               std::to_string(axes.size()) + " axes");
    std::vector<double> full(static_cast<size_t>(r), 1.0);
    for (size_t i = 0; i < axes.size(); ++i) full[static_cast<size_t>(axes[i])] = s[i];
    FromScales(ctx, x, full, &p);
  } else {
    FromSizes(ctx, x, axes, ReadInts(ctx, *sizes), &p);
  }
  return p;
}

ResizeAxisTaps PlanResizeAxis(const ResizeParams& p, int axis, int64_t in) {
  return PlanAxis(p, axis, in);
}

namespace {

void ResizeKernel(KernelContext& ctx) {  // opset 11+
  const Tensor& x = ctx.in(0);
  RunResize(ctx, x, ReadResizeParams(ctx, x.shape()));
}

}  // namespace

SHRINK_REF_KERNEL("", "Upsample", 7, 8, UpsampleAttrKernel);
SHRINK_REF_KERNEL("", "Upsample", 9, 9, UpsampleInputKernel);
SHRINK_REF_KERNEL("", "Resize", 10, 10, UpsampleInputKernel);
SHRINK_REF_KERNEL("", "Resize", 11, kLatestOpset, ResizeKernel);

}  // namespace shrink::runtime
