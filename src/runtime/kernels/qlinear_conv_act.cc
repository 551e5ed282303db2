// Reference kernel of com.shrink QLinearConvAct, the int8 Conv with a float activation between
// the accumulator and the requantization that passes::FuseQdqConvActivation introduces (it exists
// only inside shrink's runtime plans; exported artifacts keep DQ -> Conv -> act -> Q):
//
//   QLinearConvAct(x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point[, B])
//   Conv attributes, plus activation (string, "HardSwish").
//
// Inputs as QLinearConv: x (u)int8 with per-tensor scale / zero point, w (u)int8 [M, C/group,
// k...] with scale / zero point per tensor or per output channel, B int32 [M] with scale
// x_scale * w_scale[m]. Computes
//   acc = conv(x - x_zp, w - w_zp) + B (int32)
//   v   = act(acc * (x_scale * w_scale[m]))       (multiplier float32, applied in float64)
//   y   = saturate(round_half_even(v / y_scale) + y_zp)
// y's dtype is y_zero_point's (x's when absent). Unknown activations fail (kUnimplemented).
#include <algorithm>
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/conv_util.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/quant_util.h"

namespace shrink::runtime {
namespace {

void QLinearConvActKernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Tensor& w = ctx.in(3);
  const std::string act = ctx.attr_string("activation", "");
  if (act != "HardSwish") ctx.Unsupported("activation '" + act + "'");
  const std::vector<float> xs = ReadFloats(ctx, ctx.in(1), "x_scale");
  const std::vector<float> ws = ReadFloats(ctx, ctx.in(4), "w_scale");
  const std::vector<float> ys = ReadFloats(ctx, ctx.in(6), "y_scale");
  const Tensor* x_zp = ctx.input(2);
  const Tensor* y_zp = ctx.input(7);
  if (xs.size() != 1 || ys.size() != 1) ctx.Fail("x_scale and y_scale must be scalars");
  if (ys[0] == 0.0f) ctx.Fail("y_scale must be nonzero");
  if ((x_zp && x_zp->numel() != 1) || (y_zp && y_zp->numel() != 1))
    ctx.Fail("x_zero_point and y_zero_point must be scalars");
  const int64_t group = ctx.attr_int("group", 1);
  CheckConvShapes(ctx, x.shape(), w.shape(), group);
  const int64_t m = w.dim(0);
  if (ws.size() != 1 && static_cast<int64_t>(ws.size()) != m)
    ctx.Fail("w_scale must be a scalar or have " + std::to_string(m) + " elements");
  const Tensor* bias = ctx.input(8);
  if (bias && (bias->dtype() != DataType::kInt32 || bias->rank() != 1 || bias->numel() != m))
    ctx.Fail("B must be int32 of shape [" + std::to_string(m) + "]");
  const ConvGeometry g = MakeConvGeometry(ctx, x.shape(), ConvKernelShape(ctx, w.shape()));
  const std::vector<int32_t> xi = ToInt32Minus(ctx, x, x_zp, 1, "x");
  const std::vector<int32_t> wi = ToInt32Minus(ctx, w, ctx.input(5), 0, "w");
  Tensor acc(DataType::kInt32, ConvOutputShape(g, m));
  ConvForward<int32_t>(xi.data(), wi.data(), m, group, g, acc.data<int32_t>());
  const DataType out = y_zp ? y_zp->dtype() : x.dtype();
  const QRange r = QuantRange(ctx, out);
  const double zp = y_zp ? y_zp->GetAsDouble(0) : 0.0;
  Tensor y(out, acc.shape());
  const int32_t* ap = acc.data<int32_t>();
  const int64_t plane = g.out_size();
  for (int64_t i = 0; i < acc.numel(); ++i) {
    const int64_t c = plane == 0 ? 0 : (i / plane) % m;
    const float mult = xs[0] * ws[ws.size() == 1 ? 0 : c];
    const double a = static_cast<double>(ap[i]) + (bias ? bias->data<int32_t>()[c] : 0);
    const double v = a * static_cast<double>(mult);
    const double h = v * std::clamp(v / 6.0 + 0.5, 0.0, 1.0);
    StoreQuantized(y, i, RoundHalfEven(h / static_cast<double>(ys[0])) + zp, r);
  }
  ctx.set_output(0, std::move(y));
}

}  // namespace

SHRINK_REF_KERNEL("com.shrink", "QLinearConvAct", 1, kLatestOpset, QLinearConvActKernel);

}  // namespace shrink::runtime
