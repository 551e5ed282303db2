// Post-training static (and dynamic) int8 quantization of a whole model: the one entry point the
// CLI and later pipeline stages call.
//
// Contract:
// - PrepareForQuantization(): names unnamed nodes, then constant folding, BatchNormalization
//   folding into Conv and dead-code elimination (the canonicalisation passes that keep standard
//   ONNX ops; the com.shrink fusions are left out so that ONNX Runtime can run the result).
// - QuantizeModel(): prepares `model`, selects nodes by `options.policy`, then
//   static:  plans the activation tensors (qdq.h), calibrates them on `source` with the chosen
//            observer (calibration.h), computes scale / zero point per tensor and inserts QDQ.
//            The result is always QDQ (diagnostics compare it node by node with the float
//            model); with format kQOperator biases stay float so that ToQOperator() (qdq.h),
//            called next by the caller, can fuse QLinearConv / QLinearMatMul;
//   dynamic: (options.dynamic) MatMul / Gemm weights int8 + DynamicQuantizeLinear (dynamic.h);
//            `source` may be null.
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
#include "quant/calibration.h"
#include "quant/observer.h"
#include "quant/policy.h"
#include "quant/qdq.h"

namespace shrink::quant {

enum class QuantFormat { kQdq, kQOperator };
Expected<QuantFormat> ParseQuantFormat(const std::string& s);  // "qdq" | "qoperator"

struct QuantizeOptions {
  QuantPolicy policy;
  ObserverOptions observer;
  QuantFormat format = QuantFormat::kQdq;
  bool dynamic = false;
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
};

Status PrepareForQuantization(ir::Model& model);
Expected<QuantizeResult> QuantizeModel(ir::Model& model, CalibrationSource* source,
                                       const QuantizeOptions& options);

}  // namespace shrink::quant
