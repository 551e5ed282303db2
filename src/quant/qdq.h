// QDQ insertion: turns selected float nodes into the standard ONNX QDQ form.
//
// Contract:
// - PlanQdq() lists the activation tensors to calibrate for `nodes` (selected by the policy):
//   every float, non-constant input that is not a weight or bias and, with quantize_outputs,
//   each node's output 0 — or, with fold_activations, the output of a Relu / Clip (constant min
//   0) that is that output's single consumer (it is then calibrated after the activation).
// - InsertQdq() rewrites the main graph of `model`: each planned tensor T with a range becomes
//   T -> QuantizeLinear -> DequantizeLinear -> every node that used T (graph outputs keep T);
//   a folded activation is bypassed (the quantizer reads the node output; the Relu/Clip is removed)
//   when exact: uint8 with zero point 0 and, for Clip, scale * 255 <= its max. Weights of planned
//   nodes become (u)int8 initializers + DequantizeLinear (per output channel when per_channel:
//   axis attribute, opset >= 13 required, kInvalidArgument otherwise); the float initializer is
//   dropped once unused (a weight shared by several nodes is quantized once; `weight_codes`, when
//   given, supplies the codes of the weights it lists). With quantize_bias,
//   a 1-D bias of a node whose input 0 is quantized becomes int32 + DequantizeLinear with scale
//   x_scale * w_scale. New values carry their dtypes (so later fusion sees the int8 types).
//   Needs opset >= 10 (kUnimplemented below). Tensors without a range are left in float.
// - ToQOperator() runs passes::FuseQdq then dead-code elimination: QDQ Conv / MatMul groups
//   become QLinearConv / QLinearMatMul; what does not match (Gemm, per-channel MatMul, int32
//   biases) stays in QDQ form.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "ir/model.h"
#include "quant/observer.h"
#include "quant/policy.h"
#include "quant/quant_params.h"

namespace shrink::quant {

struct PlannedTensor {
  std::string name;         // the value that is calibrated and quantized
  std::string fold_source;  // non-empty: the node output before a foldable Relu / Clip
};

struct QdqPlan {
  std::vector<std::string> nodes;  // names of the nodes to quantize (unique-named by the caller)
  std::vector<PlannedTensor> tensors;
};

QdqPlan PlanQdq(const std::vector<ir::Node*>& nodes, const QuantPolicy& policy);

struct QdqStats {
  int64_t quantized_nodes = 0;        // nodes with at least one quantized input
  int64_t quantized_activations = 0;  // QuantizeLinear nodes inserted
  int64_t quantized_weights = 0;
  int64_t quantized_biases = 0;
  int64_t folded_activations = 0;  // Relu / Clip nodes removed
};

// The quantization parameters chosen for one activation tensor.
struct TensorQuant {
  Range range;
  QuantParams params;
};

// Precomputed int8 weight codes keyed by (weight value name, axis; -1 per tensor), used by
// InsertQdq instead of its own round-to-nearest (static_gptq.h); same scale / zero point shape.
using WeightCodes = std::map<std::pair<std::string, int64_t>, QuantizedTensor>;

Expected<QdqStats> InsertQdq(ir::Model& model, const QdqPlan& plan,
                             const std::map<std::string, TensorQuant>& activations,
                             const QuantPolicy& policy, const WeightCodes* weight_codes = nullptr);

Status ToQOperator(ir::Model& model);

// Gives every unnamed node of the main graph a unique name (plans and reports refer to names).
void NameNodes(ir::Graph& graph);

}  // namespace shrink::quant
