// Reference kernels: unary math Sqrt, Exp, Log, Reciprocal, Erf, Floor, Ceil, Round, Sin, Cos,
// Tan, Atan, Tanh (floating point), Neg, Abs, Sign (any numeric), IsNaN, IsInf (-> bool).
//
// No opset version of these ops changes semantics (later versions only add dtypes). Round rounds
// half to even. Integer Neg/Abs wrap like numpy (Abs(INT_MIN) == INT_MIN); Neg of an unsigned
// dtype is not an ONNX type and is reported unsupported. Half types compute in float32.
#include <cmath>
#include <string>

#include "runtime/kernel.h"
#include "runtime/kernels/elementwise_util.h"
#include "runtime/kernels/kernel_util.h"

namespace shrink::runtime {
namespace {

void SqrtKernel(KernelContext& ctx) {
  FloatUnary(ctx, [](auto v) { return std::sqrt(v); });
}
void ExpKernel(KernelContext& ctx) {
  FloatUnary(ctx, [](auto v) { return std::exp(v); });
}
void LogKernel(KernelContext& ctx) {
  FloatUnary(ctx, [](auto v) { return std::log(v); });
}
void ErfKernel(KernelContext& ctx) {
  FloatUnary(ctx, [](auto v) { return std::erf(v); });
}
void FloorKernel(KernelContext& ctx) {
  FloatUnary(ctx, [](auto v) { return std::floor(v); });
}
void CeilKernel(KernelContext& ctx) {
  FloatUnary(ctx, [](auto v) { return std::ceil(v); });
}
// nearbyint uses the default rounding mode: round half to even, as ONNX Round requires.
void RoundKernel(KernelContext& ctx) {
  FloatUnary(ctx, [](auto v) { return std::nearbyint(v); });
}
void SinKernel(KernelContext& ctx) {
  FloatUnary(ctx, [](auto v) { return std::sin(v); });
}
void CosKernel(KernelContext& ctx) {
  FloatUnary(ctx, [](auto v) { return std::cos(v); });
}
void TanKernel(KernelContext& ctx) {
  FloatUnary(ctx, [](auto v) { return std::tan(v); });
}
void AtanKernel(KernelContext& ctx) {
  FloatUnary(ctx, [](auto v) { return std::atan(v); });
}
void TanhKernel(KernelContext& ctx) {
  FloatUnary(ctx, [](auto v) { return std::tanh(v); });
}

void ReciprocalKernel(KernelContext& ctx) {
  FloatUnary(ctx, [](auto v) { return decltype(v)(1) / v; });
}

void NegKernel(KernelContext& ctx) {
  const DataType t = ctx.in(0).dtype();
  if (IsInteger(t) && !IsSigned(t)) {
    ctx.Unsupported(std::string("dtype ") + DataTypeName(t) + " (Neg takes signed types)");
  }
  NumericUnary(ctx, [](auto v) { return WrapNeg(v); });
}

void AbsKernel(KernelContext& ctx) {
  NumericUnary(ctx, [](auto v) {
    using T = decltype(v);
    if constexpr (std::is_floating_point_v<T>) {
      return std::fabs(v);
    } else if constexpr (std::is_signed_v<T>) {
      return v < 0 ? WrapNeg(v) : v;
    } else {
      return v;
    }
  });
}

void SignKernel(KernelContext& ctx) {
  NumericUnary(ctx, [](auto v) {
    using T = decltype(v);
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(v)) return v;
    }
    return static_cast<T>((T(0) < v) - (v < T(0)));
  });
}

void IsNaNKernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  DispatchFloat(ctx, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    ctx.set_output(0, MapUnary<bool, T>(x, DataType::kBool, [](T v) { return std::isnan(v); }));
  });
}

void IsInfKernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const bool negative = ctx.attr_int("detect_negative", 1) != 0;
  const bool positive = ctx.attr_int("detect_positive", 1) != 0;
  DispatchFloat(ctx, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    ctx.set_output(0, MapUnary<bool, T>(x, DataType::kBool, [&](T v) {
                     return std::isinf(v) && (v > 0 ? positive : negative);
                   }));
  });
}

}  // namespace

SHRINK_REF_KERNEL("", "Sqrt", 1, kLatestOpset, HalfAsFloat<SqrtKernel>);
SHRINK_REF_KERNEL("", "Exp", 1, kLatestOpset, HalfAsFloat<ExpKernel>);
SHRINK_REF_KERNEL("", "Log", 1, kLatestOpset, HalfAsFloat<LogKernel>);
SHRINK_REF_KERNEL("", "Reciprocal", 1, kLatestOpset, HalfAsFloat<ReciprocalKernel>);
SHRINK_REF_KERNEL("", "Erf", 9, kLatestOpset, HalfAsFloat<ErfKernel>);
SHRINK_REF_KERNEL("", "Floor", 1, kLatestOpset, HalfAsFloat<FloorKernel>);
SHRINK_REF_KERNEL("", "Ceil", 1, kLatestOpset, HalfAsFloat<CeilKernel>);
SHRINK_REF_KERNEL("", "Round", 11, kLatestOpset, HalfAsFloat<RoundKernel>);
SHRINK_REF_KERNEL("", "Sin", 7, kLatestOpset, HalfAsFloat<SinKernel>);
SHRINK_REF_KERNEL("", "Cos", 7, kLatestOpset, HalfAsFloat<CosKernel>);
SHRINK_REF_KERNEL("", "Tan", 7, kLatestOpset, HalfAsFloat<TanKernel>);
SHRINK_REF_KERNEL("", "Atan", 7, kLatestOpset, HalfAsFloat<AtanKernel>);
SHRINK_REF_KERNEL("", "Tanh", 1, kLatestOpset, HalfAsFloat<TanhKernel>);
SHRINK_REF_KERNEL("", "Neg", 1, kLatestOpset, HalfAsFloat<NegKernel>);
SHRINK_REF_KERNEL("", "Abs", 1, kLatestOpset, HalfAsFloat<AbsKernel>);
SHRINK_REF_KERNEL("", "Sign", 9, kLatestOpset, HalfAsFloat<SignKernel>);
SHRINK_REF_KERNEL("", "IsNaN", 9, kLatestOpset, HalfAsFloat<IsNaNKernel>);
SHRINK_REF_KERNEL("", "IsInf", 10, kLatestOpset, HalfAsFloat<IsInfKernel>);

}  // namespace shrink::runtime
