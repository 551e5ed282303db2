// fuse_qdq_gemm
//
// Pattern (QDQ form of a quantized fully connected layer; ONNX has no QLinearGemm):
//   xf = DequantizeLinear(xq, xs[, xzp]); wf = DequantizeLinear(wq, ws[, wzp]);
//   y = Gemm(xf, wf[, c]) [; y = Relu(y)] [; z = QuantizeLinear(y, ys[, yzp])]
// Preconditions: xq (u)int8 with constant per-tensor xs / xzp; wq a constant 2-D (u)int8 with
//   constant ws / wzp per tensor or per output column (1-D of length N along the N axis of wq:
//   axis 0 when transB = 1, else 1); Gemm with transA = 0, alpha = 1; c absent, or a constant
//   float32 of N values, or DequantizeLinear of an int32 constant (see ConstantBias in
//   qdq_match.h); the Q/DQ nodes have plain attributes. With a QuantizeLinear: ys / yzp constant
//   scalars, y its only use (a Relu in between is absorbed when yzp is the lowest value of its
//   dtype, as in fuse_qdq). Without one, y keeps float32 (a Relu after it stays).
// Effect: z (or y) = com.microsoft QGemm(xq, xs, xzp, wq, ws, wzp, c_int32, [ys, yzp]) with the
//   Gemm's transB; c_int32 = round_half_even(beta * c / (xs * ws[n])) (the accumulator's units);
//   absent zero points become explicit zeros (yzp: uint8, as QuantizeLinear defaults). Reference
//   kernel: runtime/kernels/qgemm.cc (ONNX Runtime has the same contrib op). Requantized outputs
//   may differ from the float path by one quantization step (rounding of c and of the result).
// The DequantizeLinear nodes stay while other nodes use them (dead_code_elimination removes them).
#pragma once

#include "passes/pass.h"

namespace shrink::passes {

class FuseQdqGemm : public Pass {
 public:
  std::string name() const override { return "fuse_qdq_gemm"; }
  Expected<bool> Run(ir::Graph& graph, PassContext& ctx) override;
};

}  // namespace shrink::passes
