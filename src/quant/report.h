// Quantization diagnostics: per-layer SQNR between the float and the quantized model.
//
// Contract: MeasureLayers() runs the prepared float model and its QDQ (or dynamic) quantization
// side by side (quant::ProbeRunner) over up to `max_batches` batches of `source` (after Reset())
// and, for every quantized node, accumulates SQNR = 10 log10(sum f^2 / sum (f - q)^2) of its output
// value (same name in both models), in dB; identical outputs report kSqnrExact. Graph outputs are
// measured the same way (ModelOutputs). Layers come sorted worst (lowest SQNR) first, each with
// the range and outlier ratio (max|x| / |p99.9|) of its quantized input activation when it has
// one. ReportJson() renders everything (plus the quantization stats and every activation's
// ranges) as the JSON written by `shrink quantize --report`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "ir/model.h"
#include "quant/calibration.h"
#include "quant/quantize.h"

namespace shrink::quant {

inline constexpr double kSqnrExact = 300.0;

struct LayerReport {
  std::string node, op_type, output;
  double sqnr_db = 0;
  std::string input;  // quantized input activation ("" when none)
  double input_min = 0, input_max = 0;
  Range input_range;
  double outlier_ratio = 1;
};

struct QuantReport {
  std::vector<LayerReport> layers;                      // worst first
  std::vector<std::pair<std::string, double>> outputs;  // graph output -> SQNR dB
  int64_t batches = 0;
};

Expected<QuantReport> MeasureLayers(const ir::Model& float_model, const ir::Model& quant_model,
                                    const QuantizeResult& result, CalibrationSource& source,
                                    int64_t max_batches, int threads = 0);
nlohmann::json ReportJson(const QuantizeResult& result, const QuantReport& report);

}  // namespace shrink::quant
