// Metric plugins: each consumes batches of Predictions (with their targets) and reports one value.
//
// Contract:
// - Update() takes one batch; a batch of a prediction kind the metric cannot score ->
//   kInvalidArgument naming the metric. Nothing throws.
// - A metric keeps at most one small record per example (a score row for roc_auc, a value
//   row for regression, a few numbers otherwise), so that Compute() can evaluate any weighting of
//   the examples seen: weights == nullptr counts each once; otherwise example i counts
//   (*weights)[i] times (0/1 for cohorts, multinomial counts for the bootstrap).
// - Every metric is a per-example mean or a ratio of per-example sums (corpus-level: CER = total
//   edits / total reference characters), except precision/recall/f1 and mean_iou (confusion
//   counts), bleu (corpus n-gram counts, eval/text_overlap.cc), roc_auc (ranks) and r2. A value
//   that is undefined on the examples weighted (no examples, one class only for AUC) is NaN.
// - Registered by name in one table (metric_registry.cc); every name of data::KnownMetrics() is
//   there, plus the explicit averages precision_macro/_micro, recall_macro/_micro, f1_macro/_micro.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "data/task.h"
#include "eval/predictions.h"

namespace shrink::eval {

class Metric {
 public:
  virtual ~Metric() = default;
  virtual Status Update(const Predictions& batch) = 0;
  virtual int64_t size() const = 0;  // examples seen
  virtual double Compute(const std::vector<double>* weights = nullptr) const = 0;
  double Result() const { return Compute(nullptr); }
};

// `spec.k` is read by top-k metrics.
Expected<std::unique_ptr<Metric>> CreateMetric(const data::MetricSpec& spec);
// Names in the registry, in table order.
std::vector<std::string> MetricNames();
// Whether the registered metric is better when higher (kNotFound for an unknown name).
Expected<bool> MetricHigherIsBetter(const std::string& name);

}  // namespace shrink::eval
