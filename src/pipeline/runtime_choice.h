// Choosing an artifact for a target runtime other than the gating one (the policy's first).
//
// The search measures every candidate on the gating runtime only, and a file can rank otherwise
// elsewhere (ONNX Runtime dequantizes W4A8's int4 weights at every run). So, per other target
// runtime: the candidates whose only violations on the gating runtime are about latency, in
// Select's order of preference there, up to `max_timed`, are timed on that runtime paired with the
// baseline there (latency only: metric and size belong to the file), and Select chooses among them
// with those latencies: the constraints and "never slower than the baseline" apply on that runtime.
// The caller confirms the chosen file's metric on the runtime afterwards.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pipeline/measure.h"
#include "pipeline/selection.h"

namespace shrink::pipeline {

struct RuntimeChoice {
  std::optional<size_t> best;  // index into the outcomes
  std::string explanation;     // Select's, with this runtime's latencies
  int timed = 0;               // candidates timed on the runtime
};

// `outcomes` as Select left them (violations filled, on the gating runtime); `files[i]` is
// outcome i's model file. `options.runtime` is the runtime to choose for.
Expected<RuntimeChoice> ChooseForRuntime(const std::vector<Outcome>& outcomes,
                                         const std::vector<std::string>& files,
                                         const search::Measurement& baseline,
                                         const search::Constraints& constraints,
                                         const data::TaskSpec& task, const MeasureOptions& options,
                                         const PairedBaseline& paired, size_t max_timed);

}  // namespace shrink::pipeline
