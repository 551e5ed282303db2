// Evaluator: streams a task's evaluation dataset through a model in batches and computes the task's
// primary metric (with a bootstrap confidence interval), its extra metrics and per-cohort values.
//
// Contract:
// - The model is reached only through a BatchRunner (named inputs -> named outputs), so the
//   evaluator does not know which runtime runs it; runtimes/ provides runners (native, reference,
//   ONNX Runtime).
// - Batches come from data::OpenDataset(task.evaluation) in source order (no shuffle), at most
//   `limit` examples. Memory does not grow with the dataset beyond what the metrics keep per
//   example (one prediction/score row each; for language models a running sum).
// - Outputs map to predictions by task.output (argmax, ctc_greedy, sigmoid_threshold,
//   next_token, identity, segmentation); the metrics are those named by task.metric and
//   task.extra_metrics.
// - A missing model output, a shape that disagrees with the mapping, or a label kind the metric
//   cannot use -> kInvalidArgument naming the output/metric. Nothing throws.
// - The interval is a seeded percentile bootstrap over examples (eval/bootstrap.h; for language
//   models each example is a sequence). A value undefined on its examples (roc_auc of a cohort
//   holding one class) is NaN, null in ToJson(). Metrics: eval/metric.h; mapping:
//   eval/predictions.h; cohort keys: eval/cohorts.h.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "data/task.h"

namespace shrink::eval {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

// Runs one batch. Implementations live in runtimes/ (the evaluator never sees a runtime).
using BatchRunner = std::function<Expected<NamedTensors>(const NamedTensors& inputs)>;

struct EvalOptions {
  int64_t limit = -1;            // at most this many examples (-1: the whole evaluation split)
  int64_t batch_size = 0;        // 0: the task's batch_size
  int bootstrap_samples = 1000;  // for the primary metric's 95% interval; 0: none
  uint64_t seed = 0;             // bootstrap resampling seed
  // Called after every batch. When unset and stderr is a terminal, a progress bar is drawn.
  std::function<void(int64_t done, int64_t total)> progress;
  bool progress_bar = true;
};

struct MetricResult {
  std::string name;
  double value = 0;
  double ci_low = 0, ci_high = 0;  // == value when no interval was computed
  bool higher_is_better = true;
};

struct CohortResult {
  std::string cohort;  // the task's cohort name, e.g. "by_label"
  std::string key;     // the cohort value, e.g. "3" or "DejaVuSans"
  int64_t examples = 0;
  double value = 0;  // the primary metric on this cohort
};

struct EvalResult {
  MetricResult primary;
  std::vector<MetricResult> extra;
  std::vector<CohortResult> cohorts;
  int64_t examples = 0;
  double seconds = 0;  // wall time of the whole evaluation

  nlohmann::json ToJson() const;
};

Expected<EvalResult> Evaluate(const data::TaskSpec& task, const BatchRunner& run,
                              const EvalOptions& options = {});

}  // namespace shrink::eval
