// ConvInteger (opset 10), QLinearConv (opset 10) and com.shrink QLinearConvAct on the shared
// int32 im2col + GemmRef path.
//
// Both subtract zero points first (x: per-tensor; w: per-tensor or per output channel), so the
// implicit padding reads as the zero point, as ONNX requires.
//   ConvInteger: y(int32) = conv(x - x_zp, w - w_zp).
//   QLinearConv: acc = conv(x - x_zp, w - w_zp) + B (int32); y = saturate(round_half_even(acc *
//   (x_scale * w_scale[m] / y_scale)) + y_zp), the multiplier computed in float32 and applied in
//   float64; y's dtype is y_zp's (x's when y_zp is absent). w_scale may be per output channel.
#include <algorithm>
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/conv_util.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/quant_util.h"

namespace shrink::runtime {
namespace {

// Integer conv of (x - x_zp) and (w - w_zp): int32 [N, M, out...].
Tensor IntegerConv(const KernelContext& ctx, const Tensor& x, const Tensor* x_zp, const Tensor& w,
                   const Tensor* w_zp) {
  const int64_t group = ctx.attr_int("group", 1);
  CheckConvShapes(ctx, x.shape(), w.shape(), group);
  if (x_zp && x_zp->numel() != 1) ctx.Fail("x zero point must be a scalar");
  const ConvGeometry g = MakeConvGeometry(ctx, x.shape(), ConvKernelShape(ctx, w.shape()));
  const std::vector<int32_t> xi = ToInt32Minus(ctx, x, x_zp, 1, "x");
  const std::vector<int32_t> wi = ToInt32Minus(ctx, w, w_zp, 0, "w");
  Tensor y(DataType::kInt32, ConvOutputShape(g, w.dim(0)));
  ConvForward<int32_t>(xi.data(), wi.data(), w.dim(0), group, g, y.data<int32_t>());
  return y;
}

void ConvIntegerKernel(KernelContext& ctx) {
  ctx.set_output(0, IntegerConv(ctx, ctx.in(0), ctx.input(2), ctx.in(1), ctx.input(3)));
}

// QLinearConv and com.shrink QLinearConvAct: checks the scales, zero points and B, computes
// acc = conv(x - x_zp, w - w_zp) + B (int32) and stores requant(acc, x_scale, w_scale[m],
// y_scale) + y_zp (the rounded value before the zero point), saturated to y's dtype (y_zp's, x's
// when absent).
template <typename Requant>
void RunQLinearConv(KernelContext& ctx, Requant requant) {
  const Tensor& x = ctx.in(0);
  const Tensor& w = ctx.in(3);
  const std::vector<float> xs = ReadFloats(ctx, ctx.in(1), "x_scale");
  const std::vector<float> ws = ReadFloats(ctx, ctx.in(4), "w_scale");
  const std::vector<float> ys = ReadFloats(ctx, ctx.in(6), "y_scale");
  const Tensor* y_zp = ctx.input(7);
  if (xs.size() != 1 || ys.size() != 1) ctx.Fail("x_scale and y_scale must be scalars");
  if (y_zp && y_zp->numel() != 1) ctx.Fail("y_zero_point must be a scalar");
  Tensor acc = IntegerConv(ctx, x, ctx.input(2), w, ctx.input(5));
  const int64_t m = w.dim(0);
  if (ws.size() != 1 && static_cast<int64_t>(ws.size()) != m)
    ctx.Fail("w_scale must be a scalar or have " + std::to_string(m) + " elements");
  const Tensor* bias = ctx.input(8);
  if (bias && (bias->dtype() != DataType::kInt32 || bias->rank() != 1 || bias->numel() != m))
    ctx.Fail("B must be int32 of shape [" + std::to_string(m) + "]");
  const DataType out = y_zp ? y_zp->dtype() : x.dtype();
  const QRange r = QuantRange(ctx, out);
  const double zp = y_zp ? y_zp->GetAsDouble(0) : 0.0;
  Tensor y(out, acc.shape());
  const int32_t* ap = acc.data<int32_t>();
  const int64_t plane = acc.dim(0) == 0 || m == 0 ? 0 : acc.numel() / (acc.dim(0) * m);
  for (int64_t i = 0; i < acc.numel(); ++i) {
    const int64_t c = (i / plane) % m;
    const double v = static_cast<double>(ap[i]) + (bias ? bias->data<int32_t>()[c] : 0);
    StoreQuantized(y, i, requant(v, xs[0], ws[ws.size() == 1 ? 0 : c], ys[0]) + zp, r);
  }
  ctx.set_output(0, std::move(y));
}

void QLinearConvKernel(KernelContext& ctx) {
  RunQLinearConv(ctx, [](double acc, float xs, float ws, float ys) {
    const float mult = xs * ws / ys;
    return RoundHalfEven(acc * static_cast<double>(mult));
  });
}

// com.shrink QLinearConvAct (passes::FuseQdqConvActivation; it exists only inside shrink's
// runtime plans, exported artifacts keep DQ -> Conv -> act -> Q): QLinearConv's inputs and Conv
// attributes plus `activation` ("HardSwish"; others kUnimplemented), computing
//   v = act(acc * (x_scale * w_scale[m]))   (multiplier float32, applied in float64)
//   y = saturate(round_half_even(v / y_scale) + y_zp)
void QLinearConvActKernel(KernelContext& ctx) {
  const std::string act = ctx.attr_string("activation", "");
  if (act != "HardSwish") ctx.Unsupported("activation '" + act + "'");
  RunQLinearConv(ctx, [&ctx](double acc, float xs, float ws, float ys) {
    if (ys == 0.0f) ctx.Fail("y_scale must be nonzero");
    const float mult = xs * ws;
    const double v = acc * static_cast<double>(mult);
    const double h = v * std::clamp(v / 6.0 + 0.5, 0.0, 1.0);
    return RoundHalfEven(h / static_cast<double>(ys));
  });
}

}  // namespace

SHRINK_REF_KERNEL("", "ConvInteger", 10, kLatestOpset, ConvIntegerKernel);
SHRINK_REF_KERNEL("", "QLinearConv", 10, kLatestOpset, QLinearConvKernel);
SHRINK_REF_KERNEL("com.shrink", "QLinearConvAct", 1, kLatestOpset, QLinearConvActKernel);

}  // namespace shrink::runtime
