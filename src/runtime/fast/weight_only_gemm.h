// Weight-only quantized GEMM: y = x @ W (+ bias) with W kept as 4- or 8-bit integer codes and a
// float scale and zero point per (K-block, column), dequantized block by block inside the kernel
// (the float matrix is never materialised). Internal to the fast runtime.
//
// Packing (once, at kernel create): the logical W[k, n] (K x N; ONNX MatMul B, or Gemm B with
// transB = 1 stored [N, K]) is split into tiles of kWeightTileN columns. Codes are stored unsigned
// (signed int4 / int8 are biased by 8 / 128, their zero points likewise) per tile as [k][columns]:
// 4-bit codes two per byte, byte j holding column j (low nibble) and column j + 16 (high nibble);
// 8-bit codes one per byte. Scales and zero points (float) are [tile][block][column]
// (Gemm alpha folded into the scales), 0 in the padding columns of the last tile.
//
// Compute: per tile and group of up to 8 (AVX-512; portable: 4) rows of x, the codes of one K-block
// are converted to float once and accumulated against each row (acc_q = sum_k x[k] * code[k]); at
// the end of the block y += scale * acc_q - scale * zero * sum_k x[k] (= sum_k x[k] * (code -
// zero) * scale), with the per-block row sums of x computed once per call (`xsum` scratch). With
// many rows (AVX-512, scratch given) each tile is instead dequantized once, as DequantizeLinear
// does, into a K x 32 float panel that a float micro-kernel reads for every row group. AVX-512
// (F + BW) when the CPU has it, else a portable loop of the same structure; tiles are split across
// OpenMP threads for large problems. Results differ from dequantize-then-matmul by float32
// rounding of the accumulation order and of the zero-point split (fast_weight_only_test.cc).
#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace shrink::runtime::fast {

inline constexpr int64_t kWeightTileN = 32;

struct PackedWeights {
  int bits = 4;  // 4 or 8
  int64_t k = 0, n = 0;
  int64_t block = 0;   // K-block length (K itself for per-column / per-tensor scales)
  int64_t blocks = 0;  // ceil(K / block)
  int64_t tiles = 0;   // ceil(N / kWeightTileN)
  std::vector<uint8_t> codes;
  std::vector<float> scale;
  std::vector<float> zero;  // zero points (biased like the codes), as float
  int64_t code_bytes_per_k() const { return kWeightTileN * bits / 8; }
  size_t bytes() const { return codes.size() + (scale.size() + zero.size()) * sizeof(float); }
};

// How the ONNX scale / zero point index W (same shapes for both; zero point optional).
enum class ScaleLayout {
  kPerTensor,  // one value
  kPerColumn,  // 1-D [N]
  kBlocked,    // W's rank 2 with the K dim = ceil(K / block): [KB, N], or [N, KB] when transposed
};

// Packs q (int4 / uint4 / int8 / uint8, [K, N], or [N, K] when `transposed`) with float32 scales.
// `block` is the K-block length for kBlocked (ignored otherwise). `alpha` multiplies every scale.
// Throws shrink::Error (kInvalidArgument / kUnimplemented) on shapes or dtypes it does not take.
PackedWeights PackWeights(const Tensor& q, const Tensor& scale, const Tensor* zero_point,
                          bool transposed, ScaleLayout layout, int64_t block, float alpha);

// y[m, :] = x[m, :] @ W (+ bias) for m < rows; x is rows x K and y rows x N, both row-major dense.
// `bias` is null or padded to tiles * kWeightTileN values; `xsum` is scratch of rows * blocks.
// `panels` (may be null): scratch of `panel_slots` x K x kWeightTileN floats, one slot per thread;
// with it, kWeightOnlyPanelMinRows rows or more on AVX-512 dequantize each tile once into a slot
// and run a float micro-kernel over all row groups (WeightOnlyPanelFloats gives the slot size).
void WeightOnlyGemm(const PackedWeights& w, const float* x, int64_t rows, const float* bias,
                    float* y, float* xsum, float* panels = nullptr, int panel_slots = 0);
inline int64_t WeightOnlyPanelFloats(const PackedWeights& w) { return w.k * kWeightTileN; }
// Rows from which the dequantized-panel path pays off (several row groups share each unpacking).
inline constexpr int64_t kWeightOnlyPanelMinRows = 32;

// Whether the AVX-512 path runs (the CPU has AVX-512 F + BW and the portable path is not forced).
bool WeightOnlyGemmUsesAvx512();
// Tests: run the portable path even where AVX-512 is available (process-wide).
void ForceWeightOnlyPortable(bool on);

namespace detail {
inline constexpr int64_t kAvx512Rows =
    8;  // rows of x per AVX-512 tile call (4 on the portable path)
// One tile, all rows: the tile dequantized once into `panel` (K x kWeightTileN floats), then a
// float micro-kernel per group of kAvx512Rows rows (AVX-512, many rows).
void WeightOnlyTileAllRowsAvx512(const PackedWeights& w, int64_t tile, const float* x, int64_t rows,
                                 const float* bias, float* y, float* panel);
// One tile x `mr` rows (1..kAvx512Rows) on the AVX-512 path (weight_only_gemm_avx512.cc).
void WeightOnlyTileAvx512(const PackedWeights& w, int64_t tile, const float* x, int64_t m0, int mr,
                          const float* xsum, const float* bias, float* y);
}  // namespace detail

}  // namespace shrink::runtime::fast
