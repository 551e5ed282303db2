// Post-training static (and dynamic) int8 quantization of a whole model: the one entry point the
// CLI and later pipeline stages call.
//
// Contract:
// - PrepareForQuantization(): upgrades models below ai.onnx opset 13 to 13 when every op can be
//   translated (passes/upgrade_opset.h; else the model keeps its opset), names unnamed nodes,
//   then constant folding, BatchNormalization folding into Conv and dead-code elimination (the
//   canonicalisation passes that keep standard ONNX ops; the com.shrink fusions are left out so
//   that ONNX Runtime can run the result).
// - QuantizeModel(): prepares `model`, selects nodes by `options.policy`, then
//   static:  plans the activation tensors (qdq.h), calibrates them on `source` with the chosen
//            observer (calibration.h), computes scale / zero point per tensor and inserts QDQ.
//            The result is always QDQ (diagnostics compare it node by node with the float
//            model); with format kQOperator biases stay float so that ToQOperator() (qdq.h),
//            called next by the caller, can fuse QLinearConv / QLinearMatMul;
//   dynamic: (options.dynamic) MatMul / Gemm weights int8 + DynamicQuantizeLinear (dynamic.h);
//            `source` may be null.
//   Accuracy passes (off by default), in this order: `cle` cross-layer equalization right after
//   preparation (cross_layer_equalization.h; static and dynamic), `smoothquant_alpha` >= 0
//   SmoothQuant of the selected MatMul / Gemm (smoothquant.h), then QDQ insertion, then
//   `bias_correction` (bias_correction.h) against the float model. SmoothQuant and bias
//   correction need calibration data and static quantization (kInvalidArgument otherwise).
//   `weight_rounding` gptq (static only, needs calibration data; kInvalidArgument otherwise)
//   chooses the int8 weight codes of MatMul / Gemm / Conv (group 1) by GPTQ on the float model's
//   calibration inputs, after calibration and before QDQ insertion, on the RTN scales
//   (static_gptq.h: depthwise / grouped Conv keep RTN; one more pass over `source`).
//   Static quantization without a source, or a model that already holds quantization ops
//   (QuantizeLinear, QLinearConv, MatMulInteger, ...) -> kInvalidArgument. Nothing selected is not
//   an error (stats are zero). On error `model` may be partially rewritten: quantize a copy when
//   that matters.
// - The result lists every quantized activation with its observed and chosen ranges, so that
//   diagnostics (report.h) and later techniques (bias correction, SmoothQuant) can build on it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "ir/model.h"
#include "quant/bias_correction.h"
#include "quant/calibration.h"
#include "quant/cross_layer_equalization.h"
#include "quant/observer.h"
#include "quant/policy.h"
#include "quant/qdq.h"
#include "quant/smoothquant.h"
#include "quant/static_gptq.h"

namespace shrink::quant {

enum class QuantFormat { kQdq, kQOperator };
Expected<QuantFormat> ParseQuantFormat(const std::string& s);  // "qdq" | "qoperator"

struct QuantizeOptions {
  QuantPolicy policy;
  ObserverOptions observer;
  QuantFormat format = QuantFormat::kQdq;
  bool dynamic = false;
  bool cle = false;
  CleOptions cle_options;
  bool bias_correction = false;
  double smoothquant_alpha = -1;  // < 0: off; else in [0, 1]
  WeightRounding weight_rounding = WeightRounding::kRtn;
  StaticGptqOptions gptq;  // with kGptq (threads / progress come from the fields below)
  int threads = 0;
  std::function<void(int64_t done, int64_t total)> progress;  // per calibration batch
};

struct ActivationInfo {
  std::string name;
  double observed_min = 0, observed_max = 0;
  Range range;  // chosen by the observer (finalised for the grid)
  QuantParams params;
  double outlier_ratio = 1;  // max|x| / |p99.9|
};

struct QuantizeResult {
  QdqStats stats;
  std::vector<std::string> nodes;  // selected nodes (names)
  std::vector<ActivationInfo> activations;
  int64_t calibration_batches = 0;
  CleStats cle;
  SmoothQuantStats smoothquant;
  BiasCorrectionStats bias_correction;
  StaticGptqStats gptq;
};

// `int4_codes`: also upgrade to opset 21 (int4 DequantizeLinear) for QuantPolicy::int4_weights;
// a model that cannot be upgraded is then an error.
Status PrepareForQuantization(ir::Model& model, bool int4_codes = false);
// Stable name of a configuration for artifact metadata, e.g.
// "int8_static_qdq_per_channel_symmetric_weights_u8_activations_minmax" (+ "_float_outputs",
// "_cle", "_bias_corrected", "_smoothquant", "_gptq"); "int8_dynamic_matmul" for dynamic
// quantization.
std::string SchemeName(const QuantizeOptions& options);
Expected<QuantizeResult> QuantizeModel(ir::Model& model, CalibrationSource* source,
                                       const QuantizeOptions& options);

}  // namespace shrink::quant
