// Dynamic quantization: int8 weights, activations quantized at run time (no calibration).
//
// Contract: for every MatMul with a constant float32 rank-2 weight [K, N] and every Gemm with a
// constant rank-2 B, transA = 0 and (when present) a constant bias, among `nodes`, emits what ONNX
// Runtime's dynamic quantizer emits:
//   xq, xs, xzp = DynamicQuantizeLinear(x)             (uint8, per tensor)
//   yi = MatMulInteger(xq, wq, xzp, wzp)                (int32; wq int8 [K, N], wzp scalar or [N])
//   y  = Mul(Cast(yi, float), Mul(xs, ws * alpha))      (ws scalar or per output column [N])
//   y  = Add(y, beta * C)                               (Gemm with a bias)
// Gemm's transB is applied to the stored weight. The last value keeps the original output name.
// Needs opset >= 11 (kUnimplemented below). Other nodes are left in float.
#pragma once

#include <vector>

#include "core/status.h"
#include "ir/model.h"
#include "quant/policy.h"
#include "quant/qdq.h"

namespace shrink::quant {

Expected<QdqStats> QuantizeDynamic(ir::Model& model, const std::vector<std::string>& nodes,
                                   const QuantPolicy& policy);

}  // namespace shrink::quant
