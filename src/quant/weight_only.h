// Weight-only quantization: block-wise int4 / int8 weights of MatMul / Gemm (and optionally Gather
// embedding tables), activations stay float; round-to-nearest (RTN) or GPTQ (gptq.h).
//
// Contract:
// - Output format (standard ONNX, what ORT and our runtimes run):
//     MatMul(X, DequantizeLinear(Wq, scale[, zero_point]))
//   Wq is a constant initializer of W's shape: [K, N] for MatMul and Gemm (transB = 0), [N, K] for
//   Gemm with transB = 1, [V, D] for a Gather table (blocks along D). DequantizeLinear carries
//   `axis` = the K axis of Wq and `block_size` = B; scale is float32 of Wq's shape with dim axis =
//   ceil(K / B); symmetric: Wq int4 / int8, no zero point; asymmetric: Wq uint4 / uint8 and a zero
//   point of scale's shape and Wq's dtype. Grids and rounding: block_quant.h. Gemm keeps alpha,
//   beta and its float bias; Gather keeps its indices.
// - Selected nodes: main-graph default-domain MatMul with a constant float32 rank-2 input 1, Gemm
//   with a constant float32 rank-2 B and transA = 0 (op_types), Gather with axis 0 and a constant
//   float32 rank-2 data input (with `embeddings`), filtered by the include / exclude name globs
//   (policy.h GlobMatch). A weight used by several selected nodes is quantized once; its float
//   initializer is dropped once nothing else uses it. A Gather table that a Transpose also reads
//   (a tied output projection: MatMul(x, Transpose(table))) shares the quantized table; one that
//   any other node reads as float is not quantized.
// - The model is first prepared (quantize.h PrepareForQuantization: unique node names, constant
//   and BatchNorm folding; only node naming when it already holds quantization ops) and its
//   ai.onnx opset raised to 21 (passes::UpgradeOpset) when lower.
// - GPTQ: H = 2/n sum x x^T of every selected MatMul / Gemm input, gathered in one streaming pass
//   of the float model over `source` (ProbeRunner; one K*K accumulator per distinct input value,
//   shared by the weights that read it, e.g. the Q/K/V projections). Layers are quantized from the
//   float model's inputs (not sequentially from already-quantized layers). Gather tables and
//   layers whose input was never observed fall back to RTN. `source` may be null for RTN only.
// - Errors (kInvalidArgument): bits other than 4 / 8, a block size that is not a power of two in
//   [16, 256], an op type other than MatMul / Gemm, gptq without a source, a model that already
//   holds quantization ops (QuantizeLinear, DequantizeLinear, MatMulInteger, ...) unless
//   `allow_quantized_model` (the pipeline quantizes some layers int8 first, then others int4).
//   Nothing selected is not an error. On error the model may be partially rewritten.
// - The result lists every quantized weight with its relative weight MSE and, for GPTQ, the
//   relative output error on the calibration data of the GPTQ and of the RTN weights.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "ir/model.h"
#include "quant/calibration.h"

namespace shrink::quant {

enum class WeightOnlyMethod { kRtn, kGptq };
Expected<WeightOnlyMethod> ParseWeightOnlyMethod(const std::string& s);  // "rtn" | "gptq"

struct WeightOnlyOptions {
  int bits = 4;
  int64_t block_size = 32;
  WeightOnlyMethod method = WeightOnlyMethod::kRtn;
  bool symmetric = true;
  std::vector<std::string> op_types = {"MatMul", "Gemm"};
  bool embeddings = false;           // also Gather tables (a large share of BERT / GPT-2 size)
  std::vector<std::string> include;  // node-name globs; empty: all
  std::vector<std::string> exclude;
  double gptq_damp = 0.01;  // relative to the mean diagonal of H
  bool act_order = false;   // GPTQ: visit input features by decreasing H_ii
  int threads = 0;          // calibration runs and weights quantized in parallel; 0: all cores
  bool allow_quantized_model = false;
  // phase "calibrating" (per batch, total -1 when unknown) or "quantizing" (per weight).
  std::function<void(const std::string& phase, int64_t done, int64_t total)> progress;
};

struct WeightOnlyLayer {
  std::string node, op_type, weight;
  int64_t k = 0, n = 0;
  double weight_rel_mse = 0;         // ||W - Q||^2 / ||W||^2
  double output_rel_error = -1;      // GPTQ: tr(D^T H D) / tr(W^T H W); -1 when not measured
  double rtn_output_rel_error = -1;  // GPTQ: the same for round-to-nearest weights
};

struct WeightOnlyResult {
  std::vector<std::string> nodes;             // quantized nodes, graph order
  std::vector<WeightOnlyLayer> layers;        // one per quantized weight
  int64_t bytes_before = 0, bytes_after = 0;  // main-graph initializer bytes
  int64_t calibration_batches = 0;
  std::string scheme;  // e.g. "weight-only int4 block32 gptq"
};

Status ValidateWeightOnlyOptions(const WeightOnlyOptions& o);
// "weight-only int4 block32 gptq" (+ " asymmetric", " act-order", " +embeddings").
std::string WeightOnlyScheme(const WeightOnlyOptions& o);

Expected<WeightOnlyResult> QuantizeWeightsOnly(ir::Model& model, CalibrationSource* source,
                                               const WeightOnlyOptions& options);

}  // namespace shrink::quant
