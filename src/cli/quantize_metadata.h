// The artifact metadata `shrink quantize` writes beside its output (OUT.onnx -> OUT.json, the
// same record `shrink compress` writes for its candidates; export/artifact_metadata.h).
//
// Contract: WriteQuantizeMetadata() measures what a user compares before deploying:
// - latency p50/p95 and throughput at batch 1 on the native runtime, paired with the input
//   model in the same time window (runtimes::MeasureLatencyPaired) on one example of the task's
//   evaluation split when a task is given (realistic shapes, e.g. an OCR line's width), else on
//   seeded random inputs; a model that cannot be timed gets a warning, not an error; and the
//   size ratio against the input file;
// - the primary metric pair when the caller evaluated both models on a task;
// - operator compatibility: native (ran above) and onnxruntime (the file loaded and ran once
//   in ONNX Runtime on the same inputs; a failure becomes a warning, not an error);
// - lineage: the input model (and task) hashes, the quantization options and this process.
// The result is returned so that the CLI can print the latency before/after.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/status.h"
#include "data/task.h"
#include "export/artifact_metadata.h"
#include "ir/model.h"

namespace shrink::cli {

struct QuantizeRecord {
  std::string input_path, output_path, task_path;
  std::string scheme;                                 // CompressionApplied::quantization
  nlohmann::json options = nlohmann::json::object();  // the resolved command options
  std::optional<exporting::MetricPair> primary;       // float vs quantized, when evaluated
  int threads = 2;
  std::string command_line;
  const data::TaskSpec* task = nullptr;  // when set, latency is timed on one real example
};

struct QuantizeLatency {
  double float_p50_ms = 0, quantized_p50_ms = 0;  // 0: not measured (see latency_problem)
  std::string latency_problem;
  bool ort_validated = false;
  std::string ort_problem;  // why not, when !ort_validated
};

// "<dir>/<stem>.json" for "<dir>/<stem>.onnx" (or "<path>.json" without that extension).
std::string MetadataPathFor(const std::string& model_path);

Expected<QuantizeLatency> WriteQuantizeMetadata(const ir::Model& float_model,
                                                const ir::Model& quantized,
                                                const QuantizeRecord& record);

}  // namespace shrink::cli
