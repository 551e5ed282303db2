// com.microsoft QGemm (version 1): the int8 Gemm that passes::FuseQdqGemm introduces (ONNX Runtime
// has the same contrib op; ONNX has no QLinearGemm).
//   inputs: A, a_scale, a_zero_point, B, b_scale, b_zero_point, C (optional), y_scale (optional),
//   y_zero_point (optional); attributes alpha (1.0), transA, transB (0).
//   A, B: 2-D (u)int8; a_scale / a_zero_point per tensor; b_scale / b_zero_point per tensor or 1-D
//   per column of op(B) (length N). C: int32, unidirectionally broadcast to [M, N], in the
//   accumulator's units (scale a_scale * b_scale, zero point 0).
//   acc = (op(A) - a_zp) @ (op(B) - b_zp) + C  (int32)
//   with y_scale:    Y = saturate(round_half_even(acc * (alpha * a_scale * b_scale[n] / y_scale))
//                    + y_zp), dtype of y_zero_point (uint8 when absent); the multiplier in float32,
//                    applied in float64, as QLinearMatMul.
//   without y_scale: Y = float32(acc * (alpha * a_scale * b_scale[n])).
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/gemm_ref.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/quant_util.h"

namespace shrink::runtime {
namespace {

void QGemmKernel(KernelContext& ctx) {
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(3);
  if (a.rank() != 2 || b.rank() != 2)
    ctx.Fail("A " + ShapeToString(a.shape()) + " and B " + ShapeToString(b.shape()) +
             " must be 2-D");
  for (const Tensor* t : {&a, &b})
    if (t->dtype() != DataType::kUInt8 && t->dtype() != DataType::kInt8)
      ctx.Unsupported(std::string("QGemm operand dtype ") + DataTypeName(t->dtype()));
  const bool ta = ctx.attr_int("transA", 0) != 0, tb = ctx.attr_int("transB", 0) != 0;
  const int64_t m = ta ? a.dim(1) : a.dim(0), k = ta ? a.dim(0) : a.dim(1);
  const int64_t kb = tb ? b.dim(1) : b.dim(0), n = tb ? b.dim(0) : b.dim(1);
  if (k != kb)
    ctx.Fail("inner dimensions differ: A " + ShapeToString(a.shape()) + ", B " +
             ShapeToString(b.shape()));
  const std::vector<float> as = ReadFloats(ctx, ctx.in(1), "a_scale");
  const std::vector<float> bs = ReadFloats(ctx, ctx.in(4), "b_scale");
  if (as.size() != 1) ctx.Fail("a_scale must be a scalar");
  if (bs.size() != 1 && static_cast<int64_t>(bs.size()) != n)
    ctx.Fail("b_scale must be a scalar or have one value per column of op(B)");
  const Tensor* a_zp = ctx.input(2);
  if (a_zp && a_zp->numel() != 1) ctx.Fail("a_zero_point must be a scalar");
  const std::vector<int32_t> ai = ToInt32Minus(ctx, a, a_zp, 0, "A");
  // b's zero point runs along N: axis 0 of B when transposed, else axis 1.
  const std::vector<int32_t> bi = ToInt32Minus(ctx, b, ctx.input(5), tb ? 0 : 1, "B");
  Tensor acc(DataType::kInt32, {m, n});
  int32_t* ap = acc.data<int32_t>();
  if (const Tensor* c = ctx.input(6)) {
    if (c->dtype() != DataType::kInt32) ctx.Fail("C must be int32");
    const Shape out = {m, n};
    if (c->rank() > 2 || BroadcastShapes(ctx, {out, c->shape()}) != out)
      ctx.Fail("C " + ShapeToString(c->shape()) + " does not broadcast to [" + std::to_string(m) +
               ", " + std::to_string(n) + "]");
    BroadcastIterator it(out, {c->shape()});
    for (int64_t i = 0; i < m * n; ++i, it.Next()) ap[i] = c->data<int32_t>()[it.offset(0)];
  }
  GemmRef<int32_t>(ta, tb, m, n, k, 1, ai.data(), a.dim(1), bi.data(), b.dim(1),
                   ctx.input(6) ? 1 : 0, ap, n);
  const float alpha = ctx.attr_float("alpha", 1.0f);
  const Tensor* ys = ctx.input(7);
  if (!ys) {
    Tensor y(DataType::kFloat32, {m, n});
    for (int64_t e = 0; e < m * n; ++e)
      y.data<float>()[e] = static_cast<float>(static_cast<double>(ap[e]) *
                                              (alpha * as[0] * bs[bs.size() == 1 ? 0 : e % n]));
    ctx.set_output(0, std::move(y));
    return;
  }
  const std::vector<float> ysv = ReadFloats(ctx, *ys, "y_scale");
  const Tensor* y_zp = ctx.input(8);
  if (ysv.size() != 1 || (y_zp && y_zp->numel() != 1))
    ctx.Fail("y_scale and y_zero_point must be scalars");
  const DataType ydt = y_zp ? y_zp->dtype() : DataType::kUInt8;
  const QRange r = QuantRange(ctx, ydt);
  const double zp = y_zp ? y_zp->GetAsDouble(0) : 0.0;
  Tensor y(ydt, {m, n});
  for (int64_t e = 0; e < m * n; ++e) {
    const float mult = alpha * as[0] * bs[bs.size() == 1 ? 0 : e % n] / ysv[0];
    StoreQuantized(y, e, RoundHalfEven(static_cast<double>(ap[e]) * mult) + zp, r);
  }
  ctx.set_output(0, std::move(y));
}

}  // namespace

SHRINK_REF_KERNEL("com.microsoft", "QGemm", 1, kLatestOpset, QGemmKernel);

}  // namespace shrink::runtime
