// MatMulInteger (opset 10) and QLinearMatMul (opset 10, 21) on BatchedMatMul<int32_t>.
//
// Zero points are per-tensor, or 1-D per row of A (length M) / per column of B (length N).
//   MatMulInteger: y(int32) = (a - a_zp) @ (b - b_zp).
//   QLinearMatMul: y = saturate(round_half_even(acc * (a_scale[i] * b_scale[j] / y_scale)) +
//   y_zp), with acc the int32 product, the multiplier in float32 applied in float64; a_scale may
//   be per row and b_scale per column; y's dtype is y_zp's.
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/matmul_util.h"
#include "runtime/kernels/quant_util.h"

namespace shrink::runtime {
namespace {

// (a - a_zp) @ (b - b_zp) as int32.
Tensor IntegerMatMul(const KernelContext& ctx, const Tensor& a, const Tensor* a_zp, const Tensor& b,
                     const Tensor* b_zp) {
  if (a.rank() == 0 || b.rank() == 0) ctx.Fail("operands must have rank >= 1");
  const std::vector<int32_t> ai = ToInt32Minus(ctx, a, a_zp, a.rank() - 2, "A");
  const std::vector<int32_t> bi = ToInt32Minus(ctx, b, b_zp, b.rank() - 1, "B");
  return BatchedMatMul<int32_t>(ctx, a.shape(), ai.data(), b.shape(), bi.data());
}

void MatMulIntegerKernel(KernelContext& ctx) {
  ctx.set_output(0, IntegerMatMul(ctx, ctx.in(0), ctx.input(2), ctx.in(1), ctx.input(3)));
}

void QLinearMatMulKernel(KernelContext& ctx) {
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(3);
  const std::vector<float> as = ReadFloats(ctx, ctx.in(1), "a_scale");
  const std::vector<float> bs = ReadFloats(ctx, ctx.in(4), "b_scale");
  const std::vector<float> ys = ReadFloats(ctx, ctx.in(6), "y_scale");
  const Tensor& y_zp = ctx.in(7);
  if (ys.size() != 1 || y_zp.numel() != 1) ctx.Fail("y_scale and y_zero_point must be scalars");
  Tensor acc = IntegerMatMul(ctx, a, ctx.input(2), b, ctx.input(5));
  const int64_t m = a.rank() > 1 ? a.dim(-2) : 1;
  const int64_t n = b.rank() > 1 ? b.dim(-1) : 1;
  if (as.size() != 1 && static_cast<int64_t>(as.size()) != m)
    ctx.Fail("a_scale must be a scalar or have one value per row of A");
  if (bs.size() != 1 && static_cast<int64_t>(bs.size()) != n)
    ctx.Fail("b_scale must be a scalar or have one value per column of B");
  const QRange r = QuantRange(ctx, y_zp.dtype());
  const double zp = y_zp.GetAsDouble(0);
  Tensor y(y_zp.dtype(), acc.shape());
  const int32_t* ap = acc.data<int32_t>();
  for (int64_t e = 0; e < acc.numel(); ++e) {
    const int64_t i = (e / n) % m, j = e % n;
    const float mult = as[as.size() == 1 ? 0 : i] * bs[bs.size() == 1 ? 0 : j] / ys[0];
    StoreQuantized(y, e, RoundHalfEven(static_cast<double>(ap[e]) * mult) + zp, r);
  }
  ctx.set_output(0, std::move(y));
}

}  // namespace

SHRINK_REF_KERNEL("", "MatMulInteger", 10, kLatestOpset, MatMulIntegerKernel);
SHRINK_REF_KERNEL("", "QLinearMatMul", 10, kLatestOpset, QLinearMatMulKernel);

}  // namespace shrink::runtime
