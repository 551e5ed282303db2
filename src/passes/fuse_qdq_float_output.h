// fuse_qdq_float_output
//
// Pattern (QDQ Conv / MatMul whose output stays float, e.g. `shrink quantize --no-output-quant`):
//   xf = DequantizeLinear(xq, xs[, xzp]); wf = DequantizeLinear(wq, ws[, wzp]);
//   y  = Conv(xf, wf[, b]) | MatMul(xf, wf)            (y float32, any consumers, may be an output)
// Preconditions: as fuse_qdq (qdq_match.h: MatchDq / ConstantBias) without the QuantizeLinear:
//   xq 8-bit with constant scalar xs / xzp; wq a constant (u)int8, for Conv of rank >= 3 with ws /
//   wzp per tensor or per output channel (axis 0), for MatMul 2-D [K, N] with ws / wzp per tensor
//   or per column (axis 1); A of MatMul may have any rank. A Conv bias b is a float32 constant of M
//   values or DequantizeLinear of an int32 constant. Runs after fuse_qdq / fuse_qdq_gemm, so a
//   Conv / MatMul that they turn into a requantizing op never reaches it.
// Effect: y = com.shrink QConvFloat(xq, xs, xzp, wq, ws, wzp[, b_f32]) with the Conv attributes,
//   or y = com.shrink QMatMulFloat(xq, xs, xzp, wq, ws, wzp), both computing in float32
//     y = (xs * ws[c]) * conv_or_matmul(xq - xzp, wq - wzp) + b[c]
//   (the int32 accumulator exactly; the multiplier xs * ws[c] in float32, as QGemm; b stays
//   float32, not rounded). Reference kernels: runtime/kernels/qconv_float.cc. Absent zero points
//   become explicit zeros. The result equals the float path up to float rounding of the sums
//   (relative ~1e-6 of the accumulator's magnitude). These ops exist only inside shrink's
//   runtime plans (passes::LowerQdq); exported artifacts keep their standard QDQ form.
// The DequantizeLinear nodes stay while other nodes use them (dead_code_elimination removes them).
#pragma once

#include "passes/pass.h"

namespace shrink::passes {

class FuseQdqFloatOutput : public Pass {
 public:
  std::string name() const override { return "fuse_qdq_float_output"; }
  Expected<bool> Run(ir::Graph& graph, PassContext& ctx) override;
};

}  // namespace shrink::passes
