// Measuring one model file the way every candidate is measured: the task's primary metric on the
// evaluation split, latency at batch 1 and the file size, all on one runtime.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "data/task.h"
#include "eval/evaluator.h"
#include "ir/model.h"
#include "runtimes/evaluate.h"
#include "runtimes/latency.h"
#include "search/constraints.h"

namespace shrink::pipeline {

struct MeasureOptions {
  runtimes::RuntimeKind runtime = runtimes::RuntimeKind::kNative;
  int threads = 2;
  int64_t eval_limit = -1;  // examples of the evaluation split (-1: all)
  int latency_runs = 30;
  double latency_seconds = 5;
  bool progress_bar = false;
};

struct Figures {
  eval::EvalResult eval;
  runtimes::LatencyResult latency;
  int64_t size_bytes = 0;
  // Baseline p50 measured in the same window as `latency` (runtimes::MeasureLatencyPaired) when
  // a baseline was given; 0 otherwise. Speed comparisons with the baseline use this.
  double paired_baseline_p50_ms = 0;
};

// A model to measure latency against in the same time window: loaded once by the caller and
// reused for every candidate.
struct PairedBaseline {
  const ir::Model* model = nullptr;
  std::string path;
};

// With `baseline`, latency is measured paired with it (Figures::paired_baseline_p50_ms).
Expected<Figures> MeasureModelFile(const std::string& path, const data::TaskSpec& task,
                                   const MeasureOptions& options,
                                   const PairedBaseline* baseline = nullptr);

// Latency only (batch 1, one real example of the evaluation split), paired with `baseline` on
// `options.runtime`: a = the file, b = the baseline.
Expected<runtimes::PairedLatency> MeasureLatencyPairedFile(const std::string& path,
                                                           const data::TaskSpec& task,
                                                           const MeasureOptions& options,
                                                           const PairedBaseline& baseline);

// For the trial log: the figures a report and a resumed job need (not the per-example data).
nlohmann::json FiguresToJson(const Figures& f);
Expected<Figures> FiguresFromJson(const nlohmann::json& j);

// Figures -> constraint-checkable measurement relative to the baseline's figures.
search::Measurement ToMeasurement(const Figures& f, const Figures& baseline);

}  // namespace shrink::pipeline
