// Per-layer sensitivity: how much the task metric drops when only one layer is quantized (int8,
// the ptq stage's default choices), measured once per job on a few evaluation examples and cached
// in the job folder. It guides the per-layer precision search (sensitive layers mutate more often
// and seed candidates keep the most sensitive layers in float).
//
// Contract: the cache (<job>/sensitivity.json) is keyed by the model's SHA-256, the ptq choices
// and the example count; a matching cache is returned without measuring. The float reference is
// measured on the same examples, so the drop is relative to it (metric direction respected).
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "data/task.h"
#include "pipeline/policy.h"

namespace shrink::pipeline {

struct SensitivityOptions {
  int64_t samples = 128;
  int threads = 2;
  std::string cache_path;
  std::function<void(size_t done, size_t total)> progress;
};

// Layer name -> metric drop in percent (positive: worse), in `layers` order.
Expected<std::vector<std::pair<std::string, double>>> MeasureSensitivity(
    const std::string& model_path, const data::TaskSpec& task, const Policy& policy,
    const nlohmann::json& default_choices, const std::vector<std::string>& layers,
    const SensitivityOptions& options);

}  // namespace shrink::pipeline
