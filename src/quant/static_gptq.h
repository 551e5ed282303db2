// GPTQ rounding of the int8 weights of static (W8A8) quantization: the codes are chosen by GPTQ
// (gptq.h, one block = the whole K, the caller's per-column grid) instead of round-to-nearest,
// on exactly the scales and zero points RTN uses, so the QDQ graph, the activation quantizers and
// the biases' scales are the same; only the int8 codes change.
//
// Contract:
// - RoundWeightsGptq(model, nodes, source, policy, options): for every node of `nodes` (selected
//   by the policy, in the float `model` that InsertQdq will rewrite next) whose weight (input 1)
//   is a constant float32
//     MatMul  [K, N] (rank 2; input 0 [..., K]),
//     Gemm    [K, N] or, with transB, [N, K] (transA = 0; input 0 [M, K]),
//     Conv    [M, C, kh, kw] or [M, C, k] with group == 1: K = C*kh*kw, N = M; the samples are
//             the im2col patches of input 0 (strides, pads, dilations and auto_pad respected;
//             padded positions are zeros),
//   the Hessian H = 2/n sum x x^T of the layer's input rows is accumulated over the calibration
//   batches of `source` on the FLOAT model (every layer sees float inputs, not the outputs of
//   already quantized layers), and the codes come from QuantizeGptq() with the scale / zero
//   point of QuantizeWeight(weight, axis, int8, symmetric, reduce_range) (axis =
//   WeightChannelAxis when policy.per_channel, else per tensor). A weight read by several
//   selected nodes gets the sum of their Hessians. Depthwise / grouped Conv (group > 1),
//   Conv above 2-D, MatMul with a weight above rank 2, Gemm with transA, and layers whose input
//   never shows up as float32 keep RTN (absent from the result).
// - Memory: at most `max_rows_per_batch` rows (evenly strided) of each layer's input per batch
//   are added to its Hessian (im2col of a large feature map would otherwise be rows x K floats);
//   Hessians (K*K doubles each) are collected for groups of layers whose total stays under
//   `max_hessian_bytes` (one more pass over `source` per group); batches are streamed. Rounding
//   a layer needs about 6 K*K doubles more (gptq.cc), `threads` layers at a time.
// - Errors: a batch that does not run, an input whose last dim / channels do not match the
//   weight, or a Hessian that is not positive definite even with damping -> kInvalidArgument
//   naming the node; `damp` <= 0 or max_rows_per_batch < 1 -> kInvalidArgument.
// - The result maps (weight name, axis) to the quantized tensor InsertQdq uses in place of its
//   own RTN codes (qdq.h WeightCodes), plus per-layer relative output errors tr(D^T H D) /
//   tr(W^T H W) of RTN and GPTQ on the calibration Hessian (gptq.h RelativeOutputError).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "ir/model.h"
#include "quant/calibration.h"
#include "quant/policy.h"
#include "quant/qdq.h"

namespace shrink::quant {

enum class WeightRounding { kRtn, kGptq };
Expected<WeightRounding> ParseWeightRounding(const std::string& s);  // "rtn" | "gptq"
const char* WeightRoundingName(WeightRounding r);

struct StaticGptqOptions {
  double damp = 0.01;  // relative to the mean diagonal of H
  int64_t max_rows_per_batch = 4096;
  int64_t max_hessian_bytes = int64_t{1} << 30;
  int threads = 0;
  std::function<void(int64_t done, int64_t total)> progress;  // per calibration batch
};

struct GptqLayerStats {
  std::string node, weight;
  int64_t k = 0, n = 0, samples = 0;
  double rtn_output_rel_error = 0, output_rel_error = 0;
};

struct StaticGptqStats {
  std::vector<GptqLayerStats> layers;  // one per GPTQ-rounded weight
  int64_t calibration_passes = 0;
};

struct StaticGptqResult {
  WeightCodes codes;
  StaticGptqStats stats;
};

Status ValidateStaticGptqOptions(const StaticGptqOptions& options);
Expected<StaticGptqResult> RoundWeightsGptq(const ir::Model& model,
                                            const std::vector<ir::Node*>& nodes,
                                            CalibrationSource& source, const QuantPolicy& policy,
                                            const StaticGptqOptions& options);

}  // namespace shrink::quant
