#include "pipeline/report_builder.h"

#include <cmath>
#include <map>

#include "search/constraints.h"

namespace shrink::pipeline {
namespace {

report::CandidateRow Row(const std::string& id, const std::string& what, const Figures& f,
                         const search::Measurement& m) {
  report::CandidateRow r;
  r.id = id;
  r.description = what;
  r.metric = f.eval.primary.value;
  r.metric_drop_pct = m.metric_drop_pct;
  r.latency_ms_p50 = f.latency.p50_ms;
  r.latency_ms_p95 = f.latency.p95_ms;
  r.throughput_qps = f.latency.throughput_per_s;
  r.size_mb = m.size_mb;
  r.compression_ratio = m.compression_ratio;
  if (f.paired_baseline_p50_ms > 0 && f.latency.p50_ms > 0)
    r.speedup = f.paired_baseline_p50_ms / f.latency.p50_ms;
  return r;
}

}  // namespace

report::ReportData BuildReportData(const ReportInputs& in) {
  report::ReportData d;
  d.job = in.job;
  d.model = in.model;
  d.task = in.task;
  d.runtime = in.runtime;
  d.machine = in.machine;
  d.created_at = in.created_at;
  d.metric = in.baseline.eval.primary.name;
  d.higher_is_better = in.baseline.eval.primary.higher_is_better;
  d.baseline =
      Row("baseline", "original model", in.baseline, ToMeasurement(in.baseline, in.baseline));
  for (size_t i = 0; i < in.trials.size(); ++i) {
    const TrialView& t = in.trials[i];
    if (!t.outcome.ok) {
      d.risk_flags.push_back(t.outcome.id + " failed: " + t.error);
      continue;
    }
    report::CandidateRow r = Row(t.outcome.id, t.description, t.figures, t.outcome.m);
    r.feasible = t.outcome.violations.empty();
    for (const auto& v : t.outcome.violations) r.violations.push_back(v.ToString());
    for (size_t f : in.selection.front) r.pareto = r.pareto || f == i;
    r.recommended = in.selection.best && *in.selection.best == i;
    d.candidates.push_back(std::move(r));
  }
  std::map<std::string, double> sens(in.sensitivity.begin(), in.sensitivity.end());
  for (const auto& l : in.layer_sqnr) {
    const std::string name = l.value("layer", "");
    d.layers.push_back({name, l.value("op_type", ""), l.value("sqnr_db", NAN),
                        sens.count(name) ? sens[name] : NAN});
  }
  // Cohorts: baseline vs the recommended candidate (or the closest one).
  const TrialView* chosen = nullptr;
  if (in.selection.best)
    chosen = &in.trials[*in.selection.best];
  else if (!in.selection.closest.empty())
    chosen = &in.trials[in.selection.closest[0]];
  if (chosen && chosen->outcome.ok) {
    std::map<std::pair<std::string, std::string>, double> after;
    for (const auto& c : chosen->figures.eval.cohorts) after[{c.cohort, c.key}] = c.value;
    for (const auto& c : in.baseline.eval.cohorts) {
      const auto it = after.find({c.cohort, c.key});
      if (it == after.end()) continue;
      const double drop = search::MetricDropPct(c.value, it->second, d.higher_is_better);
      const bool flagged = drop > in.cohort_tolerance_pct;
      d.cohorts.push_back({c.cohort, c.key, c.examples, c.value, it->second, flagged});
      if (flagged) {
        char buf[200];
        std::snprintf(buf, sizeof(buf), "cohort %s=%s degrades by %.1f%% (tolerance %.1f%%)",
                      c.cohort.c_str(), c.key.c_str(), drop, in.cohort_tolerance_pct);
        d.risk_flags.push_back(buf);
      }
    }
  }
  if (!in.selection.best) d.risk_flags.push_back("No candidate met every constraint.");
  d.recommendation = in.selection.explanation;
  d.lineage = in.lineage;
  return d;
}

}  // namespace shrink::pipeline
