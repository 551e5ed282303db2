// Int8Gemv's AVX2 path (int8_gemv.h). The functions below the target pragma use AVX2 and FMA
// instructions; Int8Gemv calls them only without VNNI, callers only when Int8GemvAvx2Available().
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cstring>

#include "runtime/fast/int8_gemv_internal.h"

namespace shrink::runtime::fast {

bool Int8GemvAvx2Available() {
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
}

#pragma GCC push_options
#pragma GCC target("avx2,fma")

namespace {

// Int8Gemv's epilogue for 8 columns: the same float32 operations (multiply, then add the zero
// point, rounding half to even by the conversion), columns past N left alone.
struct Epilogue : Int8GemvOut {
  void Store(__m256i acc, int64_t row, int64_t n0, void* y) const {
    const int64_t cols = std::min<int64_t>(8, w.n - n0);
    if (cols <= 0) return;
    alignas(32) int32_t sums[8] = {}, add[8] = {};
    alignas(32) float s[8] = {};
    for (int64_t i = 0; i < cols; ++i) {
      sums[i] = w.col_sums[static_cast<size_t>(n0 + i)];
      add[i] = bias ? bias[n0 + i] : 0;
      s[i] = per_column ? scales[n0 + i] : scales[0];
    }
    const __m256i sum_v = _mm256_load_si256(reinterpret_cast<const __m256i*>(sums));
    if (flip != 0) acc = _mm256_sub_epi32(acc, _mm256_mullo_epi32(_mm256_set1_epi32(flip), sum_v));
    acc = _mm256_add_epi32(acc, _mm256_load_si256(reinterpret_cast<const __m256i*>(add)));
    __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), _mm256_load_ps(s));
    const int64_t at = row * w.n + n0;
    if (y_dtype == DataType::kFloat32) {
      alignas(32) float out[8];
      _mm256_store_ps(out, v);
      std::memcpy(static_cast<float*>(y) + at, out, static_cast<size_t>(cols) * sizeof(float));
      return;
    }
    alignas(32) int32_t q[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(q),
                       _mm256_cvtps_epi32(_mm256_add_ps(v, _mm256_set1_ps(y_zp))));
    const bool u8 = y_dtype == DataType::kUInt8;
    for (int64_t i = 0; i < cols; ++i) {
      const int32_t c = std::clamp(q[i], u8 ? 0 : -128, u8 ? 255 : 127);
      if (u8)
        static_cast<uint8_t*>(y)[at + i] = static_cast<uint8_t>(c);
      else
        static_cast<int8_t*>(y)[at + i] = static_cast<int8_t>(c);
    }
  }
};

// Rows [0, MR) of the padded u8 activations `a` (row stride kp) against tiles [t0, t0 + NT), each
// tile's 16 column sums in two 8-lane halves.
template <int MR, int NT>
void Tiles(const Int8GemvWeights& w, const uint8_t* a, int64_t t0, const Epilogue& e, int64_t row0,
           void* y) {
  const int64_t q4 = w.kp / 4;
  const __m256i ones = _mm256_set1_epi16(1);
  __m256i acc[MR][NT][2];
#pragma GCC unroll 4
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
    for (int j = 0; j < NT; ++j) acc[r][j][0] = acc[r][j][1] = _mm256_setzero_si256();
  const int8_t* base = w.packed.data() + t0 * q4 * 64;
  for (int64_t q = 0; q < q4; ++q) {
    __m256i wv[NT][2];
#pragma GCC unroll 4
    for (int j = 0; j < NT; ++j) {
      const int8_t* p = base + (j * q4 + q) * 64;
      wv[j][0] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
      wv[j][1] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
      _mm_prefetch(reinterpret_cast<const char*>(p + 8 * 64), _MM_HINT_T0);
    }
#pragma GCC unroll 4
    for (int r = 0; r < MR; ++r) {
      int32_t four;
      std::memcpy(&four, a + r * w.kp + q * 4, 4);
      const __m256i av = _mm256_set1_epi32(four);
#pragma GCC unroll 4
      for (int j = 0; j < NT; ++j)
#pragma GCC unroll 2
        for (int h = 0; h < 2; ++h)
          acc[r][j][h] = _mm256_add_epi32(
              acc[r][j][h], _mm256_madd_epi16(_mm256_maddubs_epi16(av, wv[j][h]), ones));
    }
  }
#pragma GCC unroll 4
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
    for (int j = 0; j < NT; ++j)
#pragma GCC unroll 2
      for (int h = 0; h < 2; ++h) e.Store(acc[r][j][h], row0 + r, (t0 + j) * 16 + h * 8, y);
}

template <int MR, int NT>
void Groups(const Int8GemvWeights& w, const uint8_t* a, const Epilogue& e, int64_t row0, void* y) {
  ForTileGroups(w, NT, omp_get_max_threads(), [&](int64_t t0, int64_t count) {
    if (count == NT) return Tiles<MR, NT>(w, a, t0, e, row0, y);
    for (int64_t t = t0; t < t0 + count; ++t) Tiles<MR, 1>(w, a, t, e, row0, y);
  });
}

}  // namespace

void Int8GemvAvx2Rows(const Int8GemvOut& out, const uint8_t* a, int64_t rows, void* y) {
  const Epilogue e{out};
  // 16 ymm registers: 1 row x 2 tiles (4 accumulators), 2 x 2 (8), 4 x 1 (8), weights beside.
  ForRowBlocks(rows, [&](int64_t r, auto mr) {
    constexpr int kRows = decltype(mr)::value;
    Groups<kRows, kRows == 4 ? 1 : 2>(out.w, a + r * out.w.kp, e, r, y);
  });
}

#pragma GCC pop_options

}  // namespace shrink::runtime::fast
