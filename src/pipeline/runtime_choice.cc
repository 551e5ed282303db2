#include "pipeline/runtime_choice.h"

#include <set>

namespace shrink::pipeline {

std::vector<size_t> TimingOrder(const std::vector<size_t>& ranked,
                                const std::vector<std::string>& kinds, size_t max_timed) {
  std::vector<size_t> order, rest;
  std::set<std::string> seen;
  for (size_t i : ranked) (seen.insert(kinds.at(i)).second ? order : rest).push_back(i);
  order.insert(order.end(), rest.begin(), rest.end());
  if (order.size() > max_timed) order.resize(max_timed);
  return order;
}

Expected<RuntimeChoice> ChooseForRuntime(const std::vector<Outcome>& outcomes,
                                         const std::vector<std::string>& files,
                                         const std::vector<std::string>& kinds,
                                         const search::Measurement& baseline,
                                         const search::Constraints& constraints,
                                         const data::TaskSpec& task, const MeasureOptions& options,
                                         const PairedBaseline& paired, size_t max_timed) {
  const std::vector<size_t> order =
      TimingOrder(RankCandidates(outcomes, baseline, /*ignore_latency=*/true), kinds, max_timed);
  std::vector<Outcome> here;  // the timed candidates with this runtime's latencies
  std::vector<size_t> index;  // here[k] is outcomes[index[k]]
  for (size_t i : order) {
    Expected<runtimes::PairedLatency> p =
        MeasureLatencyPairedFile(files.at(i), task, options, paired);
    if (!p.ok()) continue;  // a file the runtime cannot run is not a choice for it
    Outcome o = outcomes[i];
    o.m.latency_ms_p50 = p->a.p50_ms;
    o.m.latency_ms_p95 = p->a.p95_ms;
    o.paired_baseline_p50_ms = p->b.p50_ms;
    here.push_back(std::move(o));
    index.push_back(i);
  }
  RuntimeChoice c;
  const Selection s = Select(here, baseline, constraints);
  c.explanation = s.explanation;
  if (s.best) c.best = index[*s.best];
  return c;
}

}  // namespace shrink::pipeline
