// SmoothQuant (Xiao et al. 2023): moves activation outliers into the weights of MatMul / Gemm so
// that per-tensor int8 activations lose less, without changing the float model.
//
// Contract: SmoothQuant() considers the `nodes` (names) that are MatMul or Gemm (transA 0) with a
// constant float32 rank-2 weight owned by that node and a non-constant input 0 X with a known
// last axis of K channels. Nodes reading the same X are smoothed together. From one pass over
// `source` it takes a_j = max |X_j| per input channel j and w_j = max |W_j| over those nodes'
// weights, and sets s_j = a_j^alpha / w_j^(1 - alpha) (1 where a_j or w_j is 0; clamped to
// [1e-4, 1e4]). Each node's weight input channel j is multiplied by s_j and X_j is divided by s_j:
// folded into X's producer when every use of X is in the group, X is not a graph output and the
// producer is a LayerNormalization (last-axis scale and bias constants of K, owned) or a Gemm /
// MatMul with an owned constant weight of K output channels (and owned 1-D bias); otherwise a
// Mul(X, 1/s) with a constant [K] is inserted in front of the group. `alpha` must be in [0, 1]
// (kInvalidArgument). Nothing eligible is not an error.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "ir/model.h"
#include "quant/calibration.h"

namespace shrink::quant {

struct SmoothQuantStats {
  int64_t groups = 0;            // distinct inputs smoothed
  int64_t folded = 0;            // of which folded into the producer
  int64_t inserted = 0;          // of which got a Mul
  double max_outlier_ratio = 0;  // before: max_j a_j / median_j a_j over the groups
};

Expected<SmoothQuantStats> SmoothQuant(ir::Model& model, const std::vector<std::string>& nodes,
                                       CalibrationSource& source, double alpha, int threads = 0);

}  // namespace shrink::quant
