// Reference kernels for the int8 ops with a float32 output of the internal domain "com.shrink"
// that passes::FuseQdqFloatOutput introduces (they exist only inside shrink's runtime plans):
//
//   QConvFloat(x, x_scale, x_zero_point, w, w_scale, w_zero_point[, B])   Conv attributes
//   QMatMulFloat(a, a_scale, a_zero_point, b, b_scale, b_zero_point)
//
// x / a: (u)int8 with a per-tensor scale and zero point. w: (u)int8 [M, C/group, k...] with scale /
// zero point per tensor or per output channel; b: (u)int8 2-D [K, N], per tensor or per column.
// B: float32 [M]. acc = conv(x - x_zp, w - w_zp) | matmul(a - a_zp, b - b_zp) (int32, numpy
// matmul semantics for a of any rank >= 1), then
//   y = float32(acc * (x_scale * w_scale[c]) + B[c])
// with the multiplier computed in float32 and applied, with B, in float64 (rounded once).
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/conv_util.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/matmul_util.h"
#include "runtime/kernels/quant_util.h"

namespace shrink::runtime {
namespace {

void Check8Bit(const KernelContext& ctx, const Tensor& t, const char* what) {
  if (t.dtype() != DataType::kUInt8 && t.dtype() != DataType::kInt8)
    ctx.Unsupported(std::string(what) + " dtype " + DataTypeName(t.dtype()));
}

// Scalar x_scale and x_zero_point; w_scale with 1 or `channels` values.
std::vector<float> Multipliers(const KernelContext& ctx, int64_t channels) {
  const std::vector<float> xs = ReadFloats(ctx, ctx.in(1), "x_scale");
  const std::vector<float> ws = ReadFloats(ctx, ctx.in(4), "w_scale");
  if (xs.size() != 1) ctx.Fail("x_scale must be a scalar");
  if (const Tensor* zp = ctx.input(2); zp && zp->numel() != 1)
    ctx.Fail("x_zero_point must be a scalar");
  if (ws.size() != 1 && static_cast<int64_t>(ws.size()) != channels)
    ctx.Fail("w_scale must be a scalar or have " + std::to_string(channels) + " elements");
  std::vector<float> mult(static_cast<size_t>(channels));
  for (int64_t c = 0; c < channels; ++c) mult[c] = xs[0] * ws[ws.size() == 1 ? 0 : c];
  return mult;
}

void QConvFloatKernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Tensor& w = ctx.in(3);
  Check8Bit(ctx, x, "x");
  Check8Bit(ctx, w, "w");
  const int64_t group = ctx.attr_int("group", 1);
  CheckConvShapes(ctx, x.shape(), w.shape(), group);
  const int64_t m = w.dim(0);
  const std::vector<float> mult = Multipliers(ctx, m);
  const Tensor* bias = ctx.input(6);
  if (bias && (bias->dtype() != DataType::kFloat32 || bias->rank() != 1 || bias->numel() != m))
    ctx.Fail("B must be float32 of shape [" + std::to_string(m) + "]");
  const ConvGeometry g = MakeConvGeometry(ctx, x.shape(), ConvKernelShape(ctx, w.shape()));
  const std::vector<int32_t> xi = ToInt32Minus(ctx, x, ctx.input(2), 1, "x");
  const std::vector<int32_t> wi = ToInt32Minus(ctx, w, ctx.input(5), 0, "w");
  Tensor acc(DataType::kInt32, ConvOutputShape(g, m));
  ConvForward<int32_t>(xi.data(), wi.data(), m, group, g, acc.data<int32_t>());
  Tensor y(DataType::kFloat32, acc.shape());
  const int32_t* ap = acc.data<int32_t>();
  const int64_t plane = g.out_size();
  for (int64_t i = 0; i < acc.numel(); ++i) {
    const int64_t c = plane == 0 ? 0 : (i / plane) % m;
    const double b = bias ? bias->data<float>()[c] : 0.0;
    y.data<float>()[i] = static_cast<float>(static_cast<double>(ap[i]) * mult[c] + b);
  }
  ctx.set_output(0, std::move(y));
}

void QMatMulFloatKernel(KernelContext& ctx) {
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(3);
  Check8Bit(ctx, a, "a");
  Check8Bit(ctx, b, "b");
  if (a.rank() == 0 || b.rank() != 2)
    ctx.Fail("a must have rank >= 1 and b rank 2, got " + ShapeToString(a.shape()) + " and " +
             ShapeToString(b.shape()));
  const int64_t n = b.dim(1);
  const std::vector<float> mult = Multipliers(ctx, n);
  const std::vector<int32_t> ai = ToInt32Minus(ctx, a, ctx.input(2), 0, "a");
  const std::vector<int32_t> bi = ToInt32Minus(ctx, b, ctx.input(5), 1, "b");
  Tensor acc = BatchedMatMul<int32_t>(ctx, a.shape(), ai.data(), b.shape(), bi.data());
  Tensor y(DataType::kFloat32, acc.shape());
  const int32_t* ap = acc.data<int32_t>();
  for (int64_t e = 0; e < acc.numel(); ++e)
    y.data<float>()[e] = static_cast<float>(static_cast<double>(ap[e]) * mult[e % n]);
  ctx.set_output(0, std::move(y));
}

}  // namespace

SHRINK_REF_KERNEL("com.shrink", "QConvFloat", 1, kLatestOpset, QConvFloatKernel);
SHRINK_REF_KERNEL("com.shrink", "QMatMulFloat", 1, kLatestOpset, QMatMulFloatKernel);

}  // namespace shrink::runtime
