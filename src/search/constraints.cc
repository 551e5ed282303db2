#include "search/constraints.h"

#include <cmath>
#include <cstdio>

namespace shrink::search {
namespace {

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.4g", v);
  return buf;
}

// Adds a violation when `actual` is above `limit` (upper bound) or below it (lower bound).
void CheckOne(const char* name, const std::optional<double>& limit, double actual, bool upper,
              std::vector<Violation>& out) {
  if (!limit) return;
  const bool bad = std::isnan(actual) || (upper ? actual > *limit : actual < *limit);
  if (!bad) return;
  Violation v;
  v.constraint = name;
  v.limit = *limit;
  v.actual = actual;
  v.excess = std::isnan(actual) ? INFINITY : std::fabs(actual - *limit);
  v.excess_pct = *limit != 0 ? 100.0 * v.excess / std::fabs(*limit) : v.excess * 100.0;
  out.push_back(v);
}

}  // namespace

double MetricDropPct(double baseline, double value, bool higher_is_better) {
  const double loss = higher_is_better ? baseline - value : value - baseline;
  return baseline != 0 ? 100.0 * loss / std::fabs(baseline) : 100.0 * loss;
}

std::string Violation::ToString() const {
  return constraint + ": " + Num(actual) + (constraint.rfind("min_", 0) == 0 ? " < " : " > ") +
         Num(limit) + " (by " + Num(excess) + ", " + Num(excess_pct) + "%)";
}

std::vector<Violation> Check(const Constraints& c, const Measurement& m) {
  std::vector<Violation> v;
  CheckOne("max_metric_drop_pct", c.max_metric_drop_pct, m.metric_drop_pct, true, v);
  CheckOne("max_latency_ms_p50", c.max_latency_ms_p50, m.latency_ms_p50, true, v);
  CheckOne("max_latency_ms_p95", c.max_latency_ms_p95, m.latency_ms_p95, true, v);
  CheckOne("min_compression_ratio", c.min_compression_ratio, m.compression_ratio, false, v);
  CheckOne("max_size_mb", c.max_size_mb, m.size_mb, true, v);
  return v;
}

double Infeasibility(const std::vector<Violation>& violations) {
  double s = 0;
  for (const Violation& v : violations) s += v.excess_pct;
  return s;
}

}  // namespace shrink::search
