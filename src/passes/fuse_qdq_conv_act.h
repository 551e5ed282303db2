// fuse_qdq_conv_act
//
// Pattern (a quantized Conv whose activation runs in float before the requantization, as
// quant::PlanQdq writes a Conv followed by HardSwish):
//   xf = DequantizeLinear(xq, xs[, xzp]); wf = DequantizeLinear(wq, ws[, wzp]);
//   y = Conv(xf, wf[, b]); h = HardSwish(y) (ONNX or com.shrink); z = QuantizeLinear(h, ys[, yzp])
// Preconditions: as fuse_qdq (qdq_match.h: MatchDq / ConstantBias): xq 8-bit with constant scalar
//   xs / xzp; wq a constant (u)int8 of rank >= 3 with ws / wzp per tensor or per output channel; b
//   a float32 constant of M values or DequantizeLinear of an int32 constant; ys a constant float32
//   scalar, yzp a constant 8-bit scalar or absent; y and h single-use (by the next node) and not
//   graph outputs. Runs before fuse_qdq and fuse_qdq_float_output (which would otherwise turn the
//   Conv into a float-output op).
// Effect: z = com.shrink QLinearConvAct(xq, xs, xzp, wq, ws, wzp, ys, yzp[, b_int32]) with the
//   Conv attributes and activation="HardSwish" (reference kernel runtime/kernels/
//   conv_integer.cc; oneDNN int8 conv with hardswish + requantization post-ops in
//   runtime/fast/qlinear_conv_onednn.cc). b is requantized to int32 with scale xs * ws[m] as
//   fuse_qdq does (one rounding of the bias, at most half an accumulator unit). Absent zero points
//   become explicit zeros. The op exists only inside shrink's runtime plans (passes::LowerQdq);
//   exported artifacts keep their standard QDQ form.
#pragma once

#include "passes/pass.h"

namespace shrink::passes {

class FuseQdqConvActivation : public Pass {
 public:
  std::string name() const override { return "fuse_qdq_conv_act"; }
  Expected<bool> Run(ir::Graph& graph, PassContext& ctx) override;
};

}  // namespace shrink::passes
