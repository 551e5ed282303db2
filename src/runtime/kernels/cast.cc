// Reference kernels: Cast, CastLike.
//
// Converts between every fixed-width dtype: float32/64, float16, bfloat16, (u)int8..64, bool and
// int4/uint4. Integer -> integer wraps modulo 2^bits (numpy); float -> integer truncates toward
// zero and saturates at the target range, NaN -> 0 (ONNX leaves out-of-range values undefined);
// anything -> bool is `!= 0`; -> float16/bfloat16 rounds to nearest even through float32;
// -> int4/uint4 saturates. Strings are unsupported.
// Opset differences: Cast-1 names the target as a string attribute ("FLOAT"), later versions as
// an int; the `saturate` attribute (19+) only concerns float8 types, which shrink does not have.
#include <climits>
#include <optional>
#include <string>
#include <type_traits>

#include "core/half.h"
#include "ir/attribute.h"
#include "runtime/kernel.h"
#include "runtime/kernels/elementwise_util.h"
#include "runtime/kernels/kernel_util.h"

namespace shrink::runtime {
namespace {

// Storage wrappers so that float16 and bfloat16 get their own overloads.
struct F16 {
  uint16_t bits;
};
struct BF16 {
  uint16_t bits;
};

// Source value widened without loss: int64 / uint64 for integers and bool, double for floats.
template <typename S>
auto Widen(S v) {
  if constexpr (std::is_same_v<S, F16>) {
    return static_cast<double>(HalfToFloat(v.bits));
  } else if constexpr (std::is_same_v<S, BF16>) {
    return static_cast<double>(BFloat16ToFloat(v.bits));
  } else if constexpr (std::is_floating_point_v<S>) {
    return static_cast<double>(v);
  } else if constexpr (std::is_same_v<S, bool> || std::is_signed_v<S>) {
    return static_cast<int64_t>(v);
  } else {
    return static_cast<uint64_t>(v);
  }
}

// Widened value -> destination type.
template <typename D, typename W>
D Narrow(W w) {
  if constexpr (std::is_same_v<D, F16>) {
    return F16{FloatToHalf(static_cast<float>(w))};
  } else if constexpr (std::is_same_v<D, BF16>) {
    return BF16{FloatToBFloat16(static_cast<float>(w))};
  } else if constexpr (std::is_same_v<D, bool>) {
    return w != 0;
  } else if constexpr (std::is_floating_point_v<D>) {
    return static_cast<D>(w);
  } else if constexpr (std::is_floating_point_v<W>) {
    return FloatToInt<D>(w);
  } else {
    return static_cast<D>(w);  // integer -> integer: modulo 2^bits
  }
}

// Every fixed-width dtype, with float16/bfloat16 as F16/BF16.
template <typename F>
void DispatchCastType(const KernelContext& ctx, DataType t, F&& f) {
  switch (t) {
    case DataType::kFloat16:
      f(TypeTag<F16>{});
      return;
    case DataType::kBFloat16:
      f(TypeTag<BF16>{});
      return;
    case DataType::kBool:
      f(TypeTag<bool>{});
      return;
    default:
      DispatchNumeric(ctx, t, std::forward<F>(f));
  }
}

Tensor CastTensor(const KernelContext& ctx, const Tensor& x, DataType to) {
  if (x.dtype() == DataType::kString || to == DataType::kString) {
    ctx.Unsupported(std::string("cast ") + DataTypeName(x.dtype()) + " -> " + DataTypeName(to));
  }
  if (x.dtype() == to) return x.Clone();
  Tensor y(to, x.shape());
  if (IsPacked4(x.dtype()) || IsPacked4(to)) {
    // Tensor's own element conversion handles the nibble packing and saturates into 4 bits.
    for (int64_t i = 0; i < x.numel(); ++i) y.SetFromDouble(i, x.GetAsDouble(i));
    return y;
  }
  DispatchCastType(ctx, x.dtype(), [&](auto src_tag) {
    using S = typename decltype(src_tag)::type;
    DispatchCastType(ctx, to, [&](auto dst_tag) {
      using D = typename decltype(dst_tag)::type;
      const S* in = RawAs<S>(x);
      D* out = RawAs<D>(y);
      for (int64_t i = 0; i < x.numel(); ++i) out[i] = Narrow<D>(Widen(in[i]));
    });
  });
  return y;
}

// Target dtype from attribute `to`: a string ("FLOAT") in Cast-1, an int afterwards.
DataType TargetType(const KernelContext& ctx) {
  const ir::Attribute* to = ctx.node().FindAttr("to");
  if (to == nullptr) ctx.Fail("missing attribute 'to'");
  if (to->kind == ir::AttrKind::kString) {
    const std::optional<DataType> t = ParseDataType(to->s);
    if (!t) ctx.Fail("unknown dtype name '" + to->s + "' in attribute 'to'");
    return *t;
  }
  const int64_t raw = ctx.attr_int("to", 0);
  if (raw < 0 || raw > INT32_MAX || !IsKnownDataType(static_cast<int32_t>(raw))) {
    ctx.Unsupported("target dtype " + std::to_string(raw));
  }
  return static_cast<DataType>(raw);
}

void CastKernel(KernelContext& ctx) {
  ctx.set_output(0, CastTensor(ctx, ctx.in(0), TargetType(ctx)));
}

void CastLikeKernel(KernelContext& ctx) {
  ctx.set_output(0, CastTensor(ctx, ctx.in(0), ctx.in(1).dtype()));
}

}  // namespace

SHRINK_REF_KERNEL("", "Cast", 1, kLatestOpset, CastKernel);
SHRINK_REF_KERNEL("", "CastLike", 15, kLatestOpset, CastLikeKernel);

}  // namespace shrink::runtime
