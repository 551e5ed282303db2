// Conv (opset 1, 11, 22): grouped N-d convolution for float32/float64 as im2col + GemmRef.
// Opset versions differ only in type constraints and shape inference, not in values.
#include <string>

#include "runtime/kernel.h"
#include "runtime/kernels/conv_util.h"
#include "runtime/kernels/kernel_util.h"

namespace shrink::runtime {
namespace {

template <typename T>
void ConvTyped(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Tensor& w = ctx.in(1);
  const Tensor* b = ctx.input(2);
  if (w.dtype() != x.dtype() || (b && b->dtype() != x.dtype()))
    ctx.Fail("X, W and B must share one dtype");
  const int64_t group = ctx.attr_int("group", 1);
  CheckConvShapes(ctx, x.shape(), w.shape(), group);
  const ConvGeometry g = MakeConvGeometry(ctx, x.shape(), ConvKernelShape(ctx, w.shape()));
  const int64_t m = w.dim(0);
  Shape y_shape = {g.batch, m};
  y_shape.insert(y_shape.end(), g.out.begin(), g.out.end());
  Tensor y(x.dtype(), y_shape);
  ConvForward<T>(x.data<T>(), w.data<T>(), m, group, g, y.data<T>());
  if (b) {
    if (b->numel() != m || b->rank() != 1)
      ctx.Fail("B must have shape [" + std::to_string(m) + "], got " + ShapeToString(b->shape()));
    T* yp = y.data<T>();
    const T* bp = b->data<T>();
    const int64_t out_size = g.out_size();
    for (int64_t n = 0; n < g.batch; ++n)
      for (int64_t c = 0; c < m; ++c) {
        T* row = yp + (n * m + c) * out_size;
        for (int64_t i = 0; i < out_size; ++i) row[i] += bp[c];
      }
  }
  ctx.set_output(0, std::move(y));
}

void ConvKernel(KernelContext& ctx) {
  DispatchFloat(ctx, ctx.in(0).dtype(),
                [&](auto tag) { ConvTyped<typename decltype(tag)::type>(ctx); });
}

}  // namespace

SHRINK_REF_KERNEL("", "Conv", 1, kLatestOpset, ConvKernel);

}  // namespace shrink::runtime
