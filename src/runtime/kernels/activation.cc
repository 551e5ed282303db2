// Reference kernels: activations Relu, LeakyRelu, Elu, Selu, Celu, Sigmoid, HardSigmoid,
// HardSwish, Softplus, Softsign, ThresholdedRelu, Gelu, PRelu.
//
// No opset version changes the formula of these ops (later versions add dtypes; opset 1 had the
// ignored `consumed_inputs`). Relu and PRelu also take signed integers (ONNX 14 / 9); the rest
// are floating point. PRelu's slope broadcasts unidirectionally to X. Gelu (opset 20) supports
// approximate="none" (erf) and "tanh". Half types compute in float32. com.shrink HardSwish
// (passes::FuseHardSwish below opset 14) shares ONNX HardSwish's kernel.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "runtime/kernel.h"
#include "runtime/kernels/elementwise_util.h"
#include "runtime/kernels/kernel_util.h"

namespace shrink::runtime {
namespace {

void ReluKernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  if (IsInteger(x.dtype()) && !IsSigned(x.dtype())) {
    ctx.Unsupported(std::string("dtype ") + DataTypeName(x.dtype()));
  }
  DispatchNumeric(ctx, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    ctx.set_output(0, MapUnary<T, T>(x, x.dtype(), [](T v) { return v < T(0) ? T(0) : v; }));
  });
}

void LeakyReluKernel(KernelContext& ctx) {
  const double alpha = ctx.attr_float("alpha", 0.01f);
  FloatUnary(ctx, [&](auto v) { return v < 0 ? alpha * v : v; });
}

void EluKernel(KernelContext& ctx) {
  const double alpha = ctx.attr_float("alpha", 1.0f);
  FloatUnary(ctx, [&](auto v) { return v < 0 ? alpha * std::expm1(double(v)) : double(v); });
}

void SeluKernel(KernelContext& ctx) {
  const double alpha = ctx.attr_float("alpha", 1.67326319217681884765625f);
  const double gamma = ctx.attr_float("gamma", 1.05070102214813232421875f);
  FloatUnary(ctx,
             [&](auto v) { return v > 0 ? gamma * v : gamma * alpha * std::expm1(double(v)); });
}

void CeluKernel(KernelContext& ctx) {
  const double alpha = ctx.attr_float("alpha", 1.0f);
  if (alpha == 0) ctx.Fail("attribute alpha must be non-zero");
  FloatUnary(ctx, [&](auto v) {
    const double x = v;
    return std::max(0.0, x) + std::min(0.0, alpha * std::expm1(x / alpha));
  });
}

void SigmoidKernel(KernelContext& ctx) {
  FloatUnary(ctx, [](auto v) {
    const double x = v;
    // Split by sign so that exp never overflows.
    return x >= 0 ? 1.0 / (1.0 + std::exp(-x)) : std::exp(x) / (1.0 + std::exp(x));
  });
}

void HardSigmoidKernel(KernelContext& ctx) {
  const double alpha = ctx.attr_float("alpha", 0.2f);
  const double beta = ctx.attr_float("beta", 0.5f);
  FloatUnary(ctx, [&](auto v) { return std::clamp(alpha * v + beta, 0.0, 1.0); });
}

void HardSwishKernel(KernelContext& ctx) {
  FloatUnary(ctx, [](auto v) {
    const double x = v;
    return x * std::clamp(x / 6.0 + 0.5, 0.0, 1.0);
  });
}

void SoftplusKernel(KernelContext& ctx) {
  FloatUnary(ctx, [](auto v) {
    const double x = v;
    // log(1 + exp(x)) without overflow for large x.
    return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
  });
}

void SoftsignKernel(KernelContext& ctx) {
  FloatUnary(ctx, [](auto v) { return double(v) / (1.0 + std::fabs(double(v))); });
}

void ThresholdedReluKernel(KernelContext& ctx) {
  const double alpha = ctx.attr_float("alpha", 1.0f);
  FloatUnary(ctx, [&](auto v) { return v > alpha ? double(v) : 0.0; });
}

void GeluKernel(KernelContext& ctx) {
  const std::string approximate = ctx.attr_string("approximate", "none");
  if (approximate == "none") {
    FloatUnary(ctx, [](auto v) {
      const double x = v;
      return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
    });
  } else if (approximate == "tanh") {
    FloatUnary(ctx, [](auto v) {
      const double x = v;
      const double k = std::sqrt(2.0 / std::numbers::pi);
      return 0.5 * x * (1.0 + std::tanh(k * (x + 0.044715 * x * x * x)));
    });
  } else {
    ctx.Unsupported("approximate='" + approximate + "' (expected 'none' or 'tanh')");
  }
}

// y = x < 0 ? slope * x : x, slope broadcast unidirectionally to x.
template <bool kLegacy>
void PReluKernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Tensor& slope = ctx.in(1);
  RequireSameDtype(ctx, x, slope);
  if (kLegacy && slope.numel() != 1 && slope.shape() != x.shape()) {
    ctx.Unsupported("slope shape " + ShapeToString(slope.shape()) + " for X " +
                    ShapeToString(x.shape()) + " before opset 7 (only 1 element or X's shape)");
  }
  const Shape slope_shape = slope.numel() == 1 ? Shape{} : slope.shape();
  if (BroadcastShapes(ctx, {x.shape(), slope_shape}) != x.shape()) {
    ctx.Fail("slope " + ShapeToString(slope.shape()) + " does not broadcast to X " +
             ShapeToString(x.shape()));
  }
  if (IsInteger(x.dtype()) && !IsSigned(x.dtype())) {
    ctx.Unsupported(std::string("dtype ") + DataTypeName(x.dtype()));
  }
  DispatchNumeric(ctx, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    ctx.set_output(0, MapBinary<T, T, T>(ctx, x, slope.Reshaped(slope_shape), x.dtype(),
                                         [](T v, T s) { return v < T(0) ? WrapMul(s, v) : v; }));
  });
}

template <typename T>
void ClipTyped(KernelContext& ctx, const Tensor& x, T lo, T hi) {
  ctx.set_output(0, MapUnary<T, T>(x, x.dtype(), [&](T v) {
                   // NaN stays NaN; lo > hi yields hi everywhere (as ONNX specifies).
                   if (v < lo) v = lo;
                   if (hi < v) v = hi;
                   return v;
                 }));
}

// Before opset 11: bounds are float attributes, absent meaning unbounded.
void ClipAttrKernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  DispatchFloat(ctx, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T lo =
        ctx.has_attr("min") ? T(ctx.attr_float("min", 0)) : -std::numeric_limits<T>::infinity();
    const T hi =
        ctx.has_attr("max") ? T(ctx.attr_float("max", 0)) : std::numeric_limits<T>::infinity();
    ClipTyped<T>(ctx, x, lo, hi);
  });
}

// From opset 11: bounds are optional one-element inputs of X's dtype.
void ClipInputKernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  DispatchNumeric(ctx, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    auto bound = [&](int i, T dflt) {
      const Tensor* b = ctx.input(i);
      if (b == nullptr) return dflt;
      RequireSameDtype(ctx, x, *b);
      if (b->numel() != 1) ctx.Fail("min/max must be a scalar, got " + ShapeToString(b->shape()));
      return b->data<T>()[0];
    };
    using Limits = std::numeric_limits<T>;
    const T lowest = Limits::has_infinity ? -Limits::infinity() : Limits::lowest();
    const T highest = Limits::has_infinity ? Limits::infinity() : Limits::max();
    ClipTyped<T>(ctx, x, bound(1, lowest), bound(2, highest));
  });
}

}  // namespace

SHRINK_REF_KERNEL("", "Relu", 1, kLatestOpset, HalfAsFloat<ReluKernel>);
SHRINK_REF_KERNEL("", "LeakyRelu", 1, kLatestOpset, HalfAsFloat<LeakyReluKernel>);
SHRINK_REF_KERNEL("", "Elu", 1, kLatestOpset, HalfAsFloat<EluKernel>);
SHRINK_REF_KERNEL("", "Selu", 1, kLatestOpset, HalfAsFloat<SeluKernel>);
SHRINK_REF_KERNEL("", "Celu", 12, kLatestOpset, HalfAsFloat<CeluKernel>);
SHRINK_REF_KERNEL("", "Sigmoid", 1, kLatestOpset, HalfAsFloat<SigmoidKernel>);
SHRINK_REF_KERNEL("", "HardSigmoid", 1, kLatestOpset, HalfAsFloat<HardSigmoidKernel>);
SHRINK_REF_KERNEL("", "HardSwish", 14, kLatestOpset, HalfAsFloat<HardSwishKernel>);
// fuse_hardswish's op below opset 14 (the same formula).
SHRINK_REF_KERNEL("com.shrink", "HardSwish", 1, kLatestOpset, HalfAsFloat<HardSwishKernel>);
SHRINK_REF_KERNEL("", "Softplus", 1, kLatestOpset, HalfAsFloat<SoftplusKernel>);
SHRINK_REF_KERNEL("", "Softsign", 1, kLatestOpset, HalfAsFloat<SoftsignKernel>);
SHRINK_REF_KERNEL("", "ThresholdedRelu", 10, kLatestOpset, HalfAsFloat<ThresholdedReluKernel>);
SHRINK_REF_KERNEL("", "Gelu", 20, kLatestOpset, HalfAsFloat<GeluKernel>);
SHRINK_REF_KERNEL("", "PRelu", 1, 6, HalfAsFloat<PReluKernel<true>>);
SHRINK_REF_KERNEL("", "PRelu", 7, kLatestOpset, HalfAsFloat<PReluKernel<false>>);
SHRINK_REF_KERNEL("", "Clip", 1, 10, HalfAsFloat<ClipAttrKernel>);
SHRINK_REF_KERNEL("", "Clip", 11, kLatestOpset, HalfAsFloat<ClipInputKernel>);

}  // namespace shrink::runtime
