// Saturation of the int8 (and other integer) tensors of a quantized model: how often a
// QuantizeLinear clips its input because the value lies outside the range its scale and zero
// point can represent. High rates mean the calibrated ranges are too narrow for the data seen
// (e.g. under distribution shift), a numerical-stability risk the robustness checks report.
//
// Contract:
// - Every main-graph QuantizeLinear in the default domain whose scale (and zero point, when
//   present) are constants is measured; others are skipped. The output dtype comes from the zero
//   point (uint8 when absent, or `output_dtype` at opset >= 21); block-wise quantizers are skipped.
// - For each batch of `source` (at most `max_batches`, 0: all) the quantizer inputs are read
//   through quant::ProbeRunner; a value is clipped when round(x / scale) + zero_point falls below
//   the dtype's minimum (below) or above its maximum (above). NaN inputs count as below. A grid
//   whose zero point is the dtype's minimum starts at 0.0 and acts as a ReLU (what QDQ insertion
//   makes of a folded Relu): negative values clamped there are `floored`, not clipped.
// - tensors are sorted worst first; rate = clipped / values (0 when no value was seen).
// - A model without measurable quantizers gives an empty report (not an error).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "ir/model.h"
#include "quant/calibration.h"

namespace shrink::quant {

struct TensorSaturation {
  std::string tensor;  // the QuantizeLinear's input
  std::string node;    // the QuantizeLinear
  int64_t values = 0, below = 0, above = 0;
  int64_t floored = 0;  // negatives clamped to 0.0 by a grid that starts at 0 (not counted)
  double rate() const;  // (below + above) / values
};

struct SaturationReport {
  std::vector<TensorSaturation> tensors;  // worst first
  int64_t values = 0, clipped = 0;
  int64_t batches = 0;
  double rate() const;
  nlohmann::json ToJson(size_t max_tensors = 10) const;
};

Expected<SaturationReport> MeasureSaturation(const ir::Model& model, CalibrationSource& source,
                                             int64_t max_batches = 0, int threads = 0);

}  // namespace shrink::quant
