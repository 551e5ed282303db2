#include "quant/quant_params.h"

#include <algorithm>
#include <cmath>

namespace shrink::quant {

Expected<QuantGrid> GridFor(DataType dtype, bool symmetric, bool reduce_range) {
  if (dtype == DataType::kUInt8) return QuantGrid{0, reduce_range ? 127 : 255, symmetric};
  if (dtype == DataType::kInt8 && reduce_range)
    return symmetric ? QuantGrid{-64, 64, true} : QuantGrid{-64, 63, false};
  if (dtype == DataType::kInt8)
    return symmetric ? QuantGrid{-127, 127, true} : QuantGrid{-128, 127, false};
  if (dtype == DataType::kInt4)  // weights only (W4A8)
    return symmetric ? QuantGrid{-7, 7, true} : QuantGrid{-8, 7, false};
  return InvalidArgument(std::string("quantized dtype must be uint8, int8 or int4, got ") +
                         DataTypeName(dtype));
}

QuantParams ParamsFor(Range range, const QuantGrid& grid) {
  const Range r = FinalizeRange(range, grid);
  QuantParams p;
  if (grid.symmetric) {
    p.zero_point = static_cast<int32_t>(grid.qmin < 0 ? 0 : (grid.qmin + grid.qmax + 1) / 2);
    const double t = std::max(-r.lo, r.hi);
    const double scale = t / static_cast<double>(grid.qmax - p.zero_point);
    p.scale = scale > 0 ? static_cast<float>(scale) : 1.0f;
    return p;
  }
  const double scale = (r.hi - r.lo) / static_cast<double>(grid.qmax - grid.qmin);
  if (!(scale > 0) || !std::isfinite(scale)) {
    p.zero_point = static_cast<int32_t>(std::clamp<int64_t>(0, grid.qmin, grid.qmax));
    return p;
  }
  p.scale = static_cast<float>(scale);
  const double zp = std::nearbyint(static_cast<double>(grid.qmin) - r.lo / p.scale);
  p.zero_point = static_cast<int32_t>(
      std::clamp(zp, static_cast<double>(grid.qmin), static_cast<double>(grid.qmax)));
  return p;
}

double FakeQuantize(double x, const QuantParams& p, const QuantGrid& grid) {
  double q = std::nearbyint(x / p.scale) + p.zero_point;
  q = std::clamp(q, static_cast<double>(grid.qmin), static_cast<double>(grid.qmax));
  return (q - p.zero_point) * static_cast<double>(p.scale);
}

Expected<QuantizedTensor> QuantizeWeight(const Tensor& w, int64_t axis, DataType dtype,
                                         bool symmetric, bool reduce_range) {
  if (w.dtype() != DataType::kFloat32)
    return InvalidArgument(std::string("weight must be float32, got ") + DataTypeName(w.dtype()));
  if (axis >= w.rank())
    return InvalidArgument("quantization axis " + std::to_string(axis) + " out of range for " +
                           ShapeToString(w.shape()));
  SHRINK_ASSIGN_OR_RETURN(QuantGrid grid, GridFor(dtype, symmetric, reduce_range));
  // Element i belongs to channel (i / inner) % channels.
  const int64_t channels = axis < 0 ? 1 : w.dim(static_cast<int>(axis));
  int64_t inner = 1;
  for (int64_t d = axis + 1; axis >= 0 && d < w.rank(); ++d) inner *= w.dim(static_cast<int>(d));
  const float* x = w.data<float>();
  std::vector<Range> ranges(static_cast<size_t>(channels), Range{INFINITY, -INFINITY});
  for (int64_t i = 0; i < w.numel(); ++i) {
    Range& r = ranges[static_cast<size_t>((i / inner) % channels)];
    r.lo = std::min<double>(r.lo, x[i]);
    r.hi = std::max<double>(r.hi, x[i]);
  }
  std::vector<QuantParams> params;
  for (Range r : ranges) params.push_back(ParamsFor(std::isfinite(r.lo) ? r : Range{}, grid));
  QuantizedTensor out;
  out.axis = axis;
  out.codes = Tensor(dtype, w.shape());
  const Shape pshape = axis < 0 ? Shape{} : Shape{channels};
  out.scale = Tensor(DataType::kFloat32, pshape);
  out.zero_point = Tensor(dtype, pshape);
  for (int64_t c = 0; c < channels; ++c) {
    out.scale.data<float>()[c] = params[static_cast<size_t>(c)].scale;
    out.zero_point.SetFromDouble(c, params[static_cast<size_t>(c)].zero_point);
  }
  for (int64_t i = 0; i < w.numel(); ++i) {
    const QuantParams& p = params[static_cast<size_t>((i / inner) % channels)];
    const double q = std::nearbyint(x[i] / p.scale) + p.zero_point;
    out.codes.SetFromDouble(
        i, std::clamp(q, static_cast<double>(grid.qmin), static_cast<double>(grid.qmax)));
  }
  return out;
}

Expected<QuantizedTensor> QuantizeBias(const Tensor& bias, float input_scale,
                                       const Tensor& weight_scale) {
  if (bias.dtype() != DataType::kFloat32)
    return InvalidArgument(std::string("bias must be float32, got ") + DataTypeName(bias.dtype()));
  const int64_t channels = weight_scale.numel();
  if (channels != 1 && bias.numel() != channels)
    return InvalidArgument("bias of " + ShapeToString(bias.shape()) + " for " +
                           std::to_string(channels) + " weight scales");
  QuantizedTensor out;
  out.axis = channels == 1 ? -1 : 0;
  out.codes = Tensor(DataType::kInt32, bias.shape());
  out.scale = Tensor(DataType::kFloat32, channels == 1 ? Shape{} : Shape{channels});
  for (int64_t c = 0; c < channels; ++c)
    out.scale.data<float>()[c] = input_scale * weight_scale.data<float>()[c];
  for (int64_t i = 0; i < bias.numel(); ++i) {
    const double s = out.scale.data<float>()[channels == 1 ? 0 : i];
    const double q = std::nearbyint(bias.data<float>()[i] / s);
    out.codes.data<int32_t>()[i] =
        static_cast<int32_t>(std::clamp(q, double{INT32_MIN}, double{INT32_MAX}));
  }
  return out;
}

}  // namespace shrink::quant
