// See int8_gemm.h. Everything below the target pragma uses AVX-512 VNNI instructions; callers use
// Int8Gemm only when Int8GemvAvailable().
#include "runtime/fast/int8_gemm.h"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "runtime/fast/int8_dot.h"

namespace shrink::runtime::fast {

#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vnni")
// GCC 12 reports its own _mm512_undefined_* placeholders inside the conversion intrinsics.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace {

// One tile's requantization constants, loaded once per block of rows.
struct TileOut {
  __m512i bias;
  __m512 scale;
  __mmask16 mask;
};

struct Gemm {
  const Int8GemvWeights& w;
  const uint8_t* a;
  int64_t lda;
  Int8Segments seg;
  const Int8Requant& rq;
  uint8_t* y;
  int64_t ldy;

  TileOut Tile(int64_t t) const {
    const int64_t n0 = t * 16, cols = std::min<int64_t>(16, w.n - n0);
    const __mmask16 m = static_cast<__mmask16>(cols >= 16 ? 0xFFFF : (1u << cols) - 1);
    return {_mm512_maskz_loadu_epi32(m, rq.bias.data() + n0),
            _mm512_maskz_loadu_ps(m, rq.scales.data() + n0), m};
  }

  // Rows [r0, r0 + MR) against tiles [t0, t0 + NT): accumulators in registers (starting from the
  // bias), loops unrolled.
  // Out of line: inlined into Int8Gemm, GCC kept the accumulators of the segmented loop in memory.
  template <int MR, int NT, bool kSegmented>
  [[gnu::noinline]] void Block(int64_t r0, int64_t t0, const TileOut* outs) const {
    const int64_t q4 = w.kp / 4;
    __m512i acc[MR][NT];
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
      for (int j = 0; j < NT; ++j) acc[r][j] = outs[j].bias;
    const int8_t* base = w.packed.data() + t0 * q4 * 64;
    const int64_t per_seg = seg.len / 4;
    const int64_t count = kSegmented ? seg.count : 1;  // one run: the plain loop, unnested
    for (int64_t sg = 0; sg < count; ++sg) {
      const uint8_t* rows = a + r0 * lda + sg * seg.stride;
      const int8_t* wseg = base + sg * per_seg * 64;
      for (int64_t q = 0; q < per_seg; ++q) {
        __m512i wv[NT];
#pragma GCC unroll 4
        for (int j = 0; j < NT; ++j) wv[j] = _mm512_loadu_si512(wseg + (j * q4 + q) * 64);
#pragma GCC unroll 16
        for (int r = 0; r < MR; ++r) {
          int32_t four;
          std::memcpy(&four, rows + r * lda + q * 4, 4);
          const __m512i av = _mm512_set1_epi32(four);
#pragma GCC unroll 4
          for (int j = 0; j < NT; ++j) acc[r][j] = Dpbusd(acc[r][j], av, wv[j]);
        }
      }
    }
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r)
      Store<NT>(acc[r], outs, y + ((r0 + r) * ldy + t0 * 16) * (rq.float_out ? 4 : 1));
  }

  // One row's NT tiles of accumulators, requantized and stored. Four whole tiles saturate through
  // the 8-bit packs and leave in one 64-byte store. Inlined: out of line, GCC spilled every row's
  // accumulators to call it (a 16 -> 64 pointwise conv over 784 pixels: 8.85 us, inlined 5.83).
  template <int NT>
  [[gnu::always_inline]] inline void Store(const __m512i* acc, const TileOut* outs,
                                           uint8_t* out) const {
    if (rq.float_out) {
#pragma GCC unroll 4
      for (int j = 0; j < NT; ++j)
        _mm512_mask_storeu_ps(reinterpret_cast<float*>(out) + j * 16, outs[j].mask,
                              _mm512_mul_ps(_mm512_cvtepi32_ps(acc[j]), outs[j].scale));
      return;
    }
    __m512i q[NT];
#pragma GCC unroll 4
    for (int j = 0; j < NT; ++j) q[j] = Requantize(acc[j], outs[j].scale, rq);
    if constexpr (NT == 4) {
      if (outs[3].mask == 0xFFFF) {
        const __m512i lo = _mm512_packs_epi32(q[0], q[1]), hi = _mm512_packs_epi32(q[2], q[3]);
        const __m512i b = rq.lo < 0 ? _mm512_packs_epi16(lo, hi) : _mm512_packus_epi16(lo, hi);
        // Per 128-bit lane L the packs leave dwords (q0, q1, q2, q3)[4L..4L+3]: back to column
        // order, dword 4t + L of the result from dword 4L + t.
        const __m512i order =
            _mm512_set_epi32(15, 11, 7, 3, 14, 10, 6, 2, 13, 9, 5, 1, 12, 8, 4, 0);
        _mm512_storeu_si512(out, _mm512_permutexvar_epi32(order, b));
        return;
      }
    }
    if constexpr (NT == 2) {
      if (outs[1].mask == 0xFFFF) {  // the same for two tiles: 32 bytes
        const __m512i p = _mm512_packs_epi32(q[0], q[1]);
        const __m512i b = rq.lo < 0 ? _mm512_packs_epi16(p, p) : _mm512_packus_epi16(p, p);
        const __m512i order = _mm512_set_epi32(0, 0, 0, 0, 0, 0, 0, 0, 13, 9, 5, 1, 12, 8, 4, 0);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out),
                            _mm512_castsi512_si256(_mm512_permutexvar_epi32(order, b)));
        return;
      }
    }
    const __m512i lo = _mm512_set1_epi32(rq.lo), hi = _mm512_set1_epi32(rq.hi);
#pragma GCC unroll 4
    for (int j = 0; j < NT; ++j)
      _mm512_mask_cvtepi32_storeu_epi8(out + j * 16, outs[j].mask,
                                       _mm512_min_epi32(_mm512_max_epi32(q[j], lo), hi));
  }

  // Rows [r0, r1) against tiles [t0, t0 + NT) in as few blocks of at most MR rows as there can
  // be, of sizes within one of each other (a convolution's 14-pixel output row: 7 + 7, not
  // 6 + 6 + 2, whose 2-row block waits on vpdpbusd latency).
  template <int MR, int NT, bool kSegmented>
  void Rows(int64_t r0, int64_t r1, int64_t t0) const {
    TileOut outs[NT];
    for (int j = 0; j < NT; ++j) outs[j] = Tile(t0 + j);
    const int64_t n = r1 - r0, blocks = (n + MR - 1) / MR;
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t begin = n * b / blocks, size = n * (b + 1) / blocks - begin;
      (this->*BlockOf<NT, kSegmented>(std::make_integer_sequence<int, MR>{})[size - 1])(r0 + begin,
                                                                                        t0, outs);
    }
  }

  // Block<1, ...> .. Block<sizeof...(M), ...>, by rows - 1.
  template <int NT, bool kSegmented, int... M>
  static constexpr auto BlockOf(std::integer_sequence<int, M...>) {
    return std::array{&Gemm::Block<M + 1, NT, kSegmented>...};
  }

  template <bool kSegmented>
  void Range(int64_t r0, int64_t r1) const {
    int64_t t = 0;
    for (; t + 4 <= w.tiles; t += 4) Rows<7, 4, kSegmented>(r0, r1, t);
    switch (w.tiles - t) {
      case 3:
        Rows<7, 3, kSegmented>(r0, r1, t);
        break;
      case 2:
        Rows<8, 2, kSegmented>(r0, r1, t);
        break;
      case 1:
        Rows<12, 1, kSegmented>(r0, r1, t);
        break;
      default:
        break;
    }
  }
};

}  // namespace

void Int8Gemm(const Int8GemvWeights& w, const uint8_t* a, int64_t lda, int64_t rows,
              const Int8Requant& rq, uint8_t* y, int64_t ldy, Int8Segments seg) {
  if (seg.count <= 1) return Gemm{w, a, lda, {1, w.kp, 0}, rq, y, ldy}.Range<false>(0, rows);
  Gemm{w, a, lda, seg, rq, y, ldy}.Range<true>(0, rows);
}

#pragma GCC diagnostic pop
#pragma GCC pop_options

}  // namespace shrink::runtime::fast
