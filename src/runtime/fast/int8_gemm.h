// Int8 matrix products over many rows with requantized 8-bit output: the core of the native int8
// convolution (qlinear_conv_native.cc). Internal to the fast runtime.
//
// Weights are packed as for the int8 GEMV (int8_gemv.h: tiles of 16 columns, [K/4][16][4], so one
// AVX-512 VNNI vpdpbusd multiplies 4 u8 activations into 16 column sums). Int8Gemm keeps a block
// of rows x up to 4 tiles in registers (6 x 4, 6 x 3, 8 x 2 or 12 x 1 accumulators), walks all rows
// for one group of tiles (its weights stay in L1), and requantizes in registers (int8_requant.h),
// saturating to [lo, hi] and storing u8 / s8 at y[row * ldy + n]. A row's values are read in whole
// 4-byte groups (bytes beyond K meet zero weights, so only their readability matters). Available
// only where Int8GemvAvailable().
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/fast/int8_gemv.h"
#include "runtime/fast/int8_requant.h"

namespace shrink::runtime::fast {

// Where each row's K values lie: `count` runs of `len` bytes (a multiple of 4; count * len = kp),
// run s at s * stride from the row's start. One run of kp bytes (count 0 reads as that) is a plain
// row; a convolution reads its window rows straight from the padded input this way (run s: window
// row s, stride one input row) instead of copying them out (im2col).
struct Int8Segments {
  int64_t count = 0, len = 0, stride = 0;
};

// y[r * ldy + n] = requant(sum_k A[r, k] * b[k, n]) for r < rows, n < N, row r of A starting at
// a + r * lda, on this thread (callers split rows across threads); y holds floats when
// rq.float_out (ldy still counts elements).
void Int8Gemm(const Int8GemvWeights& w, const uint8_t* a, int64_t lda, int64_t rows,
              const Int8Requant& rq, uint8_t* y, int64_t ldy, Int8Segments seg = {});

}  // namespace shrink::runtime::fast
