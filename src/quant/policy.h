// QuantPolicy: which nodes get quantized and how (the typed knobs of a quantization stage).
//
// Contract: SelectNodes() returns, in graph order, the main-graph nodes in the default domain
// whose op type is listed in `op_types`, whose name matches one of `include` (when non-empty)
// and none of `exclude` (glob patterns: '*' any run, '?' one character; a plain name matches
// itself), minus the first and last of them when `keep_first_last`. Conv and Gemm also need a
// constant float32 weight (input 1); so does a MatMul unless `activation_matmul` (then a MatMul
// whose input 1 is not constant, e.g. attention scores, has both inputs treated as activations:
// off by default, since an int8 product of two activations has no fast kernel and keeps the
// attention block from fusing, in shrink's runtime as in ONNX Runtime). Validate() rejects
// unsupported dtypes and unknown op types (kInvalidArgument).
// Roles: for Conv, Gemm (and MatMul with a constant B) input 1 is the weight and input 2 (Conv,
// Gemm) the bias; every other float input is an activation. Later techniques (bias correction,
// SmoothQuant, weight-only int4) plug in as new fields here and new steps in quantize.h.
#pragma once

#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/status.h"
#include "ir/graph.h"

namespace shrink::quant {

struct QuantPolicy {
  std::vector<std::string> op_types = {"Conv", "MatMul", "Gemm"};
  std::vector<std::string> include;  // node-name globs; empty: every node of op_types
  std::vector<std::string> exclude;  // node-name globs
  bool keep_first_last = false;      // leave the first and last selected node in float
  bool activation_matmul = false;    // also MatMuls of two activations
  // Activations: kUInt8 asymmetric (default) or kInt8 symmetric.
  DataType activation_dtype = DataType::kUInt8;
  bool per_channel = false;  // weights: one scale per output channel
  // Node-name globs whose weights get 4-bit codes (int4, same scale axis; activations stay 8-bit:
  // W4A8). The file is then opset >= 21 (int4 DequantizeLinear); shrink's runtime widens the
  // codes to int8 at load and runs the int8 kernels, so such a layer is as fast as int8 and its
  // weights take half the bytes on disk.
  std::vector<std::string> int4_weights;
  bool weight_symmetric = true;  // weights: zero point 0 (oneDNN/ORT int8 kernels need it)
  // 8-bit weights on 7 bits (quant_params.h: GridFor) for targets whose int8 kernels saturate
  // 16-bit pair sums (x86-64 without VNNI under ONNX Runtime / OpenVINO); half the weight levels.
  bool reduce_range = false;
  // Quantize the outputs of quantized nodes too (needed to fuse into QLinearConv/QLinearMatMul).
  bool quantize_outputs = true;
  bool quantize_bias = true;  // int32 bias through DequantizeLinear (QDQ format)
  // Drop a Relu / Clip(0, M) between a quantized node and its output quantizer when the uint8
  // quantizer (zero point 0, top <= M) saturates exactly like it (ORT does the same). Also: a
  // Conv whose only consumer is a HardSwish quantizes the HardSwish output instead of its own
  // (the activation stays float inside the unit; the fast runtime runs it as one int8 conv).
  bool fold_activations = true;
  // With fold_activations, the HardSwish case (false: the Conv's output is quantized too, and the
  // HardSwish runs between DQ and Q: the form ONNX Runtime fuses into QLinearConv; folded, ORT
  // runs such convs in float on dequantized weights, PaddleOCR rec 18.0 vs 12.2 ms for float).
  bool fold_hardswish = true;
};

Status ValidatePolicy(const QuantPolicy& p);
// Whether this machine is one `reduce_range` is for: an x86-64 CPU without VNNI, where ONNX
// Runtime's and OpenVINO's int8 kernels add u8 x s8 product pairs in saturating int16.
bool Int8PairSumsSaturateHere();
// Glob match of a node name ('*' and '?').
bool GlobMatch(const std::string& pattern, const std::string& name);
// Whether input `index` of `node` is its weight (a constant quantized per channel) or bias.
bool IsWeightInput(const ir::Node& node, int index);
bool IsBiasInput(const ir::Node& node, int index);
// Output-channel axis of the weight of `node` (Conv: 0; Gemm: transB ? 0 : 1; MatMul: last).
int64_t WeightChannelAxis(const ir::Node& node, int64_t weight_rank);
// The code type of `node`'s weight: kInt4 when its name matches `int4_weights`, else kInt8.
DataType WeightCodeType(const QuantPolicy& policy, const ir::Node& node);
std::vector<ir::Node*> SelectNodes(const ir::Graph& graph, const QuantPolicy& policy);

}  // namespace shrink::quant
