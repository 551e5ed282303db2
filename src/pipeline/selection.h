// Choosing the artifact to recommend from the measured candidates.
//
// Contract:
// - Eligible: measured without error, meets every constraint (search::Check) and is not slower
//   than the baseline on the gating runtime (latency p50 <= baseline p50): a candidate slower than
//   the baseline is never recommended.
// - Best eligible: the smallest (latency p50 / baseline p50) x (size / baseline size) — the most
//   speed and compression together — then the smaller metric drop, then the lower trial index.
// - front: the Pareto front of the measured candidates over (metric drop, latency p50, size).
// - With no eligible candidate, `best` is empty and `closest` lists up to three candidates by
//   least infeasibility (sum of relative constraint excess; slower-than-baseline counts as a
//   violation), and `explanation` says which constraint failed by how much.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "search/constraints.h"

namespace shrink::pipeline {

struct Outcome {
  std::string id;  // "trial-3"
  bool ok = false;
  search::Measurement m;
  // Baseline p50 measured in the same window as m.latency_ms_p50 (0: use the baseline's own).
  double paired_baseline_p50_ms = 0;
  std::vector<search::Violation> violations;  // filled by Select
};

struct Selection {
  std::optional<size_t> best;
  std::vector<size_t> front;
  std::vector<size_t> closest;
  std::string explanation;
};

// Fills outcomes[i].violations and chooses.
Selection Select(std::vector<Outcome>& outcomes, const search::Measurement& baseline,
                 const search::Constraints& constraints);

// After Select: the measured candidates in its order of preference (best eligible first). With
// `ignore_latency`, those whose only violations are about latency (the latency constraints and
// not-slower-than-baseline: what another runtime can change), else the eligible ones.
std::vector<size_t> RankCandidates(const std::vector<Outcome>& outcomes,
                                   const search::Measurement& baseline, bool ignore_latency);

}  // namespace shrink::pipeline
