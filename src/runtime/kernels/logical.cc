// Reference kernels: comparisons Equal, Less, Greater, LessOrEqual, GreaterOrEqual, boolean
// Not, And, Or, Xor, and the selection Where.
//
// Opset differences: before opset 7, Equal/Less/Greater/And/Or/Xor broadcast with the legacy
// `broadcast`/`axis` attributes; from 7 on, numpy rules. Comparisons take any numeric dtype or
// bool (half types compare in float32); Equal also compares strings. Where moves elements of any
// fixed-width dtype.
#include <string>

#include "runtime/kernel.h"
#include "runtime/kernels/elementwise_util.h"
#include "runtime/kernels/kernel_util.h"

namespace shrink::runtime {
namespace {

// Numeric dtypes plus bool.
template <typename F>
void DispatchNumericOrBool(const KernelContext& ctx, DataType t, F&& f) {
  if (t == DataType::kBool) {
    f(TypeTag<bool>{});
  } else {
    DispatchNumeric(ctx, t, std::forward<F>(f));
  }
}

// out = cmp(a, b) as bool over the broadcast of inputs 0 and 1.
template <bool kLegacy, typename Cmp>
void Compare(KernelContext& ctx, Cmp cmp) {
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(1);
  RequireSameDtype(ctx, a, b);
  DispatchNumericOrBool(ctx, a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    ctx.set_output(0,
                   MapBinary<bool, T, T>(
                       ctx, a, b, DataType::kBool, [&](T x, T y) { return cmp(x, y); }, kLegacy));
  });
}

void EqualStrings(KernelContext& ctx, const Tensor& a, const Tensor& b) {
  const std::vector<Shape> shapes = {a.shape(), b.shape()};
  const Shape out_shape = BroadcastShapes(ctx, shapes);
  Tensor out(DataType::kBool, out_shape);
  bool* po = out.data<bool>();
  BroadcastIterator it(out_shape, shapes);
  for (int64_t i = 0; i < out.numel(); ++i, it.Next()) {
    po[i] = a.strings()[static_cast<size_t>(it.offset(0))] ==
            b.strings()[static_cast<size_t>(it.offset(1))];
  }
  ctx.set_output(0, std::move(out));
}

template <bool kLegacy>
void EqualKernel(KernelContext& ctx) {
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(1);
  if (!kLegacy && a.dtype() == DataType::kString && b.dtype() == DataType::kString) {
    return EqualStrings(ctx, a, b);
  }
  Compare<kLegacy>(ctx, [](auto x, auto y) { return x == y; });
}

template <bool kLegacy>
void LessKernel(KernelContext& ctx) {
  Compare<kLegacy>(ctx, [](auto x, auto y) { return x < y; });
}

template <bool kLegacy>
void GreaterKernel(KernelContext& ctx) {
  Compare<kLegacy>(ctx, [](auto x, auto y) { return x > y; });
}

void LessOrEqualKernel(KernelContext& ctx) {
  Compare<false>(ctx, [](auto x, auto y) { return x <= y; });
}

void GreaterOrEqualKernel(KernelContext& ctx) {
  Compare<false>(ctx, [](auto x, auto y) { return x >= y; });
}

void RequireBool(const KernelContext& ctx, const Tensor& t) {
  if (t.dtype() != DataType::kBool) {
    ctx.Fail(std::string("expected a bool tensor, got ") + DataTypeName(t.dtype()));
  }
}

void NotKernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  RequireBool(ctx, x);
  ctx.set_output(0, MapUnary<bool, bool>(x, DataType::kBool, [](bool v) { return !v; }));
}

template <bool kLegacy, typename F>
void BoolBinary(KernelContext& ctx, F f) {
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(1);
  RequireBool(ctx, a);
  RequireBool(ctx, b);
  ctx.set_output(0, MapBinary<bool, bool, bool>(ctx, a, b, DataType::kBool, f, kLegacy));
}

template <bool kLegacy>
void AndKernel(KernelContext& ctx) {
  BoolBinary<kLegacy>(ctx, [](bool x, bool y) { return x && y; });
}

template <bool kLegacy>
void OrKernel(KernelContext& ctx) {
  BoolBinary<kLegacy>(ctx, [](bool x, bool y) { return x || y; });
}

template <bool kLegacy>
void XorKernel(KernelContext& ctx) {
  BoolBinary<kLegacy>(ctx, [](bool x, bool y) { return x != y; });
}

// out = cond ? x : y over the broadcast of all three.
void WhereKernel(KernelContext& ctx) {
  const Tensor& cond = ctx.in(0);
  const Tensor& x = ctx.in(1);
  const Tensor& y = ctx.in(2);
  RequireBool(ctx, cond);
  RequireSameDtype(ctx, x, y);
  const std::vector<Shape> shapes = {cond.shape(), x.shape(), y.shape()};
  const Shape out_shape = BroadcastShapes(ctx, shapes);
  DispatchAny(ctx, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor out(x.dtype(), out_shape);
    const bool* pc = cond.data<bool>();
    const T* px = RawAs<T>(x);
    const T* py = RawAs<T>(y);
    T* po = RawAs<T>(out);
    BroadcastIterator it(out_shape, shapes);
    for (int64_t i = 0; i < out.numel(); ++i, it.Next()) {
      po[i] = pc[it.offset(0)] ? px[it.offset(1)] : py[it.offset(2)];
    }
    ctx.set_output(0, std::move(out));
  });
}

}  // namespace

SHRINK_REF_KERNEL("", "Equal", 1, 6, HalfAsFloat<EqualKernel<true>>);
SHRINK_REF_KERNEL("", "Equal", 7, kLatestOpset, HalfAsFloat<EqualKernel<false>>);
SHRINK_REF_KERNEL("", "Less", 1, 6, HalfAsFloat<LessKernel<true>>);
SHRINK_REF_KERNEL("", "Less", 7, kLatestOpset, HalfAsFloat<LessKernel<false>>);
SHRINK_REF_KERNEL("", "Greater", 1, 6, HalfAsFloat<GreaterKernel<true>>);
SHRINK_REF_KERNEL("", "Greater", 7, kLatestOpset, HalfAsFloat<GreaterKernel<false>>);
SHRINK_REF_KERNEL("", "LessOrEqual", 12, kLatestOpset, HalfAsFloat<LessOrEqualKernel>);
SHRINK_REF_KERNEL("", "GreaterOrEqual", 12, kLatestOpset, HalfAsFloat<GreaterOrEqualKernel>);
SHRINK_REF_KERNEL("", "Not", 1, kLatestOpset, NotKernel);
SHRINK_REF_KERNEL("", "And", 1, 6, AndKernel<true>);
SHRINK_REF_KERNEL("", "And", 7, kLatestOpset, AndKernel<false>);
SHRINK_REF_KERNEL("", "Or", 1, 6, OrKernel<true>);
SHRINK_REF_KERNEL("", "Or", 7, kLatestOpset, OrKernel<false>);
SHRINK_REF_KERNEL("", "Xor", 1, 6, XorKernel<true>);
SHRINK_REF_KERNEL("", "Xor", 7, kLatestOpset, XorKernel<false>);
SHRINK_REF_KERNEL("", "Where", 9, kLatestOpset, WhereKernel);

}  // namespace shrink::runtime
