// Applying a candidate's stage choices (SearchSpace::Decode output) to a model, in policy order.
//
// Contract:
// - fold: constant folding, BatchNorm folding and dead-code elimination (plus MatMul+Add -> Gemm
//   with `fuse`); only standard ONNX ops, so every target runtime can run the result.
// - ptq: quant::QuantizeModel with the chosen calibrator and scheme, calibrated on the task's
//   calibration split (at most calibration_samples examples); layers a per-layer genome sets to
//   "float" are excluded; format qoperator is converted after QDQ insertion.
// - weight_only: quant::QuantizeWeightsOnly with the chosen bits, block size, method and symmetry
//   (GPTQ calibrates on at most 256 examples of the task's calibration split); layers a
//   per-layer genome sets to "float" are excluded. Layers set to "int4" (MatMul / Gemm only; an
//   int4 Conv stays int8) are left out of ptq and quantized weight-only int4 right after it, with
//   the weight_only stage's block size and method when the policy has one (else block 32 RTN).
//   CompressionApplied::quantization names the scheme ("weight-only int4 block32 gptq", joined
//   with " + " to the ptq scheme). A weight_only stage before ptq -> kInvalidArgument (ptq refuses
//   an already quantized model).
// - search: nothing to apply.
// - The result records, per stage, what was done (for lineage) and the CompressionApplied strings
//   of the artifact metadata.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "core/status.h"
#include "data/task.h"
#include "export/artifact_metadata.h"
#include "ir/model.h"
#include "pipeline/policy.h"

namespace shrink::pipeline {

struct StageContext {
  const data::TaskSpec* task = nullptr;
  int threads = 2;
  std::function<void(int64_t done, int64_t total)> calibration_progress;
  // ptq: also measure per-layer SQNR against the float model (quant/report.h) on a few
  // calibration batches; costs one more pass, so only for the chosen candidate.
  bool diagnose = false;
};

struct AppliedStages {
  nlohmann::json record = nlohmann::json::object();  // per stage: options used and statistics
  exporting::CompressionApplied compression;
  // With StageContext::diagnose: [{layer, op_type, sqnr_db}], worst first.
  nlohmann::json layer_sqnr = nlohmann::json::array();
};

Expected<AppliedStages> ApplyStages(ir::Model& model, const nlohmann::json& choices,
                                    const Policy& policy, const StageContext& ctx);

// Fails early when the policy asks for a stage or choice shrink cannot run (kUnimplemented) or
// for stages in an order that cannot work (kInvalidArgument).
Status CheckStagesSupported(const Policy& policy);

}  // namespace shrink::pipeline
