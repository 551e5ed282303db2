// Int8 matrix products over many rows with requantized 8-bit output: the core of the native int8
// convolution (qlinear_conv_native.cc) for the small convolutions where a oneDNN primitive costs
// more in fixed overhead than in arithmetic. Internal to the fast runtime.
//
// Weights are packed as for the int8 GEMV (int8_gemv.h: tiles of 16 columns, [K/4][16][4], so one
// AVX-512 VNNI vpdpbusd multiplies 4 u8 activations into 16 column sums). Int8Gemm keeps a block
// of rows x up to 4 tiles in registers (6 x 4, 6 x 3, 8 x 2 or 12 x 1 accumulators), walks all rows
// for one group of tiles (its weights stay in L1), and requantizes in registers (int8_requant.h),
// saturating to [lo, hi] and storing u8 / s8 at y[row * ldy + n]. Rows of `a` are read kp bytes
// wide (bytes beyond K meet zero weights, so only their readability matters). Available only where
// Int8GemvAvailable().
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/fast/int8_gemv.h"
#include "runtime/fast/int8_requant.h"

namespace shrink::runtime::fast {

// y[r * ldy + n] = requant(sum_k a[r * lda + k] * b[k, n]) for r < rows, n < N, on this thread
// (its callers' products are too small to pay for a parallel region).
void Int8Gemm(const Int8GemvWeights& w, const uint8_t* a, int64_t lda, int64_t rows,
              const Int8Requant& rq, uint8_t* y, int64_t ldy);

}  // namespace shrink::runtime::fast
