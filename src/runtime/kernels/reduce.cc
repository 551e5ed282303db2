// Reference kernels: ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1,
// ReduceL2, ReduceLogSum, ReduceLogSumExp, ReduceSumSquare.
//
// Opset differences: `axes` is an attribute up to opset 17 (ReduceSum: 12) and an optional int64
// input from 18 (ReduceSum: 13), which also brings `noop_with_empty_axes`: with it set and no
// axes, nothing is reduced (each element is reduced alone: ReduceSumSquare squares, ReduceL1
// takes |x|, ...; this is also what the ONNX reference does). Without axes every axis is reduced.
// Floating-point reductions accumulate in double. Integer Sum/Mean/Prod/L1/SumSquare wrap like
// numpy; integer L2/LogSum/LogSumExp compute in double and saturate back. An empty reduction
// gives the identity (0, 1, -inf/lowest for Max, +inf/max for Min, NaN for a float Mean).
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/elementwise_util.h"
#include "runtime/kernels/kernel_util.h"

namespace shrink::runtime {
namespace {

enum class Reduce { kSum, kMean, kMax, kMin, kProd, kL1, kL2, kLogSum, kLogSumExp, kSumSquare };

struct ReducePlan {
  Shape keep_shape;   // input shape with reduced dims set to 1
  Shape out_shape;    // keep_shape, or without the reduced dims when keepdims=0
  int64_t count = 1;  // input elements per output element
};

ReducePlan PlanReduce(const KernelContext& ctx, const Shape& in, bool axes_input) {
  std::vector<int64_t> axes;
  bool noop = false;
  if (axes_input) {
    if (ctx.has_attr("axes")) ctx.Fail("'axes' is an input, not an attribute, at this opset");
    if (ctx.has_input(1)) axes = ReadInts(ctx, ctx.in(1));
    noop = ctx.attr_int("noop_with_empty_axes", 0) != 0;
  } else {
    axes = ctx.attr_ints("axes");
  }
  const int64_t rank = static_cast<int64_t>(in.size());
  std::vector<bool> reduced(in.size(), axes.empty() && !noop);
  for (int64_t a : axes) {
    const size_t d = static_cast<size_t>(NormalizeAxis(ctx, a, rank));
    if (reduced[d]) ctx.Fail("axis " + std::to_string(a) + " is listed twice");
    reduced[d] = true;
  }
  const bool keepdims = ctx.attr_int("keepdims", 1) != 0;
  ReducePlan plan;
  for (size_t d = 0; d < in.size(); ++d) {
    plan.keep_shape.push_back(reduced[d] ? 1 : in[d]);
    if (reduced[d]) plan.count *= in[d];
    if (!reduced[d] || keepdims) plan.out_shape.push_back(reduced[d] ? 1 : in[d]);
  }
  return plan;
}

// Calls f(input index, output index) for every input element.
template <typename F>
void ForEachElement(const Tensor& x, const ReducePlan& plan, F f) {
  BroadcastIterator it(x.shape(), {plan.keep_shape});
  for (int64_t i = 0; i < x.numel(); ++i, it.Next()) f(i, it.offset(0));
}

template <Reduce K, typename T>
void ReduceMinMax(const Tensor& x, const ReducePlan& plan, Tensor& out) {
  using Limits = std::numeric_limits<T>;
  const T lowest = Limits::has_infinity ? -Limits::infinity() : Limits::lowest();
  const T highest = Limits::has_infinity ? Limits::infinity() : Limits::max();
  T* po = out.data<T>();
  std::fill(po, po + out.numel(), K == Reduce::kMax ? lowest : highest);
  const T* px = x.data<T>();
  ForEachElement(x, plan, [&](int64_t i, int64_t o) {
    const T v = px[i];
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(v) || std::isnan(po[o])) {  // NaN propagates, like numpy
        po[o] = Limits::quiet_NaN();
        return;
      }
    }
    if (K == Reduce::kMax ? po[o] < v : v < po[o]) po[o] = v;
  });
}

// Accumulates in double (floats, and L2/LogSum/LogSumExp of integers).
template <Reduce K, typename T>
void ReduceInDouble(const Tensor& x, const ReducePlan& plan, Tensor& out) {
  const T* px = x.data<T>();
  const size_t n_out = static_cast<size_t>(out.numel());
  std::vector<double> shift(n_out, 0.0);  // per-output max, for a stable LogSumExp
  if constexpr (K == Reduce::kLogSumExp) {
    std::fill(shift.begin(), shift.end(), -std::numeric_limits<double>::infinity());
    ForEachElement(x, plan, [&](int64_t i, int64_t o) {
      shift[static_cast<size_t>(o)] = std::max(shift[static_cast<size_t>(o)], double(px[i]));
    });
    for (double& s : shift) s = std::isfinite(s) ? s : 0.0;
  }
  std::vector<double> acc(n_out, K == Reduce::kProd ? 1.0 : 0.0);
  ForEachElement(x, plan, [&](int64_t i, int64_t o) {
    const double v = static_cast<double>(px[i]);
    double& a = acc[static_cast<size_t>(o)];
    switch (K) {
      case Reduce::kProd:
        a *= v;
        break;
      case Reduce::kL1:
        a += std::fabs(v);
        break;
      case Reduce::kL2:
      case Reduce::kSumSquare:
        a += v * v;
        break;
      case Reduce::kLogSumExp:
        a += std::exp(v - shift[static_cast<size_t>(o)]);
        break;
      default:
        a += v;
        break;  // Sum, Mean, LogSum
    }
  });
  T* po = out.data<T>();
  for (size_t o = 0; o < n_out; ++o) {
    double r = acc[o];
    switch (K) {
      case Reduce::kMean:
        r /= static_cast<double>(plan.count);
        break;
      case Reduce::kL2:
        r = std::sqrt(r);
        break;
      case Reduce::kLogSum:
        r = std::log(r);
        break;
      case Reduce::kLogSumExp:
        r = shift[o] + std::log(r);
        break;
      default:
        break;
    }
    po[o] = FromDouble<T>(r);
  }
}

// Integer Sum/Mean/Prod/L1/SumSquare, modulo 2^64 then narrowed (numpy wrapping).
template <Reduce K, typename T>
void ReduceInteger(const KernelContext& ctx, const Tensor& x, const ReducePlan& plan, Tensor& out) {
  const T* px = x.data<T>();
  std::vector<uint64_t> acc(static_cast<size_t>(out.numel()), K == Reduce::kProd ? 1 : 0);
  ForEachElement(x, plan, [&](int64_t i, int64_t o) {
    T v = px[i];
    if constexpr (std::is_signed_v<T>) {
      if (K == Reduce::kL1 && v < 0) v = WrapNeg(v);
    }
    uint64_t& a = acc[static_cast<size_t>(o)];
    const uint64_t u = static_cast<uint64_t>(v);
    if (K == Reduce::kProd) {
      a *= u;
    } else if (K == Reduce::kSumSquare) {
      a += u * u;
    } else {
      a += u;
    }
  });
  if (K == Reduce::kMean && plan.count == 0) ctx.Fail("integer mean of an empty set");
  T* po = out.data<T>();
  for (size_t o = 0; o < acc.size(); ++o) {
    if constexpr (K == Reduce::kMean) {
      if constexpr (std::is_signed_v<T>) {
        po[o] = static_cast<T>(static_cast<int64_t>(acc[o]) / plan.count);
      } else {
        po[o] = static_cast<T>(acc[o] / static_cast<uint64_t>(plan.count));
      }
    } else {
      po[o] = static_cast<T>(acc[o]);
    }
  }
}

template <Reduce K, bool kAxesInput>
void ReduceKernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const ReducePlan plan = PlanReduce(ctx, x.shape(), kAxesInput);
  DispatchNumeric(ctx, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor out(x.dtype(), plan.out_shape);
    constexpr bool kInDouble = std::is_floating_point_v<T> || K == Reduce::kL2 ||
                               K == Reduce::kLogSum || K == Reduce::kLogSumExp;
    if constexpr (K == Reduce::kMax || K == Reduce::kMin) {
      ReduceMinMax<K, T>(x, plan, out);
    } else if constexpr (kInDouble) {
      ReduceInDouble<K, T>(x, plan, out);
    } else {
      ReduceInteger<K, T>(ctx, x, plan, out);
    }
    ctx.set_output(0, std::move(out));
  });
}

}  // namespace

// axes: attribute before the opset where it became an input (13 for ReduceSum, 18 otherwise).
#define SHRINK_REDUCE_KERNELS_(name, kind, axes_input_since)           \
  SHRINK_REF_KERNEL("", name, 1, axes_input_since - 1,                 \
                    (HalfAsFloat<ReduceKernel<Reduce::kind, false>>)); \
  SHRINK_REF_KERNEL("", name, axes_input_since, kLatestOpset,          \
                    (HalfAsFloat<ReduceKernel<Reduce::kind, true>>))

SHRINK_REDUCE_KERNELS_("ReduceSum", kSum, 13);
SHRINK_REDUCE_KERNELS_("ReduceMean", kMean, 18);
SHRINK_REDUCE_KERNELS_("ReduceMax", kMax, 18);
SHRINK_REDUCE_KERNELS_("ReduceMin", kMin, 18);
SHRINK_REDUCE_KERNELS_("ReduceProd", kProd, 18);
SHRINK_REDUCE_KERNELS_("ReduceL1", kL1, 18);
SHRINK_REDUCE_KERNELS_("ReduceL2", kL2, 18);
SHRINK_REDUCE_KERNELS_("ReduceLogSum", kLogSum, 18);
SHRINK_REDUCE_KERNELS_("ReduceLogSumExp", kLogSumExp, 18);
SHRINK_REDUCE_KERNELS_("ReduceSumSquare", kSumSquare, 18);

#undef SHRINK_REDUCE_KERNELS_

}  // namespace shrink::runtime
