// com.microsoft QLinearAdd (version 1): the int8 residual add that passes::FuseQdqOps introduces.
//   inputs: A, A_scale, A_zero_point, B, B_scale, B_zero_point, C_scale, C_zero_point (zero points
//   optional, 0 when absent; scales and zero points per-tensor); A, B and C are all uint8 or all
//   int8; numpy broadcasting of A and B.
//   C = saturate(round_half_even(ka * (A - A_zp) + kb * (B - B_zp)) + C_zp) with the scale ratios
//   ka = A_scale / C_scale and kb = B_scale / C_scale, evaluated in float32 in exactly this order
//   (the fast kernel repeats it bit for bit; the ratios spare it a division per element).
#include <string>

#include "runtime/kernel.h"
#include "runtime/kernels/elementwise_util.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/quant_util.h"

namespace shrink::runtime {
namespace {

template <typename Q>
void Add(KernelContext& ctx) {
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(3);
  const DataType dt = a.dtype();
  if (b.dtype() != dt) ctx.Fail("A and B must have the same dtype");
  const float as = ScalarParam(ctx, 1, "A_scale"), bs = ScalarParam(ctx, 4, "B_scale"),
              cs = ScalarParam(ctx, 6, "C_scale");
  const float az = static_cast<float>(ZeroPointParam(ctx, 2, dt)),
              bz = static_cast<float>(ZeroPointParam(ctx, 5, dt)),
              cz = static_cast<float>(ZeroPointParam(ctx, 7, dt));
  const QRange r = QuantRange(ctx, dt);
  const float lo = static_cast<float>(r.lo), hi = static_cast<float>(r.hi);
  const float ka = as / cs, kb = bs / cs;
  ctx.set_output(0, MapBinary<Q, Q, Q>(ctx, a, b, dt, [&](Q x, Q y) {
                   const float v =
                       ka * (static_cast<float>(x) - az) + kb * (static_cast<float>(y) - bz);
                   const float q = RoundHalfEven(v) + cz;
                   return static_cast<Q>(q < lo ? lo : q > hi ? hi : q);
                 }));
}

void QLinearAddKernel(KernelContext& ctx) {
  if (ctx.in(0).dtype() == DataType::kUInt8)
    Add<uint8_t>(ctx);
  else if (ctx.in(0).dtype() == DataType::kInt8)
    Add<int8_t>(ctx);
  else
    ctx.Unsupported(std::string("dtype ") + DataTypeName(ctx.in(0).dtype()));
}

}  // namespace

SHRINK_REF_KERNEL("com.microsoft", "QLinearAdd", 1, kLatestOpset, QLinearAddKernel);

}  // namespace shrink::runtime
