// fuse_qdq_ops
//
// Keeps the non-matmul ops of a QDQ model in 8-bit (runs after fuse_qdq):
// Pattern A (MaxPool): x = DequantizeLinear(xq, s[, zp]); y = MaxPool(x) (Indices unused);
//   z = QuantizeLinear(y, s'[, zp']).
//   Preconditions: per-tensor constant parameters with s' == s and zp' == zp (values), xq 8-bit,
//   default-domain opset >= 12 (8-bit MaxPool), y single-use and not a graph output.
//   Effect: z = MaxPool(xq) with the same attributes. Exact: quantization is monotonic, so the max
//   commutes with it, and QuantizeLinear(DequantizeLinear(v)) = v for equal parameters.
// Pattern A' (MaxPool, other parameters): as A but without a QuantizeLinear of xq's parameters
//   after y (different ones, or none); s > 0. Effect: y = DequantizeLinear(MaxPool(xq), s[, zp]):
//   the pooling runs on 8-bit values and only the pooled tensor is dequantized (a QuantizeLinear
//   after it stays). Exact for the same reason (DequantizeLinear is increasing for s > 0).
// Pattern C (data movement): x = DequantizeLinear(xq, s[, zp]); y = Op(x, other inputs) for Op in
//   Flatten, Reshape, Squeeze, Unsqueeze, Transpose, Identity, Dropout (inference: no
//   training_mode input, Mask unused); z = QuantizeLinear(y, s'[, zp']).
//   Preconditions: per-tensor constant parameters with s' == s and zp' == zp (values and dtype), y
//   single-use. Effect: z = Op(xq, other inputs) (Dropout: Identity(xq), Dropout takes floats
//   only). Exact: these ops only move, drop or repeat elements.
// Pattern B (residual Add): a = DequantizeLinear(aq, as[, azp]); b = DequantizeLinear(bq, bs[,
//   bzp]); y = Add(a, b) [; y = Relu(y)]; z = QuantizeLinear(y, ys[, yzp]).
//   Preconditions: per-tensor constant parameters; aq, bq and z share one 8-bit dtype; the Relu
//   (if any) is single-use and yzp is the lowest value of the dtype (so saturation already is the
//   Relu); intermediates single-use and not graph outputs.
//   Effect: z = com.microsoft QLinearAdd(aq, as, azp, bq, bs, bzp, ys, yzp) (reference kernel in
//   runtime/kernels/qlinear_add.cc; ONNX Runtime has the same contrib op). Rounding differs from
//   the float path by at most one quantization step (the float Add result is rounded once).
// Pattern D (GlobalAveragePool): x = DequantizeLinear(xq, s[, zp]); y = GlobalAveragePool(x)
//   [; y' = Flatten / Reshape / Squeeze(y, ...)]; z = QuantizeLinear(y or y', ys[, yzp]).
//   Preconditions: per-tensor constant parameters; xq and z share one 8-bit dtype; y (and y')
//   single-use. Effect: p = com.microsoft QLinearGlobalAveragePool(xq, s, zp, ys, yzp)
//   {channels_last=0} (reference kernel in runtime/kernels/qlinear_global_average_pool.cc; ONNX
//   Runtime has the same contrib op), then z = Flatten / Reshape / Squeeze(p, ...) where there was
//   one (it moves 8-bit values). Within one quantization step of the float path (the mean is
//   rounded once).
// The DequantizeLinear nodes stay while other nodes use them (dead_code_elimination removes
// them otherwise).
#pragma once

#include "passes/pass.h"

namespace shrink::passes {

inline constexpr const char* kMicrosoftDomain = "com.microsoft";

class FuseQdqOps : public Pass {
 public:
  std::string name() const override { return "fuse_qdq_ops"; }
  Expected<bool> Run(ir::Graph& graph, PassContext& ctx) override;
};

// Runs widen_int4_weights, fuse_qdq_conv_act, fuse_qdq, fuse_qdq_gemm, fuse_qdq_ops,
// fuse_qdq_float_output and dead_code_elimination on `model` (what a runtime does to execute a QDQ
// model in 8-bit); a model without QuantizeLinear / DequantizeLinear is left untouched. Returns
// whether anything changed.
Expected<bool> LowerQdq(ir::Model& model);

}  // namespace shrink::passes
