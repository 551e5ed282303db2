// Resize parameters and per-axis sampling taps, shared by the reference Resize kernel
// (resize.cc, the oracle) and the fast one (runtime/fast/resize_native.cc), so both map output
// coordinates to input taps with the same code.
//
// ReadResizeParams: the opset 11+ Resize attributes and its roi / scales / sizes inputs (read from
// `ctx`, input 0 not needed) for an input of shape `x`; bad values Fail() through `ctx`.
// PlanResizeAxis: per output coordinate of `axis`, its taps (index, weight) or an extrapolation
// mark (tf_crop_and_resize outside the roi). ResizeNearest gives one tap, linear up to two, cubic
// four (antialias widens linear / cubic when downscaling); out-of-range taps are clamped to the
// edge.
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/kernel.h"

namespace shrink::runtime {

enum class ResizeMode { kNearest, kLinear, kCubic };
enum class ResizeCoord {
  kHalfPixel,
  kHalfPixelSymmetric,
  kPytorchHalfPixel,
  kAlignCorners,
  kAsymmetric,
  kTfHalfPixelForNN,
  kTfCropAndResize,
};
enum class ResizeNearest { kRoundPreferFloor, kRoundPreferCeil, kFloor, kCeil, kLegacy };

struct ResizeParams {
  ResizeMode mode = ResizeMode::kNearest;
  ResizeCoord coord = ResizeCoord::kHalfPixel;
  ResizeNearest nearest = ResizeNearest::kRoundPreferFloor;
  double cubic_a = -0.75;
  bool exclude_outside = false;
  bool antialias = false;
  double extrapolation = 0.0;
  std::vector<double> scales;      // per axis (full rank)
  std::vector<double> out_length;  // fractional output length per axis (scale * in, or size)
  Shape out_shape;
  std::vector<double> roi_start, roi_end;  // per axis, normalized (tf_crop_and_resize)
};

struct ResizeTap {
  int64_t index;
  double weight;
};

// Per axis and output coordinate: the taps, or none when the coordinate extrapolates.
struct ResizeAxisTaps {
  std::vector<std::vector<ResizeTap>> taps;
  std::vector<bool> extrapolate;
};

ResizeParams ReadResizeParams(const KernelContext& ctx, const Shape& x);
ResizeAxisTaps PlanResizeAxis(const ResizeParams& p, int axis, int64_t in);

}  // namespace shrink::runtime
