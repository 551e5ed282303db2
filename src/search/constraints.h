// Constraints of a compression job and the check of one candidate's measured figures against them.
//
// Contract:
// - Every constraint is optional; an unset one never fails. Names are the policy keys:
//   max_metric_drop_pct, max_latency_ms_p50, max_latency_ms_p95, min_compression_ratio,
//   max_size_mb.
// - The metric drop is relative, in percent of the baseline, signed so that a positive drop is a
//   loss whatever the metric's direction: higher_is_better: 100 * (base - value) / |base|;
//   lower_is_better (perplexity, CER): 100 * (value - base) / |base|. A zero baseline uses the
//   absolute difference times 100.
// - Check() lists every violated constraint with the limit, the measured value and by how much it
//   misses (in the constraint's unit and relative to the limit), so a failed job can say which
//   constraint failed by how much. A measurement that is NaN violates any constraint on it.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace shrink::search {

struct Constraints {
  std::optional<double> max_metric_drop_pct;
  std::optional<double> max_latency_ms_p50;
  std::optional<double> max_latency_ms_p95;
  std::optional<double> min_compression_ratio;
  std::optional<double> max_size_mb;
};

// What was measured for one candidate (on one target runtime).
struct Measurement {
  double metric = 0;           // the task's primary metric
  double metric_drop_pct = 0;  // MetricDropPct(baseline, metric, higher_is_better)
  double latency_ms_p50 = 0;
  double latency_ms_p95 = 0;
  double size_mb = 0;            // bytes / 1e6 of the artifact as exported
  double compression_ratio = 1;  // baseline bytes / artifact bytes
};

double MetricDropPct(double baseline, double value, bool higher_is_better);

struct Violation {
  std::string constraint;  // e.g. "max_latency_ms_p50"
  double limit = 0;
  double actual = 0;
  double excess = 0;             // in the constraint's unit, > 0 (how far past the limit)
  double excess_pct = 0;         // excess relative to |limit|, in percent
  std::string ToString() const;  // "max_latency_ms_p50: 61.2 > 50 (by 11.2, 22.4%)"
};

std::vector<Violation> Check(const Constraints& c, const Measurement& m);

// A scalar distance to feasibility (sum of excess_pct over violations; 0 when feasible), used to
// rank infeasible candidates as "closest".
double Infeasibility(const std::vector<Violation>& violations);

}  // namespace shrink::search
