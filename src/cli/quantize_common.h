// Pieces shared by the int8 (quantize.cc) and weight-only (quantize_weight_only.cc) paths of
// `shrink quantize`: the progress bar, calibration data from the flags, the task metric and the
// closing report (artifact metadata beside the output, latency before/after).
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/quantize_metadata.h"
#include "core/status.h"
#include "data/task.h"
#include "ir/model.h"
#include "quant/calibration.h"

namespace shrink::cli {

struct CalibrationArgs {
  std::string task, calib;
  int64_t calib_random = 0, batches = 16, batch_size = 8;
  uint64_t seed = 0;
};

// "\r<phase> [#####.....] done/total" on stderr; a newline once done == total.
void DrawProgressBar(const std::string& phase, int64_t done, int64_t total);
uint64_t FileBytes(const std::string& path);
// The calibration source the flags name (at most one of task / calib / calib_random, else
// kInvalidArgument); nullptr when none is given.
Expected<std::unique_ptr<quant::CalibrationSource>> OpenCalibration(const CalibrationArgs& a,
                                                                    const ir::Graph& graph,
                                                                    const data::TaskSpec* task);
// The task's primary metric on the native runtime (no bootstrap).
Expected<double> PrimaryMetric(const ir::Model& model, const data::TaskSpec& task, int threads,
                               int64_t eval_limit, bool progress);

// Evaluates both models on `task` (nothing when null): j["metric"] = {name, float, quantized},
// and the same pair in record->primary (record->task set for realistic latency inputs).
Status CompareOnTask(const ir::Model& float_model, const ir::Model& quantized,
                     const data::TaskSpec* task, int threads, int64_t eval_limit, bool progress,
                     nlohmann::json* j, QuantizeRecord* record);
// --json: writes the metadata (ReportArtifact), adds the paired latency, ONNX Runtime's verdict
// and the metadata path to `j` and prints it.
Status PrintJsonReport(const ir::Model& float_model, const ir::Model& quantized,
                       const QuantizeRecord& record, nlohmann::json j);

// Writes OUT's metadata (quantize_metadata.h) and prints where, with the paired native latency
// before/after and ONNX Runtime's verdict (not with `json`: the caller puts them in its JSON).
Expected<QuantizeLatency> ReportArtifact(const ir::Model& float_model, const ir::Model& quantized,
                                         const QuantizeRecord& record, bool json);

}  // namespace shrink::cli
