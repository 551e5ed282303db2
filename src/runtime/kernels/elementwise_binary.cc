// Reference kernels: binary arithmetic Add, Sub, Mul, Div, Pow, Mod, BitShift.
//
// Opset differences: before opset 7, Add/Sub/Mul/Div/Pow broadcast with the legacy
// `broadcast`/`axis` attributes; from 7 on, numpy rules. Integer arithmetic wraps like numpy;
// integer Div truncates toward zero and fails on a zero divisor. Half types compute in float32.
#include <cmath>
#include <string>

#include "runtime/kernel.h"
#include "runtime/kernels/elementwise_util.h"
#include "runtime/kernels/kernel_util.h"

namespace shrink::runtime {
namespace {

// Same-dtype numeric op over the broadcast of inputs 0 and 1; f(ctx, x, y) -> T.
template <bool kLegacy, typename F>
void Arithmetic(KernelContext& ctx, F f) {
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(1);
  RequireSameDtype(ctx, a, b);
  DispatchNumeric(ctx, a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    ctx.set_output(0, MapBinary<T, T, T>(
                          ctx, a, b, a.dtype(), [&](T x, T y) { return f(ctx, x, y); }, kLegacy));
  });
}

template <bool kLegacy>
void AddKernel(KernelContext& ctx) {
  Arithmetic<kLegacy>(ctx, [](const KernelContext&, auto x, auto y) { return WrapAdd(x, y); });
}

template <bool kLegacy>
void SubKernel(KernelContext& ctx) {
  Arithmetic<kLegacy>(ctx, [](const KernelContext&, auto x, auto y) { return WrapSub(x, y); });
}

template <bool kLegacy>
void MulKernel(KernelContext& ctx) {
  Arithmetic<kLegacy>(ctx, [](const KernelContext&, auto x, auto y) { return WrapMul(x, y); });
}

template <typename T>
T Divide(const KernelContext& ctx, T x, T y) {
  if constexpr (std::is_integral_v<T>) {
    if (y == 0) ctx.Fail("integer division by zero");
    if constexpr (std::is_signed_v<T>) {
      if (y == -1) return WrapNeg(x);  // avoids the INT_MIN / -1 overflow
    }
    return static_cast<T>(x / y);
  } else {
    return x / y;
  }
}

template <bool kLegacy>
void DivKernel(KernelContext& ctx) {
  Arithmetic<kLegacy>(ctx, [](const KernelContext& c, auto x, auto y) { return Divide(c, x, y); });
}

// Integer power by squaring (wrapping); negative exponents give 0 unless |base| == 1.
template <typename TB, typename TE>
TB IntPow(const KernelContext& ctx, TB base, TE e) {
  if constexpr (std::is_signed_v<TE>) {
    if (e < 0) {
      if (base == 1) return 1;
      if constexpr (std::is_signed_v<TB>) {
        if (base == -1) return (e % 2 == 0) ? 1 : -1;
      }
      if (base == 0) ctx.Fail("integer 0 raised to a negative power");
      return 0;
    }
  }
  TB result = 1;
  TB p = base;
  for (uint64_t n = static_cast<uint64_t>(e); n != 0; n >>= 1) {
    if (n & 1) result = WrapMul(result, p);
    p = WrapMul(p, p);
  }
  return result;
}

template <typename TB, typename TE>
TB PowValue(const KernelContext& ctx, TB base, TE e) {
  if constexpr (std::is_integral_v<TB> && std::is_integral_v<TE>) {
    return IntPow(ctx, base, e);
  } else {
    return FromDouble<TB>(std::pow(static_cast<double>(base), static_cast<double>(e)));
  }
}

// Output dtype is the base's; the exponent may have any numeric dtype (opset 12+ allows mixing).
template <bool kLegacy>
void PowKernel(KernelContext& ctx) {
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(1);
  DispatchNumeric(ctx, a.dtype(), [&](auto base_tag) {
    using TB = typename decltype(base_tag)::type;
    DispatchNumeric(ctx, b.dtype(), [&](auto exp_tag) {
      using TE = typename decltype(exp_tag)::type;
      ctx.set_output(
          0, MapBinary<TB, TB, TE>(
                 ctx, a, b, a.dtype(), [&](TB x, TE y) { return PowValue(ctx, x, y); }, kLegacy));
    });
  });
}

// Mod: fmod=1 takes the dividend's sign (C fmod); fmod=0 (integers only) the divisor's sign.
template <typename T>
T ModValue(const KernelContext& ctx, T x, T y, bool fmod) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::fmod(x, y);
  } else {
    if (y == 0) ctx.Fail("integer modulo by zero");
    if constexpr (std::is_signed_v<T>) {
      if (y == -1) return 0;  // avoids the INT_MIN % -1 overflow
      T r = static_cast<T>(x % y);
      if (!fmod && r != 0 && ((r < 0) != (y < 0))) r = static_cast<T>(r + y);
      return r;
    } else {
      return static_cast<T>(x % y);
    }
  }
}

void ModKernel(KernelContext& ctx) {
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(1);
  RequireSameDtype(ctx, a, b);
  const int64_t fmod = ctx.attr_int("fmod", 0);
  if (fmod != 0 && fmod != 1)
    ctx.Fail("attribute fmod must be 0 or 1, got " + std::to_string(fmod));
  if (IsFloat(a.dtype()) && fmod == 0) ctx.Fail("fmod=0 is not allowed for floating-point inputs");
  DispatchNumeric(ctx, a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    ctx.set_output(0, MapBinary<T, T, T>(ctx, a, b, a.dtype(),
                                         [&](T x, T y) { return ModValue(ctx, x, y, fmod == 1); }));
  });
}

template <typename T>
void BitShiftTyped(KernelContext& ctx, const Tensor& a, const Tensor& b, bool left) {
  constexpr uint64_t kBits = sizeof(T) * 8;
  ctx.set_output(0, MapBinary<T, T, T>(ctx, a, b, a.dtype(), [&](T x, T s) {
                   if (static_cast<uint64_t>(s) >= kBits) return T(0);
                   return static_cast<T>(left ? x << s : x >> s);
                 }));
}

void BitShiftKernel(KernelContext& ctx) {
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(1);
  RequireSameDtype(ctx, a, b);
  const std::string direction = ctx.attr_string("direction", "");
  if (direction != "LEFT" && direction != "RIGHT") {
    ctx.Fail("attribute direction must be LEFT or RIGHT, got '" + direction + "'");
  }
  const bool left = direction == "LEFT";
  switch (a.dtype()) {
    case DataType::kUInt8:
      return BitShiftTyped<uint8_t>(ctx, a, b, left);
    case DataType::kUInt16:
      return BitShiftTyped<uint16_t>(ctx, a, b, left);
    case DataType::kUInt32:
      return BitShiftTyped<uint32_t>(ctx, a, b, left);
    case DataType::kUInt64:
      return BitShiftTyped<uint64_t>(ctx, a, b, left);
    default:
      ctx.Unsupported(std::string("dtype ") + DataTypeName(a.dtype()) +
                      " (BitShift takes unsigned integers)");
  }
}

}  // namespace

SHRINK_REF_KERNEL("", "Add", 1, 6, HalfAsFloat<AddKernel<true>>);
SHRINK_REF_KERNEL("", "Add", 7, kLatestOpset, HalfAsFloat<AddKernel<false>>);
SHRINK_REF_KERNEL("", "Sub", 1, 6, HalfAsFloat<SubKernel<true>>);
SHRINK_REF_KERNEL("", "Sub", 7, kLatestOpset, HalfAsFloat<SubKernel<false>>);
SHRINK_REF_KERNEL("", "Mul", 1, 6, HalfAsFloat<MulKernel<true>>);
SHRINK_REF_KERNEL("", "Mul", 7, kLatestOpset, HalfAsFloat<MulKernel<false>>);
SHRINK_REF_KERNEL("", "Div", 1, 6, HalfAsFloat<DivKernel<true>>);
SHRINK_REF_KERNEL("", "Div", 7, kLatestOpset, HalfAsFloat<DivKernel<false>>);
SHRINK_REF_KERNEL("", "Pow", 1, 6, HalfAsFloat<PowKernel<true>>);
SHRINK_REF_KERNEL("", "Pow", 7, kLatestOpset, HalfAsFloat<PowKernel<false>>);
SHRINK_REF_KERNEL("", "Mod", 10, kLatestOpset, HalfAsFloat<ModKernel>);
SHRINK_REF_KERNEL("", "BitShift", 11, kLatestOpset, BitShiftKernel);

}  // namespace shrink::runtime
