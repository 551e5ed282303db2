// Pooling ops: MaxPool (1, 8, 10, 11, 12, 22; optional Indices output, storage_order, dilations,
// ceil_mode; any numeric dtype), AveragePool (1, 7, 10, 11, 19, 22; count_include_pad, ceil_mode,
// dilations), LpPool (1, 2, 11, 18, 22), GlobalAveragePool, GlobalMaxPool, GlobalLpPool.
//
// Windows are sampled at out * stride - pad_begin + k * dilation. Positions outside the input
// never contribute to a max or a sum; AveragePool with count_include_pad divides by the number of
// window positions inside the padded extent [-pad_begin, in + pad_end) (ceil-mode overhang past
// the end padding is not counted, like ONNX Runtime), otherwise by the positions inside the input.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/conv_util.h"
#include "runtime/kernels/kernel_util.h"

namespace shrink::runtime {
namespace {

// Per dimension and output index: the valid input coords of the window and the count of window
// positions inside the padded extent.
struct PoolPlan {
  ConvGeometry g;
  std::vector<std::vector<std::vector<int64_t>>> valid;
  std::vector<std::vector<int64_t>> padded;
};

PoolPlan MakePlan(ConvGeometry g) {
  PoolPlan p;
  const int nd = g.rank();
  p.valid.resize(static_cast<size_t>(nd));
  p.padded.resize(static_cast<size_t>(nd));
  for (int d = 0; d < nd; ++d) {
    p.valid[d].resize(static_cast<size_t>(g.out[d]));
    p.padded[d].assign(static_cast<size_t>(g.out[d]), 0);
    for (int64_t o = 0; o < g.out[d]; ++o)
      for (int64_t k = 0; k < g.kernel[d]; ++k) {
        const int64_t ix = o * g.strides[d] - g.pads_begin[d] + k * g.dilations[d];
        if (ix >= 0 && ix < g.in[d]) p.valid[d][o].push_back(ix);
        if (ix >= -g.pads_begin[d] && ix < g.in[d] + g.pads_end[d]) ++p.padded[d][o];
      }
  }
  p.g = std::move(g);
  return p;
}

// Calls visit(out_index, offsets, padded_count) for every output position of one plane; offsets
// are flat input offsets (row-major spatial) of the window positions inside the input.
template <typename Visit>
void ForEachWindow(const PoolPlan& p, Visit&& visit) {
  const int nd = p.g.rank();
  std::vector<int64_t> oidx(static_cast<size_t>(nd), 0), offsets, next;
  const int64_t out_size = p.g.out_size();
  for (int64_t o = 0; o < out_size; ++o) {
    offsets.assign(1, 0);
    int64_t padded = 1;
    for (int d = 0; d < nd; ++d) {
      next.clear();
      for (int64_t off : offsets)
        for (int64_t ix : p.valid[d][oidx[d]]) next.push_back(off * p.g.in[d] + ix);
      offsets.swap(next);
      padded *= p.padded[d][oidx[d]];
    }
    visit(o, offsets, padded);
    for (int d = nd - 1; d >= 0; --d) {
      if (++oidx[d] < p.g.out[d]) break;
      oidx[d] = 0;
    }
  }
}

Shape KernelAttr(const KernelContext& ctx) {
  if (!ctx.has_attr("kernel_shape")) ctx.Fail("attribute kernel_shape is required");
  return ctx.attr_ints("kernel_shape");
}

Shape OutShape(const ConvGeometry& g) { return ConvOutputShape(g, g.channels); }

// The plan for input 0 from kernel_shape, strides, dilations, pads, auto_pad and ceil_mode.
PoolPlan PlanFromAttrs(const KernelContext& ctx) {
  const bool ceil_mode = ctx.attr_int("ceil_mode", 0) != 0;
  return MakePlan(MakeConvGeometry(ctx, ctx.in(0).shape(), KernelAttr(ctx), ceil_mode));
}

// Output 0 = reduce(plane data, window offsets, padded window size) for every window of every
// [N, C] plane of input 0.
template <typename T, typename Reduce>
void PoolEachWindow(KernelContext& ctx, const PoolPlan& p, Reduce reduce) {
  const Tensor& x = ctx.in(0);
  Tensor y(x.dtype(), OutShape(p.g));
  const int64_t in_size = p.g.in_size(), out_size = p.g.out_size();
  for (int64_t plane = 0; plane < p.g.batch * p.g.channels; ++plane) {
    const T* xp = x.data<T>() + plane * in_size;
    T* yp = y.data<T>() + plane * out_size;
    ForEachWindow(p, [&](int64_t o, const std::vector<int64_t>& offs, int64_t padded) {
      yp[o] = reduce(xp, offs, padded);
    });
  }
  ctx.set_output(0, std::move(y));
}

// Column-major (storage_order = 1) flat index of a row-major spatial offset.
int64_t ColumnMajor(int64_t off, const Shape& in) {
  int64_t result = 0, stride = 1;
  std::vector<int64_t> coord(in.size());
  for (size_t d = in.size(); d-- > 0;) {
    coord[d] = off % in[d];
    off /= in[d];
  }
  for (size_t d = 0; d < in.size(); ++d) {
    result += coord[d] * stride;
    stride *= in[d];
  }
  return result;
}

template <typename T>
void MaxPoolTyped(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const int64_t storage_order = ctx.attr_int("storage_order", 0);
  if (storage_order != 0 && storage_order != 1) ctx.Fail("storage_order must be 0 or 1");
  const PoolPlan p = PlanFromAttrs(ctx);
  Tensor y(x.dtype(), OutShape(p.g));
  const bool want_idx = ctx.output_wanted(1);
  Tensor idx = want_idx ? Tensor(DataType::kInt64, OutShape(p.g)) : Tensor();
  const int64_t in_size = p.g.in_size(), out_size = p.g.out_size();
  for (int64_t plane = 0; plane < p.g.batch * p.g.channels; ++plane) {
    const T* xp = x.data<T>() + plane * in_size;
    T* yp = y.data<T>() + plane * out_size;
    int64_t* ip = want_idx ? idx.data<int64_t>() + plane * out_size : nullptr;
    ForEachWindow(p, [&](int64_t o, const std::vector<int64_t>& offs, int64_t) {
      T best = std::numeric_limits<T>::lowest();
      if constexpr (std::is_floating_point_v<T>) best = -std::numeric_limits<T>::infinity();
      int64_t best_off = offs.empty() ? 0 : offs[0];
      for (int64_t off : offs)
        if (xp[off] > best) {
          best = xp[off];
          best_off = off;
        }
      yp[o] = best;
      if (ip)
        ip[o] = plane * in_size + (storage_order == 0 ? best_off : ColumnMajor(best_off, p.g.in));
    });
  }
  ctx.set_output(0, std::move(y));
  if (want_idx) ctx.set_output(1, std::move(idx));
}

void MaxPoolKernel(KernelContext& ctx) {
  DispatchNumeric(ctx, ctx.in(0).dtype(),
                  [&](auto tag) { MaxPoolTyped<typename decltype(tag)::type>(ctx); });
}

template <typename T>
void AveragePoolTyped(KernelContext& ctx) {
  const bool include_pad = ctx.attr_int("count_include_pad", 0) != 0;
  PoolEachWindow<T>(
      ctx, PlanFromAttrs(ctx), [&](const T* xp, const std::vector<int64_t>& offs, int64_t padded) {
        T sum = 0;
        for (int64_t off : offs) sum += xp[off];
        const int64_t count = include_pad ? padded : static_cast<int64_t>(offs.size());
        return count > 0 ? sum / static_cast<T>(count) : std::numeric_limits<T>::quiet_NaN();
      });
}

void AveragePoolKernel(KernelContext& ctx) {
  DispatchFloat(ctx, ctx.in(0).dtype(),
                [&](auto tag) { AveragePoolTyped<typename decltype(tag)::type>(ctx); });
}

double LpExponent(const KernelContext& ctx) {
  const ir::Attribute* a = ctx.node().FindAttr("p");
  const double p = (a && a->kind == ir::AttrKind::kFloat) ? a->f : ctx.attr_int("p", 2);
  if (!(p > 0)) ctx.Fail("p must be positive");
  return p;
}

template <typename T>
T LpNorm(const T* xp, const std::vector<int64_t>& offs, double p) {
  double sum = 0;
  for (int64_t off : offs) sum += std::pow(std::fabs(static_cast<double>(xp[off])), p);
  return static_cast<T>(std::pow(sum, 1.0 / p));
}

template <typename T>
void LpPoolTyped(KernelContext& ctx) {
  const double pw = LpExponent(ctx);
  PoolEachWindow<T>(
      ctx, PlanFromAttrs(ctx),
      [&](const T* xp, const std::vector<int64_t>& offs, int64_t) { return LpNorm(xp, offs, pw); });
}

void LpPoolKernel(KernelContext& ctx) {
  DispatchFloat(ctx, ctx.in(0).dtype(),
                [&](auto tag) { LpPoolTyped<typename decltype(tag)::type>(ctx); });
}

enum class GlobalKind { kAverage, kMax, kLp };

template <typename T>
void GlobalPoolTyped(KernelContext& ctx, GlobalKind kind) {
  const Tensor& x = ctx.in(0);
  if (x.rank() < 3) ctx.Fail("input must have rank >= 3, got " + ShapeToString(x.shape()));
  Shape out = x.shape();
  for (size_t d = 2; d < out.size(); ++d) out[d] = 1;
  Tensor y(x.dtype(), out);
  const int64_t planes = x.dim(0) * x.dim(1);
  const int64_t size = planes == 0 ? 0 : x.numel() / planes;
  const double pw = kind == GlobalKind::kLp ? LpExponent(ctx) : 2.0;
  std::vector<int64_t> all(static_cast<size_t>(size));
  for (int64_t i = 0; i < size; ++i) all[i] = i;
  for (int64_t plane = 0; plane < planes; ++plane) {
    const T* xp = x.data<T>() + plane * size;
    T r;
    if (kind == GlobalKind::kMax) {
      r = std::numeric_limits<T>::lowest();
      if constexpr (std::is_floating_point_v<T>) r = -std::numeric_limits<T>::infinity();
      for (int64_t i = 0; i < size; ++i) r = xp[i] > r ? xp[i] : r;
    } else if (kind == GlobalKind::kAverage) {
      r = 0;
      for (int64_t i = 0; i < size; ++i) r += xp[i];
      r /= static_cast<T>(size);
    } else {
      r = LpNorm(xp, all, pw);
    }
    y.data<T>()[plane] = r;
  }
  ctx.set_output(0, std::move(y));
}

void GlobalAveragePoolKernel(KernelContext& ctx) {
  DispatchFloat(ctx, ctx.in(0).dtype(), [&](auto tag) {
    GlobalPoolTyped<typename decltype(tag)::type>(ctx, GlobalKind::kAverage);
  });
}
void GlobalMaxPoolKernel(KernelContext& ctx) {
  DispatchFloat(ctx, ctx.in(0).dtype(), [&](auto tag) {
    GlobalPoolTyped<typename decltype(tag)::type>(ctx, GlobalKind::kMax);
  });
}
void GlobalLpPoolKernel(KernelContext& ctx) {
  DispatchFloat(ctx, ctx.in(0).dtype(), [&](auto tag) {
    GlobalPoolTyped<typename decltype(tag)::type>(ctx, GlobalKind::kLp);
  });
}

}  // namespace

SHRINK_REF_KERNEL("", "MaxPool", 1, kLatestOpset, MaxPoolKernel);
SHRINK_REF_KERNEL("", "AveragePool", 1, kLatestOpset, AveragePoolKernel);
SHRINK_REF_KERNEL("", "LpPool", 1, kLatestOpset, LpPoolKernel);
SHRINK_REF_KERNEL("", "GlobalAveragePool", 1, kLatestOpset, GlobalAveragePoolKernel);
SHRINK_REF_KERNEL("", "GlobalMaxPool", 1, kLatestOpset, GlobalMaxPoolKernel);
SHRINK_REF_KERNEL("", "GlobalLpPool", 1, kLatestOpset, GlobalLpPoolKernel);

}  // namespace shrink::runtime
