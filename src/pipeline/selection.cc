#include "pipeline/selection.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "search/pareto.h"

namespace shrink::pipeline {
namespace {

double BaseP50(const Outcome& o, const search::Measurement& base) {
  return o.paired_baseline_p50_ms > 0 ? o.paired_baseline_p50_ms : base.latency_ms_p50;
}

// (latency p50 / baseline p50) x (size / baseline size), then the metric drop: lower is better.
std::tuple<double, double> Score(const Outcome& o, const search::Measurement& base) {
  return std::make_tuple((o.m.latency_ms_p50 / BaseP50(o, base)) * (o.m.size_mb / base.size_mb),
                         o.m.metric_drop_pct);
}

bool IsLatency(const search::Violation& v) {
  return v.constraint == "max_latency_ms_p50" || v.constraint == "max_latency_ms_p95" ||
         v.constraint == "not_slower_than_baseline";
}

}  // namespace

std::vector<size_t> RankCandidates(const std::vector<Outcome>& outcomes,
                                   const search::Measurement& base, bool ignore_latency) {
  std::vector<size_t> order;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const auto& v = outcomes[i].violations;
    if (outcomes[i].ok && (ignore_latency ? std::all_of(v.begin(), v.end(), IsLatency) : v.empty()))
      order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return Score(outcomes[a], base) < Score(outcomes[b], base);
  });
  return order;
}

Selection Select(std::vector<Outcome>& outcomes, const search::Measurement& base,
                 const search::Constraints& constraints) {
  Selection s;
  std::vector<search::Objectives> pts;
  std::vector<size_t> measured;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    Outcome& o = outcomes[i];
    if (!o.ok) continue;
    o.violations = search::Check(constraints, o.m);
    const double base_p50 = BaseP50(o, base);
    if (o.m.latency_ms_p50 > base_p50) {
      search::Violation v;
      v.constraint = "not_slower_than_baseline";
      v.limit = base_p50;
      v.actual = o.m.latency_ms_p50;
      v.excess = o.m.latency_ms_p50 - base_p50;
      v.excess_pct = 100.0 * v.excess / base_p50;
      o.violations.push_back(v);
    }
    measured.push_back(i);
    pts.push_back({o.m.metric_drop_pct, o.m.latency_ms_p50, o.m.size_mb});
  }
  for (size_t k : search::ParetoFront(pts)) s.front.push_back(measured[k]);

  const std::vector<size_t> eligible = RankCandidates(outcomes, base, false);
  if (!eligible.empty()) s.best = eligible.front();
  if (s.best) {
    const Outcome& b = outcomes[*s.best];
    char buf[256];
    std::snprintf(buf, sizeof(buf),
                  "%s meets every constraint: %.2fx smaller, %.2fx faster (p50 %.3g -> %.3g ms), "
                  "metric drop %.2f%%.",
                  b.id.c_str(), base.size_mb / b.m.size_mb, BaseP50(b, base) / b.m.latency_ms_p50,
                  BaseP50(b, base), b.m.latency_ms_p50, b.m.metric_drop_pct);
    s.explanation = buf;
    return s;
  }
  std::vector<size_t> order = measured;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return search::Infeasibility(outcomes[a].violations) <
           search::Infeasibility(outcomes[b].violations);
  });
  for (size_t k = 0; k < order.size() && k < 3; ++k) s.closest.push_back(order[k]);
  if (s.closest.empty()) {
    s.explanation = "No candidate could be measured, so none can be recommended.";
    return s;
  }
  s.explanation = "No candidate meets every constraint. Closest: ";
  for (size_t k = 0; k < s.closest.size(); ++k) {
    const Outcome& o = outcomes[s.closest[k]];
    s.explanation += (k ? "; " : "") + o.id + " (";
    for (size_t v = 0; v < o.violations.size(); ++v)
      s.explanation += (v ? ", " : "") + o.violations[v].ToString();
    s.explanation += ")";
  }
  s.explanation += ".";
  return s;
}

}  // namespace shrink::pipeline
