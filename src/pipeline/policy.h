// Policy files: how to compress (ordered stages), under which constraints, on which runtimes, with
// what budget (schema version 1).
//
// Contract: ParsePolicy/LoadPolicy validate the whole file and return the first problem as
// kInvalidArgument "<file>:<line>:<col>: field '<path>': <problem>" (kNotFound for a missing
// file). Unknown keys are errors with a "did you mean" hint; so are unknown stage kinds.
//
// File layout (policies/*.yaml are complete examples):
//   version: 1
//   name: ptq_int8
//   description: ...                     # optional
//   seed: 0                              # optional
//   target_runtimes: [native, onnxruntime]   # optional, default [native]; the first one gates
//   constraints:                         # all optional
//     max_metric_drop_pct: 1.0
//     max_latency_ms_p50: 20
//     max_latency_ms_p95: 30
//     min_compression_ratio: 4
//     max_size_mb: 5
//   budget: {trials: 20, max_minutes: 30}    # optional; defaults 20 trials, 60 minutes
//   report: {cohort_tolerance_pct: 2}    # optional: flag cohorts losing more (relative %)
//   stages:                              # ordered; each kind at most once; `search` last
//     - fold: {}
//     - ptq: {method: [minmax, entropy], per_channel: true}
//     - weight_only: {bits: 4, block_size: [32, 128]}
//     - search: {algorithm: nsga2, per_layer: true}
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "pipeline/stage_config.h"
#include "search/constraints.h"

namespace shrink::pipeline {

struct Budget {
  int64_t trials = 20;
  double max_minutes = 60;
};

struct Policy {
  int64_t version = 1;
  std::string name;
  std::string description;
  std::string file;
  uint64_t seed = 0;
  std::vector<std::string> target_runtimes = {"native"};
  search::Constraints constraints;
  Budget budget;
  double cohort_tolerance_pct = 2.0;  // report: flag cohorts whose metric drops more (relative %)
  std::vector<std::shared_ptr<const StageConfig>> stages;

  // The stage of this kind, or nullptr.
  const StageConfig* Stage(const std::string& kind) const;
  nlohmann::json ToJson() const;
};

Expected<Policy> ParsePolicy(const std::string& text, const std::string& file_name);
Expected<Policy> LoadPolicy(const std::string& path);

}  // namespace shrink::pipeline
