// Reference kernels for CumSum, OneHot and NonZero.
#include <cmath>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/movement_util.h"

namespace shrink::runtime {
namespace {

// ---- CumSum ----

void CumSumKernel(KernelContext& ctx) {
  const Tensor& input = ctx.in(0);
  const Tensor x = WidenHalf(input);
  if (x.rank() == 0) ctx.Fail("input must have rank >= 1");
  const int axis =
      static_cast<int>(NormalizeAxis(ctx, ReadScalarInt(ctx, ctx.in(1), "axis"), x.rank()));
  const bool exclusive = ctx.attr_int("exclusive", 0) != 0;
  const bool reverse = ctx.attr_int("reverse", 0) != 0;
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; ++d) outer *= x.dim(d);
  for (int d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
  const int64_t dim = x.dim(axis);
  Tensor out(x.dtype(), x.shape());
  DispatchNumeric(ctx, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* s = x.data<T>();
    T* o = out.data<T>();
    for (int64_t a = 0; a < outer; ++a)
      for (int64_t i = 0; i < inner; ++i) {
        T acc = T(0);
        for (int64_t step = 0; step < dim; ++step) {
          const int64_t j = reverse ? dim - 1 - step : step;
          const int64_t at = (a * dim + j) * inner + i;
          if (exclusive) {
            o[at] = acc;
            acc = static_cast<T>(acc + s[at]);
          } else {
            acc = static_cast<T>(acc + s[at]);
            o[at] = acc;
          }
        }
      }
  });
  ctx.set_output(0, NarrowToHalf(out, input.dtype()));
}

// ---- OneHot ----

void OneHotKernel(KernelContext& ctx) {
  const Tensor& indices = ctx.in(0);
  const Tensor& depth_t = ctx.in(1);
  const Tensor& values = ctx.in(2);
  if (depth_t.numel() != 1) ctx.Fail("depth must have exactly one element");
  if (values.numel() != 2) ctx.Fail("values must hold [off_value, on_value]");
  if (indices.dtype() == DataType::kString || depth_t.dtype() == DataType::kString)
    ctx.Fail("indices and depth must be numeric");
  const double depth_d = depth_t.GetAsDouble(0);
  if (!(depth_d >= 1.0)) ctx.Fail("depth must be >= 1");
  const int64_t depth = static_cast<int64_t>(depth_d);
  const int r = indices.rank();
  const int64_t raw_axis = ctx.attr_int("axis", -1);
  if (raw_axis < 0 && raw_axis != -1 && ctx.opset() < 11) ctx.Fail("negative axis needs opset 11");
  const int axis = static_cast<int>(NormalizeAxis(ctx, raw_axis, r + 1));
  Shape out_shape = indices.shape();
  out_shape.insert(out_shape.begin() + axis, depth);
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < r; ++d) (d < axis ? outer : inner) *= indices.dim(d);
  Tensor out(values.dtype(), out_shape);
  DispatchMovable(ctx, values.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T off = Elems<T>(values)[0], on = Elems<T>(values)[1];
    T* o = Elems<T>(out);
    for (int64_t i = 0; i < out.numel(); ++i) o[i] = off;
    for (int64_t a = 0; a < outer; ++a)
      for (int64_t i = 0; i < inner; ++i) {
        int64_t idx = static_cast<int64_t>(indices.GetAsDouble(a * inner + i));
        if (idx < 0 && ctx.opset() >= 11) idx += depth;
        if (idx < 0 || idx >= depth) continue;  // all off_value
        o[(a * depth + idx) * inner + i] = on;
      }
  });
  ctx.set_output(0, out);
}

// ---- NonZero ----

void NonZeroKernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const bool half = IsHalfLike(x.dtype());
  std::vector<int64_t> hits;  // flat positions of non-zero elements
  DispatchAny(ctx, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* s = RawAs<T>(x);
    for (int64_t i = 0; i < x.numel(); ++i) {
      bool nz;
      if constexpr (std::is_same_v<T, uint16_t>) {
        nz = half ? (s[i] & 0x7fff) != 0 : s[i] != 0;  // +-0 are zero for float16/bfloat16
      } else {
        nz = s[i] != T(0);
      }
      if (nz) hits.push_back(i);
    }
  });
  const int rank = std::max(x.rank(), 1);  // a scalar reports like a 1-element vector
  const int64_t n = static_cast<int64_t>(hits.size());
  Tensor out(DataType::kInt64, {rank, n});
  int64_t* o = out.data<int64_t>();
  const auto strides = StridesOf(x.shape());
  for (int64_t j = 0; j < n; ++j) {
    int64_t rest = hits[static_cast<size_t>(j)];
    for (int d = 0; d < x.rank(); ++d) {
      o[d * n + j] = rest / strides[static_cast<size_t>(d)];
      rest %= strides[static_cast<size_t>(d)];
    }
  }
  ctx.set_output(0, out);
}

}  // namespace

SHRINK_REF_KERNEL("", "CumSum", 11, kLatestOpset, CumSumKernel);
SHRINK_REF_KERNEL("", "OneHot", 9, kLatestOpset, OneHotKernel);
SHRINK_REF_KERNEL("", "NonZero", 9, kLatestOpset, NonZeroKernel);

}  // namespace shrink::runtime
