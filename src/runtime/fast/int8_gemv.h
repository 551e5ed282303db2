// Int8 matrix-vector products for the int8 MatMul / Gemm kernels at a few rows (batch-1 MLPs,
// decoder steps), where oneDNN's int8 matmul runs at a fraction of the machine's VNNI rate
// (MNIST MLP's 1x784 @ 784x256: 4.3 us). Internal to the fast runtime.
//
// Packing (once): B [K, N] s8 (row-major, zero point already subtracted) into tiles of 16 columns,
// each [K/4][16 columns][4 consecutive k] (K padded to a multiple of 4 with zeros), so one
// AVX-512 VNNI vpdpbusd multiplies 4 activations (u8) into 16 column sums; col_sums are the
// per-column sums of B.
// Int8Gemv: for each of `rows` rows of A (u8, or s8 when a_signed: flipped to u8 by + 128 and
// compensated with 128 * col_sums), acc = sum_k a[k] * b[k, n] (exact, int32), then
// v = float(acc + bias[n]) * scale[n or 0] (+ y_zp), rounded half to even and saturated to the
// output type (u8 / s8), or stored as float (kFloat32: no zero point): oneDNN's requantization
// order, so results stay within the int8 kernels' one-step tolerance of the reference
// (fast_qgemm_test.cc, fast_int8_test.cc).
// Runs on AVX-512 VNNI where Int8GemvAvailable(), else on AVX2 where Int8GemvAvx2Available()
// (int8_gemv_avx2.cc: each 4-byte group through vpmaddubsw's u8 x s8 pair sums in int16 and
// vpmaddwd, exact only for weights within kPairSafeWeight, int8_exact.h, which callers without
// VNNI ensure: Int8DotExactFor); callers keep oneDNN on other CPUs.
#pragma once

#include <cstdint>
#include <vector>

#include "core/dtype.h"

namespace shrink::runtime::fast {

inline constexpr int64_t kInt8GemvMaxRows = 4;

struct Int8GemvWeights {
  int64_t k = 0, n = 0, kp = 0;  // kp: K rounded up to a multiple of 4
  int64_t tiles = 0;             // ceil(N / 16)
  std::vector<int8_t> packed;    // [tile][kp / 4][16][4]
  std::vector<int32_t> col_sums;
};

Int8GemvWeights PackInt8Gemv(const int8_t* b, int64_t k, int64_t n);
bool Int8GemvAvailable();

// `a`: rows x K (row stride K); `bias`: N int32 or nullptr; `scales`: N floats, or 1 when
// `per_column` is false; `y`: rows x N of `y_dtype` (kUInt8, kInt8 or kFloat32).
void Int8Gemv(const Int8GemvWeights& w, const void* a, bool a_signed, int64_t rows,
              const int32_t* bias, const float* scales, bool per_column, float y_zp,
              DataType y_dtype, void* y);

bool Int8GemvAvx2Available();

}  // namespace shrink::runtime::fast
