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
  Tensor y(x.dtype(), ConvOutputShape(g, m));
  ConvForward<T>(x.data<T>(), w.data<T>(), m, group, g, y.data<T>());
  if (b) AddConvBias<T>(ctx, *b, g, m, y.data<T>());
  ctx.set_output(0, std::move(y));
}

void ConvKernel(KernelContext& ctx) {
  DispatchFloat(ctx, ctx.in(0).dtype(),
                [&](auto tag) { ConvTyped<typename decltype(tag)::type>(ctx); });
}

}  // namespace

SHRINK_REF_KERNEL("", "Conv", 1, kLatestOpset, ConvKernel);

}  // namespace shrink::runtime
