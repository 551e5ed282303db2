// `shrink quantize ... --job DIR`: one quantization configuration run as a one-trial
// `shrink compress` job, so that its output is a full job folder (baseline and candidate measured
// on every target runtime, best/ artifact with metadata and lineage, report.html / report.pdf,
// resumable) instead of a bare model file.
//
// Contract: QuantizePolicyYaml() writes the policy the job runs: fold (canonicalisation without
// com.shrink fusions), then `stage` with `options` (each a single value, so the search space has
// one point), constraints {max_metric_drop_pct}, target runtimes native and onnxruntime, one
// trial. RunQuantizeJob() saves it as DIR/policy.yaml (recorded in the lineage like any policy)
// and runs pipeline::RunCompression on it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/status.h"

namespace shrink::cli {

struct QuantizeJob {
  std::string model, task, dir;
  std::string stage = "ptq";  // ptq | weight_only
  nlohmann::json options = nlohmann::json::object();
  double max_metric_drop_pct = 1.0;
  int threads = 2;
  int64_t eval_limit = -1;
  bool pdf = true;
  bool json = false;
  std::string command_line;
};

std::string QuantizePolicyYaml(const QuantizeJob& job);
Status RunQuantizeJob(const QuantizeJob& job);

}  // namespace shrink::cli
