// Empirical bias correction (Nagel et al. 2019, the data-driven variant): removes the mean
// output shift that int8 rounding and clipping add to each quantized layer.
//
// Contract: CorrectBias() takes the float model (before QDQ insertion, same node and value names)
// and the QDQ model made from it, and visits the `nodes` (names) of the quantized model in graph
// order that are Conv, Gemm (transA 0) or MatMul with a constant weight. For each, with y its
// output 0 and channels on axis 1 (Conv) or the last axis (Gemm, MatMul):
//   delta_c = E[y_float,c] - E[y_quant,c]     (over every batch of `source` and every position)
// is added to the layer's bias: a float32 bias initializer used by that node alone; an int32 bias
// behind DequantizeLinear (codes += round(delta / scale), per-tensor or per-channel scale); for a
// Conv / Gemm without bias, a new float32 bias (divided by Gemm's beta); for a MatMul, the 1-D
// constant of the Add that alone consumes its output. Layers whose bias is shared or computed
// are skipped. Sequential: layer k is measured after the corrections of layers before it, so a
// correction is not applied twice downstream. Cost: one pass over `source` for the float
// means plus one pass per corrected layer (cap it with the source's max_batches).
// `progress(done, total)` counts those batch runs.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "ir/model.h"
#include "quant/calibration.h"

namespace shrink::quant {

struct BiasCorrectionStats {
  int64_t corrected = 0;             // layers whose bias changed
  double mean_abs_shift_before = 0;  // mean |delta| over corrected layers' channels
};

Expected<BiasCorrectionStats> CorrectBias(
    const ir::Model& float_model, ir::Model& quant_model, const std::vector<std::string>& nodes,
    CalibrationSource& source, int threads = 0,
    const std::function<void(int64_t done, int64_t total)>& progress = {});

}  // namespace shrink::quant
