// Small helpers shared by the quantization kernels (quantize.cc, qlinear.cc, integer_ops.cc,
// qlinear_add.cc, qlinear_global_average_pool.cc).
//
// Contract: QuantRange gives the saturation range of an integer quantized dtype (int4/uint4,
// (u)int8, (u)int16, int32) and Unsupported()s anything else (float8 types are not
// representable in shrink's Tensor). RoundHalfEven rounds with ties to even (the ONNX rule, as
// numpy.rint / std::nearbyint in the default rounding mode). ToInt32Minus converts an integer
// tensor (incl. packed int4) minus a per-tensor or per-`axis` zero point to int32 values;
// ReadFloats reads a scale tensor of any float dtype.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "runtime/kernel.h"

namespace shrink::runtime {

struct QRange {
  int64_t lo, hi;
};

inline QRange QuantRange(const KernelContext& ctx, DataType t) {
  switch (t) {
    case DataType::kInt4:
      return {-8, 7};
    case DataType::kUInt4:
      return {0, 15};
    case DataType::kInt8:
      return {-128, 127};
    case DataType::kUInt8:
      return {0, 255};
    case DataType::kInt16:
      return {-32768, 32767};
    case DataType::kUInt16:
      return {0, 65535};
    case DataType::kInt32:
      return {INT32_MIN, INT32_MAX};
    default:
      ctx.Unsupported(std::string("quantized dtype ") + DataTypeName(t));
  }
}

template <typename F>
F RoundHalfEven(F v) {
  return std::nearbyint(v);
}

// Saturating store of an already rounded value.
inline void StoreQuantized(Tensor& t, int64_t i, double v, QRange r) {
  t.SetFromDouble(i, v < static_cast<double>(r.lo)   ? static_cast<double>(r.lo)
                     : v > static_cast<double>(r.hi) ? static_cast<double>(r.hi)
                                                     : v);
}

// Integer tensor values as int32 after subtracting a zero point that is absent (0), a single
// element, or 1-D along `axis` (per-channel). Fail()s on other zero-point shapes or non-integer
// dtypes.
inline std::vector<int32_t> ToInt32Minus(const KernelContext& ctx, const Tensor& x,
                                         const Tensor* zp, int axis, const char* what) {
  if (!IsInteger(x.dtype())) ctx.Fail(std::string(what) + " must be an integer tensor");
  if (zp && zp->dtype() != x.dtype())
    ctx.Fail(std::string(what) + " zero point dtype differs from its tensor");
  int64_t inner = 1, channels = 1;
  if (zp && zp->numel() != 1) {
    if (zp->rank() != 1 || axis < 0 || axis >= x.rank() || zp->numel() != x.dim(axis))
      ctx.Fail(std::string(what) + " zero point shape " + ShapeToString(zp->shape()) +
               " is neither per-tensor nor per-channel for " + ShapeToString(x.shape()));
    channels = x.dim(axis);
    for (int d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
  }
  std::vector<int32_t> zpv(static_cast<size_t>(channels), 0);
  if (zp)
    for (int64_t c = 0; c < channels; ++c) zpv[c] = static_cast<int32_t>(zp->GetAsDouble(c));
  std::vector<int32_t> out(static_cast<size_t>(x.numel()));
  const bool fast8 = x.dtype() == DataType::kUInt8 || x.dtype() == DataType::kInt8;
  for (int64_t i = 0; i < x.numel(); ++i) {
    int32_t v;
    if (x.dtype() == DataType::kUInt8)
      v = static_cast<const uint8_t*>(x.raw())[i];
    else if (fast8)
      v = static_cast<const int8_t*>(x.raw())[i];
    else
      v = static_cast<int32_t>(x.GetAsDouble(i));
    out[i] = v - zpv[static_cast<size_t>((i / inner) % channels)];
  }
  return out;
}

// A floating-point tensor (scale) as float values; Fail()s on other dtypes.
inline std::vector<float> ReadFloats(const KernelContext& ctx, const Tensor& t, const char* what) {
  if (!IsFloat(t.dtype())) ctx.Fail(std::string(what) + " must be floating point");
  std::vector<float> v(static_cast<size_t>(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) v[i] = static_cast<float>(t.GetAsDouble(i));
  return v;
}

// The com.microsoft QLinear* ops' per-tensor parameters: the scale in input i (a scalar), and
// the zero point in input i (absent: 0; else a scalar of the quantized dtype).
inline float ScalarParam(const KernelContext& ctx, int i, const char* what) {
  const std::vector<float> v = ReadFloats(ctx, ctx.in(i), what);
  if (v.size() != 1) ctx.Fail(std::string(what) + " must be a scalar");
  return v[0];
}
inline int32_t ZeroPointParam(const KernelContext& ctx, int i, DataType dtype) {
  const Tensor* zp = ctx.input(i);
  if (!zp) return 0;
  if (zp->numel() != 1 || zp->dtype() != dtype)
    ctx.Fail("zero points must be scalars of the quantized dtype");
  return static_cast<int32_t>(zp->GetAsDouble(0));
}

}  // namespace shrink::runtime
