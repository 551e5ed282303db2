// widen_int4_weights
//
// Pattern (a W4A8 QDQ layer: int4 weight codes, 8-bit activations; quant::QuantPolicy::
// int4_weights): wf = DequantizeLinear(wq, ws[, wzp]) with wq a constant int4 / uint4 tensor
// quantized per tensor or per axis (no block_size), read only as input 1 of Conv / MatMul / Gemm
// nodes whose input 0 is a DequantizeLinear output (the activation side of a QDQ unit).
// Effect: wq (and wzp) replaced by int8 / uint8 constants holding the same values, so the
// fuse_qdq* passes that follow lower the unit to the 8-bit kernels. Exact: the DequantizeLinear
// output is unchanged. Block-wise int4 (weight-only) and DequantizeLinear nodes with other
// readers are left alone. Runs first in passes::LowerQdq; exported artifacts keep int4.
#pragma once

#include "passes/pass.h"

namespace shrink::passes {

class WidenInt4Weights : public Pass {
 public:
  std::string name() const override { return "widen_int4_weights"; }
  Expected<bool> Run(ir::Graph& graph, PassContext& ctx) override;
};

}  // namespace shrink::passes
