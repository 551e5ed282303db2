// Reference kernels for ArgMax, ArgMin and TopK.
//
// ArgMax/ArgMin: opset 1-10 non-negative axis, 11+ negative axis, 12+ select_last_index.
// TopK: opset 1-9 `k` attribute, 10+ `k` input, 11+ `largest`/`sorted` and negative axis. Ties keep
// the lower index first; NaN orders above every number. float16/bfloat16 compare as float32.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/movement_util.h"

namespace shrink::runtime {
namespace {

// Strict total order with NaN greatest.
template <typename T>
bool Less(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return false;
    if (std::isnan(b)) return true;
  }
  return a < b;
}

// ArgMax/ArgMin accept negative axes from opset 11; TopK's default has always been -1.
int ReadAxis(const KernelContext& ctx, int64_t dflt, int rank, bool negative_always_ok) {
  const int64_t raw = ctx.attr_int("axis", dflt);
  if (raw < 0 && ctx.opset() < 11 && !negative_always_ok) ctx.Fail("negative axis needs opset 11");
  return static_cast<int>(NormalizeAxis(ctx, raw, rank));
}

void OuterInner(const Shape& s, int axis, int64_t* outer, int64_t* inner) {
  *outer = *inner = 1;
  for (int d = 0; d < static_cast<int>(s.size()); ++d) {
    if (d < axis) *outer *= s[static_cast<size_t>(d)];
    if (d > axis) *inner *= s[static_cast<size_t>(d)];
  }
}

// ---- ArgMax / ArgMin ----

template <bool kMax>
void ArgKernel(KernelContext& ctx) {
  const Tensor x = WidenHalf(ctx.in(0));
  if (x.rank() == 0) ctx.Fail("input must have rank >= 1");
  const int axis = ReadAxis(ctx, 0, x.rank(), false);
  const bool keepdims = ctx.attr_int("keepdims", 1) != 0;
  const bool last = ctx.opset() >= 12 && ctx.attr_int("select_last_index", 0) != 0;
  const int64_t dim = x.dim(axis);
  if (dim == 0) ctx.Fail("cannot reduce an empty axis");
  Shape out_shape = x.shape();
  if (keepdims) {
    out_shape[static_cast<size_t>(axis)] = 1;
  } else {
    out_shape.erase(out_shape.begin() + axis);
  }
  int64_t outer, inner;
  OuterInner(x.shape(), axis, &outer, &inner);
  Tensor out(DataType::kInt64, out_shape);
  int64_t* o = out.data<int64_t>();
  DispatchNumeric(ctx, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* s = x.data<T>();
    for (int64_t a = 0; a < outer; ++a)
      for (int64_t i = 0; i < inner; ++i) {
        const T* p = s + a * dim * inner + i;
        int64_t best = 0;
        for (int64_t j = 1; j < dim; ++j) {
          const T v = p[j * inner], b = p[best * inner];
          const bool better = kMax ? Less(b, v) : Less(v, b);
          const bool equal = !Less(v, b) && !Less(b, v);
          if (better || (last && equal)) best = j;
        }
        o[a * inner + i] = best;
      }
  });
  ctx.set_output(0, out);
}

// ---- TopK ----

void TopKImpl(KernelContext& ctx, int64_t k) {
  const Tensor& input = ctx.in(0);
  const Tensor x = WidenHalf(input);
  if (x.rank() == 0) ctx.Fail("input must have rank >= 1");
  const int axis = ReadAxis(ctx, -1, x.rank(), true);
  const bool largest = ctx.opset() < 11 || ctx.attr_int("largest", 1) != 0;
  const int64_t dim = x.dim(axis);
  if (k < 0 || k > dim)
    ctx.Fail("k = " + std::to_string(k) + " out of range for axis of size " + std::to_string(dim));
  Shape out_shape = x.shape();
  out_shape[static_cast<size_t>(axis)] = k;
  int64_t outer, inner;
  OuterInner(x.shape(), axis, &outer, &inner);
  Tensor values(x.dtype(), out_shape);
  Tensor indices(DataType::kInt64, out_shape);
  int64_t* oi = indices.data<int64_t>();
  DispatchNumeric(ctx, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* s = x.data<T>();
    T* ov = values.data<T>();
    std::vector<int64_t> order(static_cast<size_t>(dim));
    for (int64_t a = 0; a < outer; ++a)
      for (int64_t i = 0; i < inner; ++i) {
        const T* p = s + a * dim * inner + i;
        std::iota(order.begin(), order.end(), 0);
        auto before = [&](int64_t l, int64_t r) {
          const T lv = p[l * inner], rv = p[r * inner];
          if (largest ? Less(rv, lv) : Less(lv, rv)) return true;
          if (largest ? Less(lv, rv) : Less(rv, lv)) return false;
          return l < r;
        };
        std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
        for (int64_t j = 0; j < k; ++j) {
          const int64_t dst = (a * k + j) * inner + i;
          oi[dst] = order[static_cast<size_t>(j)];
          ov[dst] = p[order[static_cast<size_t>(j)] * inner];
        }
      }
  });
  ctx.set_output(0, NarrowToHalf(values, input.dtype()));
  ctx.set_output(1, indices);
}

void TopKAttrKernel(KernelContext& ctx) {  // opset 1-9
  if (!ctx.has_attr("k")) ctx.Fail("missing required attribute 'k'");
  TopKImpl(ctx, ctx.attr_int("k", 0));
}

void TopKKernel(KernelContext& ctx) {  // opset 10+
  TopKImpl(ctx, ReadScalarInt(ctx, ctx.in(1), "k"));
}

}  // namespace

SHRINK_REF_KERNEL("", "ArgMax", 1, kLatestOpset, ArgKernel<true>);
SHRINK_REF_KERNEL("", "ArgMin", 1, kLatestOpset, ArgKernel<false>);
SHRINK_REF_KERNEL("", "TopK", 1, 9, TopKAttrKernel);
SHRINK_REF_KERNEL("", "TopK", 10, kLatestOpset, TopKKernel);

}  // namespace shrink::runtime
