// com.microsoft QLinearGlobalAveragePool (version 1): the int8 global average pool that
// passes::FuseQdqOps introduces (ONNX Runtime has the same contrib op).
//   inputs: X [N, C, spatial...] (channels_last = 0) or [N, spatial..., C] (channels_last = 1),
//   x_scale, x_zero_point, y_scale, y_zero_point (zero points optional, 0 when absent; scales and
//   zero points per-tensor); X and Y both uint8 or both int8. Y: [N, C, 1, ...] (or
//   [N, 1, ..., C]).
//   Per (n, c), over the S spatial positions: Y = saturate(round_half_even(float(sum(X) - S *
//   x_zp) * k) + y_zp) with k = x_scale / (y_scale * S), evaluated in float32 in exactly this order
//   (the fast kernel repeats it bit for bit).
#include <string>

#include "runtime/kernel.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/quant_util.h"

namespace shrink::runtime {
namespace {

template <typename Q>
void Pool(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const DataType dt = x.dtype();
  if (x.rank() < 3) ctx.Fail("X must have rank >= 3");
  const bool channels_last = ctx.attr_int("channels_last", 0) != 0;
  const float xs = ScalarParam(ctx, 1, "x_scale"), ys = ScalarParam(ctx, 3, "y_scale");
  const int32_t xz = ZeroPointParam(ctx, 2, dt), yz = ZeroPointParam(ctx, 4, dt);
  const QRange r = QuantRange(ctx, dt);
  const Shape& shape = x.shape();
  const int64_t n = shape[0], c = channels_last ? shape.back() : shape[1];
  const int64_t s = c == 0 || n == 0 ? 0 : x.numel() / (n * c);
  if (s == 0) ctx.Fail("X has no spatial positions");
  Shape y_shape(shape.size(), 1);
  y_shape[0] = n;
  (channels_last ? y_shape.back() : y_shape[1]) = c;
  Tensor y(dt, y_shape);
  const float k = xs / (ys * static_cast<float>(s));
  const Q* xp = x.data<Q>();
  Q* yp = y.data<Q>();
  for (int64_t img = 0; img < n; ++img)
    for (int64_t ch = 0; ch < c; ++ch) {
      int64_t sum = 0;
      for (int64_t i = 0; i < s; ++i)
        sum += channels_last ? xp[(img * s + i) * c + ch] : xp[(img * c + ch) * s + i];
      const float v = RoundHalfEven(static_cast<float>(sum - s * xz) * k) + static_cast<float>(yz);
      yp[img * c + ch] = static_cast<Q>(v < r.lo ? r.lo : v > r.hi ? r.hi : v);
    }
  ctx.set_output(0, std::move(y));
}

void QLinearGlobalAveragePoolKernel(KernelContext& ctx) {
  if (ctx.in(0).dtype() == DataType::kUInt8)
    Pool<uint8_t>(ctx);
  else if (ctx.in(0).dtype() == DataType::kInt8)
    Pool<int8_t>(ctx);
  else
    ctx.Unsupported(std::string("dtype ") + DataTypeName(ctx.in(0).dtype()));
}

}  // namespace

SHRINK_REF_KERNEL("com.microsoft", "QLinearGlobalAveragePool", 1, kLatestOpset,
                  QLinearGlobalAveragePoolKernel);

}  // namespace shrink::runtime
