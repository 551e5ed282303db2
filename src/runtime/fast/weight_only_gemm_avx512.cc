// The AVX-512 tile of WeightOnlyGemm (see weight_only_gemm.h). Only the functions below the target
// pragma use AVX-512 instructions; WeightOnlyGemm calls them only when the CPU has AVX-512 F + BW.
#include <immintrin.h>

#include <algorithm>

#include "runtime/fast/weight_only_gemm.h"

#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw")
// GCC 12 reports its own _mm512_undefined_* placeholders inside the conversion intrinsics.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace shrink::runtime::fast::detail {
namespace {

// Rows m0 .. m0 + MR of one tile: the block sums stay in registers (MR x 2 vectors, the row loops
// fully unrolled so that GCC keeps them there); y, first set
// to the bias, takes y += scale * acc_q - scale * zero * xsum after each block (masked to the
// tile's valid columns).
template <int MR, int BITS>
void Tile(const PackedWeights& w, int64_t t, const float* x, int64_t m0, const float* xsum,
          const float* bias, float* y) {
  static_assert(kWeightTileN == 32, "two 16-lane vectors per tile");
  constexpr int64_t bpk = kWeightTileN * BITS / 8;
  const int64_t K = w.k;
  const uint8_t* codes = w.codes.data() + t * K * bpk;
  const __m128i low4 = _mm_set1_epi8(0x0F);
  const int64_t n0 = t * kWeightTileN;
  const int64_t cols = std::min<int64_t>(kWeightTileN, w.n - n0);
  const __mmask16 mask0 = static_cast<__mmask16>(cols >= 16 ? 0xFFFF : (1u << cols) - 1);
  const __mmask16 mask1 = static_cast<__mmask16>(cols >= 32   ? 0xFFFF
                                                 : cols <= 16 ? 0
                                                              : (1u << (cols - 16)) - 1);
  const __m512 b0 = bias ? _mm512_loadu_ps(bias + n0) : _mm512_setzero_ps();
  const __m512 b1 = bias ? _mm512_loadu_ps(bias + n0 + 16) : _mm512_setzero_ps();
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) {
    float* out = y + (m0 + r) * w.n + n0;
    _mm512_mask_storeu_ps(out, mask0, b0);
    _mm512_mask_storeu_ps(out + 16, mask1, b1);
  }
  for (int64_t kb = 0; kb < w.blocks; ++kb) {
    __m512 accq[MR][2];
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) accq[r][0] = accq[r][1] = _mm512_setzero_ps();
    const int64_t k1 = std::min(K, (kb + 1) * w.block);
    for (int64_t k = kb * w.block; k < k1; ++k) {
      const uint8_t* p = codes + k * bpk;
      __m512 w0, w1;
      if constexpr (BITS == 4) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        w0 = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_and_si128(v, low4)));
        w1 = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_and_si128(_mm_srli_epi16(v, 4), low4)));
      } else {
        w0 = _mm512_cvtepi32_ps(
            _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
        w1 = _mm512_cvtepi32_ps(
            _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16))));
      }
#pragma GCC unroll 8
      for (int r = 0; r < MR; ++r) {
        const __m512 xv = _mm512_set1_ps(x[(m0 + r) * K + k]);
        accq[r][0] = _mm512_fmadd_ps(xv, w0, accq[r][0]);
        accq[r][1] = _mm512_fmadd_ps(xv, w1, accq[r][1]);
      }
    }
    const float* s = w.scale.data() + (t * w.blocks + kb) * kWeightTileN;
    const float* z = w.zero.data() + (t * w.blocks + kb) * kWeightTileN;
    const __m512 s0 = _mm512_loadu_ps(s), s1 = _mm512_loadu_ps(s + 16);
    const __m512 sz0 = _mm512_mul_ps(s0, _mm512_loadu_ps(z));
    const __m512 sz1 = _mm512_mul_ps(s1, _mm512_loadu_ps(z + 16));
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
      const __m512 xs = _mm512_set1_ps(xsum[(m0 + r) * w.blocks + kb]);
      float* out = y + (m0 + r) * w.n + n0;
      const __m512 y0 = _mm512_maskz_loadu_ps(mask0, out);
      const __m512 y1 = _mm512_maskz_loadu_ps(mask1, out + 16);
      _mm512_mask_storeu_ps(out, mask0,
                            _mm512_fmadd_ps(accq[r][0], s0, _mm512_fnmadd_ps(sz0, xs, y0)));
      _mm512_mask_storeu_ps(out + 16, mask1,
                            _mm512_fmadd_ps(accq[r][1], s1, _mm512_fnmadd_ps(sz1, xs, y1)));
    }
  }
}

template <int BITS>
void TileRows(const PackedWeights& w, int64_t t, const float* x, int64_t m0, int mr,
              const float* xsum, const float* bias, float* y) {
  switch (mr) {
    case 8:
      return Tile<8, BITS>(w, t, x, m0, xsum, bias, y);
    case 7:
      return Tile<7, BITS>(w, t, x, m0, xsum, bias, y);
    case 6:
      return Tile<6, BITS>(w, t, x, m0, xsum, bias, y);
    case 5:
      return Tile<5, BITS>(w, t, x, m0, xsum, bias, y);
    case 4:
      return Tile<4, BITS>(w, t, x, m0, xsum, bias, y);
    case 3:
      return Tile<3, BITS>(w, t, x, m0, xsum, bias, y);
    case 2:
      return Tile<2, BITS>(w, t, x, m0, xsum, bias, y);
    default:
      return Tile<1, BITS>(w, t, x, m0, xsum, bias, y);
  }
}

// The tile's weights as float32, (code - zero) * scale as DequantizeLinear computes them, into
// panel [K][kWeightTileN].
template <int BITS>
void DequantizeTile(const PackedWeights& w, int64_t t, float* panel) {
  constexpr int64_t bpk = kWeightTileN * BITS / 8;
  const uint8_t* codes = w.codes.data() + t * w.k * bpk;
  const __m128i low4 = _mm_set1_epi8(0x0F);
  for (int64_t kb = 0; kb < w.blocks; ++kb) {
    const float* s = w.scale.data() + (t * w.blocks + kb) * kWeightTileN;
    const float* z = w.zero.data() + (t * w.blocks + kb) * kWeightTileN;
    const __m512 s0 = _mm512_loadu_ps(s), s1 = _mm512_loadu_ps(s + 16);
    const __m512 z0 = _mm512_loadu_ps(z), z1 = _mm512_loadu_ps(z + 16);
    const int64_t k1 = std::min(w.k, (kb + 1) * w.block);
    for (int64_t k = kb * w.block; k < k1; ++k) {
      const uint8_t* p = codes + k * bpk;
      __m512 c0, c1;
      if constexpr (BITS == 4) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        c0 = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_and_si128(v, low4)));
        c1 = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_and_si128(_mm_srli_epi16(v, 4), low4)));
      } else {
        c0 = _mm512_cvtepi32_ps(
            _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
        c1 = _mm512_cvtepi32_ps(
            _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16))));
      }
      _mm512_storeu_ps(panel + k * kWeightTileN, _mm512_mul_ps(_mm512_sub_ps(c0, z0), s0));
      _mm512_storeu_ps(panel + k * kWeightTileN + 16, _mm512_mul_ps(_mm512_sub_ps(c1, z1), s1));
    }
  }
}

// Rows m0 .. m0 + MR against a dequantized tile (a plain float GEMM micro-kernel).
template <int MR>
void FloatTile(const PackedWeights& w, int64_t t, const float* panel, const float* x, int64_t m0,
               const float* bias, float* y) {
  const int64_t K = w.k, n0 = t * kWeightTileN;
  const int64_t cols = std::min<int64_t>(kWeightTileN, w.n - n0);
  const __mmask16 mask0 = static_cast<__mmask16>(cols >= 16 ? 0xFFFF : (1u << cols) - 1);
  const __mmask16 mask1 = static_cast<__mmask16>(cols >= 32   ? 0xFFFF
                                                 : cols <= 16 ? 0
                                                              : (1u << (cols - 16)) - 1);
  __m512 acc[MR][2];
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) {
    acc[r][0] = bias ? _mm512_loadu_ps(bias + n0) : _mm512_setzero_ps();
    acc[r][1] = bias ? _mm512_loadu_ps(bias + n0 + 16) : _mm512_setzero_ps();
  }
  for (int64_t k = 0; k < K; ++k) {
    const __m512 w0 = _mm512_loadu_ps(panel + k * kWeightTileN);
    const __m512 w1 = _mm512_loadu_ps(panel + k * kWeightTileN + 16);
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
      const __m512 xv = _mm512_set1_ps(x[(m0 + r) * K + k]);
      acc[r][0] = _mm512_fmadd_ps(xv, w0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(xv, w1, acc[r][1]);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) {
    float* out = y + (m0 + r) * w.n + n0;
    _mm512_mask_storeu_ps(out, mask0, acc[r][0]);
    _mm512_mask_storeu_ps(out + 16, mask1, acc[r][1]);
  }
}

void FloatTileRows(const PackedWeights& w, int64_t t, const float* panel, const float* x,
                   int64_t m0, int mr, const float* bias, float* y) {
  switch (mr) {
    case 8:
      return FloatTile<8>(w, t, panel, x, m0, bias, y);
    case 7:
      return FloatTile<7>(w, t, panel, x, m0, bias, y);
    case 6:
      return FloatTile<6>(w, t, panel, x, m0, bias, y);
    case 5:
      return FloatTile<5>(w, t, panel, x, m0, bias, y);
    case 4:
      return FloatTile<4>(w, t, panel, x, m0, bias, y);
    case 3:
      return FloatTile<3>(w, t, panel, x, m0, bias, y);
    case 2:
      return FloatTile<2>(w, t, panel, x, m0, bias, y);
    default:
      return FloatTile<1>(w, t, panel, x, m0, bias, y);
  }
}

}  // namespace

void WeightOnlyTileAllRowsAvx512(const PackedWeights& w, int64_t tile, const float* x, int64_t rows,
                                 const float* bias, float* y, float* panel) {
  if (w.bits == 4)
    DequantizeTile<4>(w, tile, panel);
  else
    DequantizeTile<8>(w, tile, panel);
  for (int64_t m0 = 0; m0 < rows; m0 += kAvx512Rows)
    FloatTileRows(w, tile, panel, x, m0, static_cast<int>(std::min(kAvx512Rows, rows - m0)), bias,
                  y);
}

void WeightOnlyTileAvx512(const PackedWeights& w, int64_t tile, const float* x, int64_t m0, int mr,
                          const float* xsum, const float* bias, float* y) {
  if (w.bits == 4)
    TileRows<4>(w, tile, x, m0, mr, xsum, bias, y);
  else
    TileRows<8>(w, tile, x, m0, mr, xsum, bias, y);
}

}  // namespace shrink::runtime::fast::detail

#pragma GCC diagnostic pop
#pragma GCC pop_options
