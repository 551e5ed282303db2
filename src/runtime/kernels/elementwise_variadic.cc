// Reference kernels: variadic elementwise Min, Max, Sum, Mean.
//
// Opset differences: before opset 8 every input must have the same shape; from 8 on inputs
// broadcast (numpy). Min/Max take any numeric dtype and propagate NaN (like numpy); Sum/Mean are
// floating-point only. Half types compute in float32.
#include <cmath>
#include <string>

#include "runtime/kernel.h"
#include "runtime/kernels/elementwise_util.h"
#include "runtime/kernels/kernel_util.h"

namespace shrink::runtime {
namespace {

// Folds f over all inputs pairwise (broadcasting from opset 8).
template <bool kBroadcast, bool kFloatOnly, typename F>
void Fold(KernelContext& ctx, F f) {
  if (ctx.num_inputs() == 0) ctx.Fail("needs at least one input");
  const Tensor& first = ctx.in(0);
  for (int i = 1; i < ctx.num_inputs(); ++i) {
    RequireSameDtype(ctx, first, ctx.in(i));
    if (!kBroadcast && ctx.in(i).shape() != first.shape()) {
      ctx.Fail("inputs must have equal shapes before opset 8, got " + ShapeToString(first.shape()) +
               " and " + ShapeToString(ctx.in(i).shape()));
    }
  }
  auto body = [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor acc = first.Clone();
    for (int i = 1; i < ctx.num_inputs(); ++i) {
      acc =
          MapBinary<T, T, T>(ctx, acc, ctx.in(i), first.dtype(), [&](T x, T y) { return f(x, y); });
    }
    ctx.set_output(0, std::move(acc));
  };
  if constexpr (kFloatOnly) {
    DispatchFloat(ctx, first.dtype(), body);
  } else {
    DispatchNumeric(ctx, first.dtype(), body);
  }
}

template <typename T>
T MaxOf(T x, T y) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<T>::quiet_NaN();
  }
  return x < y ? y : x;
}

template <typename T>
T MinOf(T x, T y) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<T>::quiet_NaN();
  }
  return y < x ? y : x;
}

template <bool kBroadcast>
void MaxKernel(KernelContext& ctx) {
  Fold<kBroadcast, false>(ctx, [](auto x, auto y) { return MaxOf(x, y); });
}

template <bool kBroadcast>
void MinKernel(KernelContext& ctx) {
  Fold<kBroadcast, false>(ctx, [](auto x, auto y) { return MinOf(x, y); });
}

template <bool kBroadcast>
void SumKernel(KernelContext& ctx) {
  Fold<kBroadcast, true>(ctx, [](auto x, auto y) { return x + y; });
}

template <bool kBroadcast>
void MeanKernel(KernelContext& ctx) {
  SumKernel<kBroadcast>(ctx);
  Tensor& sum = ctx.outputs()[0];
  const double n = ctx.num_inputs();
  DispatchFloat(ctx, sum.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = sum.data<T>();
    for (int64_t i = 0; i < sum.numel(); ++i) p[i] = static_cast<T>(p[i] / n);
  });
}

}  // namespace

SHRINK_REF_KERNEL("", "Max", 1, 7, HalfAsFloat<MaxKernel<false>>);
SHRINK_REF_KERNEL("", "Max", 8, kLatestOpset, HalfAsFloat<MaxKernel<true>>);
SHRINK_REF_KERNEL("", "Min", 1, 7, HalfAsFloat<MinKernel<false>>);
SHRINK_REF_KERNEL("", "Min", 8, kLatestOpset, HalfAsFloat<MinKernel<true>>);
SHRINK_REF_KERNEL("", "Sum", 1, 7, HalfAsFloat<SumKernel<false>>);
SHRINK_REF_KERNEL("", "Sum", 8, kLatestOpset, HalfAsFloat<SumKernel<true>>);
SHRINK_REF_KERNEL("", "Mean", 1, 7, HalfAsFloat<MeanKernel<false>>);
SHRINK_REF_KERNEL("", "Mean", 8, kLatestOpset, HalfAsFloat<MeanKernel<true>>);

}  // namespace shrink::runtime
