// GPTQ (Frantar et al., 2022): block-wise weight quantization that compensates each quantized
// input feature's error on the features not yet quantized, using the second moment of the layer's
// inputs (the Hessian of the layer's squared output error).
//
// Contract:
// - HessianAccumulator streams input activations X [..., K] (every row of the flattened leading
//   dims is one sample) and gives H = 2/n * sum x x^T in double ([K, K], row-major); memory K*K.
//   A tensor whose last dim is not K or that is not float32 -> kInvalidArgument.
// - QuantizeGptq(w [K, N] row-major, H, block, grid): the standard algorithm in [K, N]
//   orientation: dead features (H_ii = 0) get H_ii = 1; H += damp * mean(diag H) * I; U = upper
//   Cholesky factor of H^-1; rows (input features) are quantized one by one and each row's error
//   (w - q) / U_ii is spread over the later rows with weights U_ij, lazily per batch of
//   whole blocks (at least 128 rows). Without act_order a block's scale (and zero point) comes from
//   the block's current (error-updated) weights when its first row is reached; with act_order rows
//   are visited by decreasing H_ii and every block's parameters are fixed up front from the
//   original weights (static groups), so blocks stay contiguous along K as the ONNX block-wise
//   format needs. If H + damping is not positive definite the damping is raised tenfold (up to
//   three times) before failing with kInvalidArgument. Codes are on the same grid as RTN.
//   With `fixed_params` ([ceil(K / block), N], e.g. block = K and one entry per output column:
//   the per-channel / per-tensor grid of static int8, quant_params.h) those scales and zero
//   points are used as given and only the codes are chosen (wrong size -> kInvalidArgument).
// - RelativeOutputError(w, q, H) = tr(D^T H D) / tr(W^T H W) with D = W - Q: the mean squared
//   error of the layer's output on the calibration inputs relative to the output's energy.
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "quant/block_quant.h"

namespace shrink::quant {

class HessianAccumulator {
 public:
  explicit HessianAccumulator(int64_t k);
  Status Add(const Tensor& x);
  int64_t k() const { return k_; }
  int64_t samples() const { return samples_; }
  std::vector<double> Hessian() const;  // zeros before any sample

 private:
  int64_t k_ = 0;
  int64_t samples_ = 0;
  std::vector<double> sum_;  // upper triangle of sum x x^T
};

struct GptqOptions {
  double damp = 0.01;  // relative to the mean diagonal of H
  bool act_order = false;
  const std::vector<BlockParams>* fixed_params = nullptr;  // not owned; null: chosen per block
};

Expected<BlockQuantized> QuantizeGptq(const std::vector<float>& w, int64_t k, int64_t n,
                                      const std::vector<double>& h, int64_t block,
                                      const BlockGrid& grid, const GptqOptions& options);

double RelativeOutputError(const std::vector<float>& w, const std::vector<float>& q, int64_t k,
                           int64_t n, const std::vector<double>& h);

}  // namespace shrink::quant
