// BatchedMatMul: numpy.matmul over GemmRef, shared by MatMul, MatMulInteger and QLinearMatMul.
//
// Contract: a has shape `as`, b has shape `bs` (both rank >= 1, row-major). A 1-D a gets a
// leading 1 and a 1-D b a trailing 1 that are dropped from the result; batch dims broadcast
// (Fail()s through ctx on mismatch). Returns a tensor of dtype `out` whose element type is T.
#pragma once

#include <string>

#include "core/tensor.h"
#include "runtime/kernel.h"
#include "runtime/kernels/gemm_ref.h"
#include "runtime/kernels/kernel_util.h"

namespace shrink::runtime {

template <typename T>
Tensor BatchedMatMul(const KernelContext& ctx, const Shape& a_shape, const T* a,
                     const Shape& b_shape, const T* b) {
  if (a_shape.empty() || b_shape.empty()) ctx.Fail("MatMul operands must have rank >= 1");
  Shape as = a_shape, bs = b_shape;
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  const int64_t m = as[as.size() - 2], k = as.back();
  const int64_t kb = bs[bs.size() - 2], n = bs.back();
  if (k != kb)
    ctx.Fail("inner dimensions differ: A " + ShapeToString(a_shape) + ", B " +
             ShapeToString(b_shape));
  const Shape a_batch(as.begin(), as.end() - 2), b_batch(bs.begin(), bs.end() - 2);
  const Shape batch = BroadcastShapes(ctx, {a_batch, b_batch});
  Shape out = batch;
  if (a_shape.size() > 1) out.push_back(m);
  if (b_shape.size() > 1) out.push_back(n);
  Tensor y(DataTypeOf<T>::value, out);
  T* yp = y.data<T>();
  const int64_t count = NumElements(batch);
  BroadcastIterator it(batch, {a_batch, b_batch});
  for (int64_t i = 0; i < count; ++i, it.Next())
    MatMulRef<T>(m, n, k, a + it.offset(0) * m * k, b + it.offset(1) * k * n, yp + i * m * n);
  return y;
}

}  // namespace shrink::runtime
