// Block-wise weight quantization (the math of weight-only int4 / int8), round-to-nearest.
//
// Contract:
// - A weight is handled in [K, N] orientation: K is the reduction (input-feature) axis, split into
//   blocks of B consecutive rows (the last block may be shorter); every (block, column) pair has
//   its own scale (and zero point when asymmetric).
// - Grids (MakeBlockGrid): symmetric int4 codes in [-7, 7], int8 in [-127, 127], zero point 0, not
//   emitted; scale = max|w| / 7 (or / 127). The lowest code (-8 / -128) is never produced, as for
//   the int8 weights of quant_params.h (kernels may rely on a symmetric range). Asymmetric: uint4
//   [0, 15] / uint8 [0, 255], the block's range is widened to contain 0, scale = (max - min) /
//   qmax, zero point = round(-min / scale) clamped to the grid. An all-zero block gets scale 1.
//   bits other than 4 / 8 -> kInvalidArgument.
// - Codes are round_half_even(w / scale) + zero point, clamped to the grid; dequantized value =
//   (code - zero point) * scale, computed with the float32 scale (what DequantizeLinear computes).
// - ToTensors() emits the ONNX tensors in the weight's storage layout: [K, N] (axis 0) or, with
//   `transposed`, [N, K] (axis 1); scale has the codes' shape with dim `axis` = ceil(K / B); codes
//   are int4/uint4 (packed, low nibble first) or int8/uint8; the zero point has the scale's shape
//   and the codes' dtype (undefined when symmetric).
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"

namespace shrink::quant {

struct BlockGrid {
  int bits = 4;
  bool symmetric = true;
  int qmin = -7, qmax = 7;
  DataType dtype = DataType::kInt4;  // of the codes
};

Expected<BlockGrid> MakeBlockGrid(int bits, bool symmetric);

struct BlockParams {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

// Parameters of `count` values w[0], w[stride], ... (one block of one column).
BlockParams ChooseBlockParams(const float* w, int64_t count, int64_t stride, const BlockGrid& g);
int32_t QuantizeCode(float w, const BlockParams& p, const BlockGrid& g);
inline float DequantizeCode(int32_t q, const BlockParams& p) {
  return static_cast<float>(q - p.zero_point) * p.scale;
}

// A quantized weight in [K, N] orientation.
struct BlockQuantized {
  int64_t k = 0, n = 0, block = 0;
  BlockGrid grid;
  std::vector<int32_t> codes;       // [K, N]
  std::vector<BlockParams> params;  // [ceil(K / block), N]
  int64_t blocks() const { return (k + block - 1) / block; }
  const BlockParams& Params(int64_t row, int64_t col) const {
    return params[static_cast<size_t>((row / block) * n + col)];
  }
  std::vector<float> Dequantized() const;  // [K, N]
};

// Round-to-nearest quantization of w ([K, N] row-major).
BlockQuantized QuantizeRtn(const std::vector<float>& w, int64_t k, int64_t n, int64_t block,
                           const BlockGrid& g);

struct BlockTensors {
  Tensor codes, scale, zero_point;  // zero_point undefined when symmetric
  int64_t axis = 0;
};
BlockTensors ToTensors(const BlockQuantized& q, bool transposed);

// ||w - dequantized||^2 / ||w||^2 (0 for an all-zero w).
double RelativeMse(const std::vector<float>& w, const std::vector<float>& dequantized);

}  // namespace shrink::quant
