// fold_batchnorm_into_conv
//
// Pattern: y = Conv(X, W[, B]); z = BatchNormalization(y, scale, bias, mean, var) (default domain).
// Preconditions: W, B, scale, bias, mean, var constant float32/float64, W of rank >= 3 with
//   M = W.dim(0) output channels and every BN parameter holding M values; the BN is in inference
//   form (training_mode absent or 0, spatial absent or 1, no used optional outputs); y has the BN
//   as its only consumer and is not a graph output.
// Effect: one Conv(X, W', B') with the Conv's attributes, where s = scale / sqrt(var + epsilon),
//   W'[m] = W[m] * s[m] and B' = (B - mean) * s + bias (computed in double). z keeps its name.
#pragma once

#include "passes/pass.h"

namespace shrink::passes {

class FoldBatchNormIntoConv : public Pass {
 public:
  std::string name() const override { return "fold_batchnorm_into_conv"; }
  Expected<bool> Run(ir::Graph& graph, PassContext& ctx) override;
};

}  // namespace shrink::passes
