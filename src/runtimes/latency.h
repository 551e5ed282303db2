// Latency of a model on a runtime, measured the same way for every runtime: seeded random inputs
// at the model's declared shapes (symbolic batch dims set to `batch`, other symbolic dims to
// `dims`), `warmup` untimed runs, then timed runs until at least `runs` are done and
// `min_seconds` have passed (so that fast models get enough runs for a stable median on a busy
// machine), stopping at `max_runs` or after `max_seconds` (at least 3 timed runs).
//
// Contract:
// - kNative times fast::Session::Run in-process; kReference the reference Executor; kOnnxRuntime
//   times inside the Node process (tools/node/ort_run.js --bench: the model load and the process
//   start are excluded, as for ours; there the run count is `runs`, sized up from one timed
//   probe so that the runs last about `min_seconds`). Same thread count for all.
// - p50/p95 over the timed runs; throughput = batch * 1000 / mean ms (samples per second).
// - peak_memory_bytes (MeasureLatency only): peak resident memory added by loading the model,
//   making the inputs and running it (core/process_memory.h PeakRssScope; for kOnnxRuntime the
//   same inside the Node process); -1 when the kernel cannot reset the peak. Paired measurements
//   share one process and leave it at -1.
// - A model whose inputs cannot be made (unknown rank) -> kInvalidArgument naming the input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/status.h"
#include "ir/model.h"
#include "runtime/random_inputs.h"
#include "runtimes/evaluate.h"

namespace shrink::runtimes {

struct LatencyOptions {
  RuntimeKind runtime = RuntimeKind::kNative;
  int threads = 2;
  int64_t batch = 1;
  runtime::DimValues dims;  // other symbolic dims (e.g. {"S": 128})
  int warmup = 3;
  int runs = 30;
  double min_seconds = 0.5;
  int max_runs = 5000;
  double max_seconds = 10;
  uint64_t seed = 0;
  // When set, these inputs are timed instead of random ones (e.g. one real batch of the task, so
  // that variable dims such as an OCR line's width are realistic).
  std::optional<runtime::Feeds> feeds;
};

struct LatencyResult {
  int runs = 0;
  double p50_ms = 0, p95_ms = 0, mean_ms = 0;
  double throughput_per_s = 0;
  int64_t peak_memory_bytes = -1;
};

// `path` is the model's file (needed by kOnnxRuntime; the others use `model`).
Expected<LatencyResult> MeasureLatency(const ir::Model& model, const std::string& path,
                                       const LatencyOptions& options);

// Two models measured in the same time window, so that a busy machine slows both alike: native
// and reference alternate run by run (a, b, a, b, ...); ONNX Runtime alternates rounds of runs
// (a, b, b, a, a, b). Both get the same inputs when their input signatures match. Use it to
// decide whether a candidate is faster than its baseline.
struct PairedLatency {
  LatencyResult a, b;
};
Expected<PairedLatency> MeasureLatencyPaired(const ir::Model& a, const std::string& path_a,
                                             const ir::Model& b, const std::string& path_b,
                                             const LatencyOptions& options);

}  // namespace shrink::runtimes
