// Gemm (opset 1, 6, 7, 9, 11, 13) and MatMul (opset 1, 9, 13) for float32/float64 (MatMul also
// int32/int64), both on GemmRef.
//
// Gemm: Y = alpha * op(A) * op(B) + beta * C with C unidirectionally broadcast to [M, N]; C is
// optional from opset 11 (required before). The pre-7 `broadcast` attribute is accepted and C is
// always broadcast (a superset of the old behaviour).
// MatMul: numpy.matmul — batch dims broadcast, a 1-D A gets a leading 1 and a 1-D B a trailing 1
// that are removed from the result.
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/gemm_ref.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/matmul_util.h"

namespace shrink::runtime {
namespace {

template <typename T>
void GemmTyped(KernelContext& ctx) {
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(1);
  const Tensor* c = ctx.input(2);
  if (!c && ctx.opset() < 11) ctx.Fail("input C is required before opset 11");
  if (b.dtype() != a.dtype() || (c && c->dtype() != a.dtype()))
    ctx.Fail("A, B and C must share one dtype");
  if (a.rank() != 2 || b.rank() != 2)
    ctx.Fail("A " + ShapeToString(a.shape()) + " and B " + ShapeToString(b.shape()) +
             " must be 2-D");
  const bool ta = ctx.attr_int("transA", 0) != 0;
  const bool tb = ctx.attr_int("transB", 0) != 0;
  const T alpha = static_cast<T>(ctx.attr_float("alpha", 1.0f));
  const T beta = static_cast<T>(ctx.attr_float("beta", 1.0f));
  const int64_t m = ta ? a.dim(1) : a.dim(0);
  const int64_t k = ta ? a.dim(0) : a.dim(1);
  const int64_t kb = tb ? b.dim(1) : b.dim(0);
  const int64_t n = tb ? b.dim(0) : b.dim(1);
  if (k != kb)
    ctx.Fail("inner dimensions differ: op(A) is [" + std::to_string(m) + ", " + std::to_string(k) +
             "], op(B) is [" + std::to_string(kb) + ", " + std::to_string(n) + "]");
  Tensor y(a.dtype(), {m, n});
  T* yp = y.data<T>();
  if (c) {
    if (c->rank() > 2) ctx.Fail("C must have rank <= 2, got " + ShapeToString(c->shape()));
    const Shape out = {m, n};
    if (BroadcastShapes(ctx, {out, c->shape()}) != out)
      ctx.Fail("C " + ShapeToString(c->shape()) + " does not broadcast to [" + std::to_string(m) +
               ", " + std::to_string(n) + "]");
    BroadcastIterator it(out, {c->shape()});
    const T* cp = c->data<T>();
    for (int64_t i = 0; i < m * n; ++i, it.Next()) yp[i] = beta * cp[it.offset(0)];
  }
  GemmRef<T>(ta, tb, m, n, k, alpha, a.data<T>(), a.dim(1), b.data<T>(), b.dim(1), c ? T(1) : T(0),
             yp, n);
  ctx.set_output(0, std::move(y));
}

void GemmKernel(KernelContext& ctx) {
  DispatchFloat(ctx, ctx.in(0).dtype(),
                [&](auto tag) { GemmTyped<typename decltype(tag)::type>(ctx); });
}

template <typename T>
void MatMulTyped(KernelContext& ctx) {
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(1);
  if (b.dtype() != a.dtype()) ctx.Fail("A and B must share one dtype");
  ctx.set_output(0, BatchedMatMul<T>(ctx, a.shape(), a.data<T>(), b.shape(), b.data<T>()));
}

void MatMulKernel(KernelContext& ctx) {
  switch (ctx.in(0).dtype()) {
    case DataType::kInt32:
      return MatMulTyped<int32_t>(ctx);
    case DataType::kInt64:
      return MatMulTyped<int64_t>(ctx);
    default:
      DispatchFloat(ctx, ctx.in(0).dtype(),
                    [&](auto tag) { MatMulTyped<typename decltype(tag)::type>(ctx); });
  }
}

}  // namespace

SHRINK_REF_KERNEL("", "Gemm", 1, kLatestOpset, GemmKernel);
SHRINK_REF_KERNEL("", "MatMul", 1, kLatestOpset, MatMulKernel);

}  // namespace shrink::runtime
