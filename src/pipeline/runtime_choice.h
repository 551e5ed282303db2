// Choosing an artifact for a target runtime other than the gating one (the policy's first).
//
// The search measures every candidate on the gating runtime only, and a file can rank otherwise
// elsewhere (ONNX Runtime dequantizes W4A8's int4 weights at every run). So, per other target
// runtime: of the candidates whose only violations on the gating runtime are about latency, up to
// `max_timed` are timed on that runtime paired with the baseline there (latency only: metric and
// size belong to the file): first the most preferred one (Select's order on the gating runtime) of
// each kind (`kinds[i]`: which precisions candidate i uses, e.g. "int8,w4a8"), since a runtime that
// runs one kind slowly runs its variants so too, then the others in that order. Select chooses
// among them with those latencies: the constraints and "never slower than the baseline" apply on
// that runtime.
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
};

// The order of timing: `ranked` (Select's order) with the first candidate of each kind moved
// ahead of the others (relative orders kept), cut to `max_timed`.
std::vector<size_t> TimingOrder(const std::vector<size_t>& ranked,
                                const std::vector<std::string>& kinds, size_t max_timed);

// `outcomes` as Select left them (violations filled, on the gating runtime); `files[i]` is
// outcome i's model file. `options.runtime` is the runtime to choose for.
Expected<RuntimeChoice> ChooseForRuntime(const std::vector<Outcome>& outcomes,
                                         const std::vector<std::string>& files,
                                         const std::vector<std::string>& kinds,
                                         const search::Measurement& baseline,
                                         const search::Constraints& constraints,
                                         const data::TaskSpec& task, const MeasureOptions& options,
                                         const PairedBaseline& paired, size_t max_timed);

}  // namespace shrink::pipeline
