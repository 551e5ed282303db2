// See int8_gemv.h. Only the functions below the target pragma use AVX-512 VNNI instructions;
// Int8Gemv calls them only when Int8GemvAvailable().
#include "runtime/fast/int8_gemv.h"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cstring>

#include "runtime/fast/int8_dot.h"
#include "runtime/fast/int8_gemv_internal.h"
#include "runtime/fast/spin_pool.h"

namespace shrink::runtime::fast {
Int8GemvWeights PackInt8Gemv(const int8_t* b, int64_t k, int64_t n) {
  Int8GemvWeights w;
  w.k = k;
  w.n = n;
  w.kp = (k + 3) / 4 * 4;
  w.tiles = (n + 15) / 16;
  w.packed.assign(static_cast<size_t>(w.tiles * w.kp * 16), 0);
  w.col_sums.assign(static_cast<size_t>(n), 0);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const int8_t v = b[i * n + j];
      const int64_t t = j / 16, col = j % 16;
      w.packed[static_cast<size_t>(((t * (w.kp / 4) + i / 4) * 16 + col) * 4 + i % 4)] = v;
      w.col_sums[static_cast<size_t>(j)] += v;
    }
  return w;
}

bool Int8GemvAvailable() {
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                          __builtin_cpu_supports("avx512vnni");
  return has;
}

void ForTileGroups(const Int8GemvWeights& w, int64_t group, int threads,
                   const std::function<void(int64_t, int64_t)>& tiles) {
  const int64_t groups = (w.tiles + group - 1) / group;
  const int64_t chunks =
      w.kp * w.n >= kInt8GemvSplitMinBytes ? std::min<int64_t>(groups, threads) : 1;
  SpinPool::Run(chunks, threads, [&](int64_t c) {
    const int64_t end = SpinPool::ChunkStart(groups, c + 1, chunks);
    for (int64_t g = SpinPool::ChunkStart(groups, c, chunks); g < end; ++g)
      tiles(g * group, std::min(group, w.tiles - g * group));
  });
}

namespace {

// The rows of `a` as u8 with a row stride of kp: in place for u8 rows with K a multiple of 4, else
// padded copies (zeros beyond K; s8 flipped to u8 by + 128) in `stack` or, when larger, `heap`.
const uint8_t* RowsAsU8(const Int8GemvWeights& w, const void* a, bool a_signed, int64_t rows,
                        uint8_t* stack, size_t stack_bytes, std::vector<uint8_t>& heap) {
  const uint8_t* src = static_cast<const uint8_t*>(a);
  if (!a_signed && w.kp == w.k) return src;
  uint8_t* copy = stack;
  if (rows * w.kp > static_cast<int64_t>(stack_bytes)) {
    heap.resize(static_cast<size_t>(rows * w.kp));
    copy = heap.data();
  }
  const uint8_t flip = a_signed ? 0x80 : 0;
  for (int64_t r = 0; r < rows; ++r) {
    uint8_t* dst = copy + r * w.kp;
    const uint8_t* row = src + r * w.k;
#pragma omp simd
    for (int64_t i = 0; i < w.k; ++i) dst[i] = row[i] ^ flip;
    std::fill(dst + w.k, dst + w.kp, flip);
  }
  return copy;
}

}  // namespace

#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vnni")
// GCC 12 reports its own _mm512_undefined_* placeholders inside the conversion intrinsics.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace {

struct Epilogue : Int8GemvOut {
  void Store(__m512i acc, int64_t row, int64_t n0, void* y) const {
    const int64_t cols = std::min<int64_t>(16, w.n - n0);
    const __mmask16 m = static_cast<__mmask16>(cols >= 16 ? 0xFFFF : (1u << cols) - 1);
    if (flip != 0)
      acc = _mm512_sub_epi32(
          acc, _mm512_mullo_epi32(_mm512_set1_epi32(flip),
                                  _mm512_maskz_loadu_epi32(m, w.col_sums.data() + n0)));
    if (bias) acc = _mm512_add_epi32(acc, _mm512_maskz_loadu_epi32(m, bias + n0));
    const __m512 s = per_column ? _mm512_maskz_loadu_ps(m, scales + n0) : _mm512_set1_ps(scales[0]);
    __m512 v = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), s);
    const int64_t at = row * w.n + n0;
    if (y_dtype == DataType::kFloat32) {
      _mm512_mask_storeu_ps(static_cast<float*>(y) + at, m, v);
      return;
    }
    v = _mm512_add_ps(v, _mm512_set1_ps(y_zp));
    const __m512i q = _mm512_cvtps_epi32(v);  // round half to even (default MXCSR)
    if (y_dtype == DataType::kUInt8)
      _mm512_mask_cvtusepi32_storeu_epi8(static_cast<uint8_t*>(y) + at, m,
                                         _mm512_max_epi32(q, _mm512_setzero_si512()));
    else
      _mm512_mask_cvtsepi32_storeu_epi8(static_cast<int8_t*>(y) + at, m, q);
  }
};

// Rows [0, MR) of the padded u8 activations `a` (row stride kp) against tiles [t0, t0 + NT), the
// MR x NT column sums kept in registers (loops fully unrolled), stored through `e`.
template <int MR, int NT>
void Tiles(const Int8GemvWeights& w, const uint8_t* a, int64_t t0, const Epilogue& e, int64_t row0,
           void* y) {
  const int64_t q4 = w.kp / 4;
  __m512i acc[MR][NT];
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 8
    for (int j = 0; j < NT; ++j) acc[r][j] = _mm512_setzero_si512();
  const int8_t* base = w.packed.data() + t0 * q4 * 64;
  for (int64_t q = 0; q < q4; ++q) {
    __m512i wv[NT];
#pragma GCC unroll 8
    for (int j = 0; j < NT; ++j) {
      wv[j] = _mm512_loadu_si512(base + (j * q4 + q) * 64);
      // NT tiles are NT streams the hardware prefetchers follow late: asking for each one 8
      // steps ahead took Fashion-MNIST's 3136 x 128 layer from 4.6 to 3.8 us (prefetches do
      // not fault, past the end included).
      _mm_prefetch(reinterpret_cast<const char*>(base + (j * q4 + q + 8) * 64), _MM_HINT_T0);
    }
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
      int32_t four;
      std::memcpy(&four, a + r * w.kp + q * 4, 4);
      const __m512i av = _mm512_set1_epi32(four);
#pragma GCC unroll 8
      for (int j = 0; j < NT; ++j) acc[r][j] = Dpbusd(acc[r][j], av, wv[j]);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 8
    for (int j = 0; j < NT; ++j) e.Store(acc[r][j], row0 + r, (t0 + j) * 16, y);
}

template <int MR, int NT>
void Groups(const Int8GemvWeights& w, const uint8_t* a, const Epilogue& e, int64_t row0, void* y,
            int threads) {
  ForTileGroups(w, NT, threads, [&](int64_t t0, int64_t count) {
    if (count == NT) return Tiles<MR, NT>(w, a, t0, e, row0, y);
    for (int64_t t = t0; t < t0 + count; ++t) Tiles<MR, 1>(w, a, t, e, row0, y);
  });
}

// >= 8 independent accumulator chains (vpdpbusd latency): one row takes 8 tiles at once, unless
// that leaves a thread without a group.
template <int MR>
void Rows(const Int8GemvWeights& w, const uint8_t* a, const Epilogue& e, int64_t row0, void* y) {
  const int threads = omp_get_max_threads();
  if (MR == 1 && (w.tiles >= 8 * threads || w.kp * w.n < kInt8GemvSplitMinBytes))
    return Groups<MR, 8>(w, a, e, row0, y, threads);
  Groups<MR, 4>(w, a, e, row0, y, threads);
}

// Int8Gemv on AVX-512 VNNI.
void VnniRows(const Int8GemvOut& out, const uint8_t* a, int64_t rows, void* y) {
  const Epilogue e{out};
  ForRowBlocks(rows, [&](int64_t r, auto mr) {
    Rows<decltype(mr)::value>(out.w, a + r * out.w.kp, e, r, y);
  });
}

}  // namespace

#pragma GCC diagnostic pop
#pragma GCC pop_options

void Int8Gemv(const Int8GemvWeights& w, const void* a, bool a_signed, int64_t rows,
              const int32_t* bias, const float* scales, bool per_column, float y_zp,
              DataType y_dtype, void* y) {
  alignas(64) uint8_t stack[kInt8GemvMaxRows * 4096];
  std::vector<uint8_t> heap;
  const uint8_t* pa = RowsAsU8(w, a, a_signed, rows, stack, sizeof(stack), heap);
  const Int8GemvOut out{w, a_signed ? 128 : 0, bias, scales, per_column, y_zp, y_dtype};
  if (Int8GemvAvailable()) return VnniRows(out, pa, rows, y);
  Int8GemvAvx2Rows(out, pa, rows, y);
}

}  // namespace shrink::runtime::fast
