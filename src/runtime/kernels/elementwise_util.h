// Helpers shared by the elementwise reference kernel families (binary, variadic, unary,
// activation, logical, reduce, softmax, normalization):
//  - BinaryShapes: numpy broadcasting, or the legacy (opset < 7) `broadcast` / `axis` rule;
//  - MapUnary / MapBinary: typed loops over (broadcast) buffers;
//  - FloatUnary / NumericUnary: output 0 = f(input 0) elementwise, same dtype, for float32/64 or
//    any plain numeric dtype (Unsupported() otherwise);
//  - WrapAdd / WrapSub / WrapMul / WrapNeg: integer arithmetic that wraps modulo 2^bits like numpy
//    (no signed-overflow UB), plain arithmetic for floating point;
//  - FloatToInt: float -> integer conversion that saturates (NaN -> 0) instead of being UB;
//  - HalfAsFloat: runs a float32 kernel on float16/bfloat16 tensors: half inputs are widened to
//    float32, float32 outputs are rounded back once to the half type of the "type" input (as ONNX
//    Runtime computes half-precision elementwise ops).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "core/tensor.h"
#include "runtime/kernel.h"
#include "runtime/kernels/kernel_util.h"

namespace shrink::runtime {

// Shapes under which `a` and `b` broadcast. Numpy rules: the shapes themselves. Legacy rule
// (`legacy`, the ops' opset < 7 versions): attribute broadcast=0 requires equal shapes;
// broadcast=1 aligns b with a starting at attribute `axis` (default: a's trailing dims), and b
// must broadcast to a. Fail()s on a violation.
std::vector<Shape> BinaryShapes(const KernelContext& ctx, const Shape& a, const Shape& b,
                                bool legacy);

// Fail()s unless a and b have the same dtype.
void RequireSameDtype(const KernelContext& ctx, const Tensor& a, const Tensor& b);

// out[i] = f(x[i]); out has dtype `out_type` and x's shape.
template <typename TOut, typename TIn, typename F>
Tensor MapUnary(const Tensor& x, DataType out_type, F&& f) {
  Tensor out(out_type, x.shape());
  const TIn* px = RawAs<TIn>(x);
  TOut* po = RawAs<TOut>(out);
  for (int64_t i = 0; i < x.numel(); ++i) po[i] = f(px[i]);
  return out;
}

// Output 0 = f(x) elementwise for float32/float64 input 0 (Unsupported() for other dtypes).
template <typename F>
void FloatUnary(KernelContext& ctx, F f) {
  const Tensor& x = ctx.in(0);
  DispatchFloat(ctx, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    ctx.set_output(0, MapUnary<T, T>(x, x.dtype(), [&](T v) { return static_cast<T>(f(v)); }));
  });
}

// Output 0 = f(x) elementwise for any plain numeric input 0 (Unsupported() for other dtypes).
template <typename F>
void NumericUnary(KernelContext& ctx, F f) {
  const Tensor& x = ctx.in(0);
  DispatchNumeric(ctx, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    ctx.set_output(0, MapUnary<T, T>(x, x.dtype(), [&](T v) { return static_cast<T>(f(v)); }));
  });
}

// out = f(a, b) elementwise over the broadcast of a and b (see BinaryShapes).
template <typename TOut, typename TA, typename TB, typename F>
Tensor MapBinary(const KernelContext& ctx, const Tensor& a, const Tensor& b, DataType out_type,
                 F&& f, bool legacy = false) {
  const std::vector<Shape> shapes = BinaryShapes(ctx, a.shape(), b.shape(), legacy);
  const Shape out_shape = BroadcastShapes(ctx, shapes);
  Tensor out(out_type, out_shape);
  const TA* pa = RawAs<TA>(a);
  const TB* pb = RawAs<TB>(b);
  TOut* po = RawAs<TOut>(out);
  BroadcastIterator it(out_shape, shapes);
  for (int64_t i = 0; i < out.numel(); ++i, it.Next())
    po[i] = f(pa[it.offset(0)], pb[it.offset(1)]);
  return out;
}

// Integer arithmetic modulo 2^bits (numpy semantics); ordinary arithmetic for floating point.
template <typename T>
T WrapAdd(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<T>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
  } else {
    return a + b;
  }
}
template <typename T>
T WrapSub(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<T>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
  } else {
    return a - b;
  }
}
template <typename T>
T WrapMul(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<T>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
  } else {
    return a * b;
  }
}
template <typename T>
T WrapNeg(T a) {
  return WrapSub(T(0), a);
}

// double -> integer T, saturating at T's range; NaN -> 0. (ONNX leaves out-of-range float to
// integer conversion undefined; we pick the one answer that is never UB.)
template <typename T>
T FloatToInt(double v) {
  static_assert(std::is_integral_v<T>);
  if (std::isnan(v)) return T(0);
  if (v <= static_cast<double>(std::numeric_limits<T>::lowest())) {
    return std::numeric_limits<T>::lowest();
  }
  // max() rounds up to a power of two as a double for 64-bit types, hence >=.
  if (v >= static_cast<double>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
  return static_cast<T>(v);
}

// double -> T: FloatToInt for integers, a plain cast for floating point.
template <typename T>
T FromDouble(double v) {
  if constexpr (std::is_integral_v<T>) {
    return FloatToInt<T>(v);
  } else {
    return static_cast<T>(v);
  }
}

bool IsHalfType(DataType t);  // float16 or bfloat16

// float16/bfloat16 <-> float32 copies.
Tensor HalfToFloat32(const Tensor& t);
Tensor Float32ToHalf(const Tensor& t, DataType half_type);

// Runs `fn` with every float16/bfloat16 input widened to float32; afterwards each float32 output
// selected by `output_mask` (bit i = output i) is rounded back to the dtype of input
// `type_input` when that input was a half type. Without half inputs it simply calls fn(ctx).
void RunHalfAsFloat(KernelContext& ctx, KernelFn fn, int type_input, uint32_t output_mask);

template <KernelFn Fn, int kTypeInput = 0, uint32_t kOutputMask = 0xffffffffu>
void HalfAsFloat(KernelContext& ctx) {
  RunHalfAsFloat(ctx, Fn, kTypeInput, kOutputMask);
}

}  // namespace shrink::runtime
