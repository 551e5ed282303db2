// fuse_qdq
//
// Pattern (QDQ form of a quantized Conv / MatMul):
//   xf = DequantizeLinear(xq, xs[, xzp]); wf = DequantizeLinear(wq, ws[, wzp]);
//   y  = Conv(xf, wf[, b]) | MatMul(xf, wf) [; y = Relu(y)];  z = QuantizeLinear(y, ys[, yzp])
// Preconditions: xq, wq are (u)int8 (wq constant); xs, ys, xzp, yzp constant scalars; ws, wzp
//   constant, per-tensor, or for Conv per output channel (1-D of length M with DequantizeLinear
//   axis = 0); MatMul per-tensor or per column of B (1-D of length N, axis = 1); a Conv bias b
//   is a float constant of length M, or DequantizeLinear of an int32 constant (ORT's QDQ bias form;
//   see ConstantBias in qdq_match.h), quantized to int32 with scale xs * ws[m] and zero point 0
//   as QLinearConv requires; y has the QuantizeLinear as its only consumer and is not a graph
//   output; the Quantize/Dequantize nodes have no block_size / non-default saturate. A Relu between
//   the op and the QuantizeLinear is absorbed when yzp is the lowest value of its dtype (saturation
//   then is the Relu: exact).
// Effect: z = QLinearConv(xq, xs, xzp, wq, ws, wzp, ys, yzp[, b_int32]) with the Conv attributes,
//   or QLinearMatMul(xq, xs, xzp, wq, ws, wzp, ys, yzp) — standard ONNX ops with reference kernels
//   (requantization in the kernel). Absent zero points become explicit zeros of the quantized
//   dtype (uint8 for yzp, as QuantizeLinear defaults). The DequantizeLinear nodes stay while other
//   nodes use them (dead_code_elimination removes them otherwise).
// Gemm: see fuse_qdq_gemm.h. Add / MaxPool: see fuse_qdq_ops.h.
#pragma once

#include "passes/pass.h"

namespace shrink::passes {

class FuseQdq : public Pass {
 public:
  std::string name() const override { return "fuse_qdq"; }
  Expected<bool> Run(ir::Graph& graph, PassContext& ctx) override;
};

}  // namespace shrink::passes
