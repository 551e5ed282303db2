// Side-by-side latency of shrink's fast runtime and ONNX Runtime on the same ONNX file and inputs.
//
// Contract:
// - Both runtimes use the same thread count and the same input tensors. Rounds alternate which
//   runtime goes first (ours first in even rounds), so machine drift hits both alike.
// - Each round times `runs` runs of ours (one runtimes::NativeSession: QDQ lowered to int8 ops,
//   created once, warmed up once before
//   the first round) and `runs` runs of ORT (one Node process per round, model load and one
//   warm-up run untimed; ORT optimisation level "all"). `runs` is chosen from a first timed run
//   so that a round lasts about `seconds_per_round` per runtime (clamped to [3, 50]).
// - Medians and p95 are over all timed runs of all rounds. The outputs of the last runs are
//   compared (agreement.h statistics, reported, not gated: int8 files differ by design).
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"

namespace shrink::bench {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

struct SideBySideOptions {
  int threads = 2;
  int rounds = 3;
  double seconds_per_round = 2.0;
};

struct LatencyStats {
  int runs = 0;
  double p50_ms = 0, p95_ms = 0, mean_ms = 0;
};

struct SideBySideResult {
  LatencyStats ours, ort;
  double ratio = 0;        // ours.p50 / ort.p50
  double max_rel_l2 = 0;   // worst output ||ours - ort|| / ||ort||
  int64_t fast_steps = 0;  // steps our session ran on fast kernels
  int64_t steps = 0;
};

Expected<SideBySideResult> MeasureSideBySide(const std::string& model_path,
                                             const NamedTensors& inputs,
                                             const SideBySideOptions& options);

LatencyStats Summarize(std::vector<double> samples_ms);

}  // namespace shrink::bench
