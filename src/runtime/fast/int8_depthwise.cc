// See int8_depthwise.h. Everything below the target pragma uses AVX-512 VNNI / VBMI
// instructions; callers use it only when Int8DepthwiseAvailable().
#include "runtime/fast/int8_depthwise.h"

#include <immintrin.h>

#include <algorithm>

namespace shrink::runtime::fast {

bool Int8DepthwiseAvailable() {
  static const bool has = Int8GemvAvailable() && __builtin_cpu_supports("avx512vbmi");
  return has;
}

Int8DwWeights PackInt8Depthwise(const int8_t* w, int64_t c, int64_t kh, int64_t kw,
                                const Int8Requant& rq) {
  Int8DwWeights p;
  p.c = c;
  p.kh = kh;
  p.kw = kw;
  p.blocks = (c + 15) / 16;
  p.rows.assign(static_cast<size_t>(kh * p.blocks * 64), 0);
  p.bias.assign(static_cast<size_t>(p.blocks * 16), 0);
  p.scales.assign(p.bias.size(), 0.0f);
  for (int64_t ch = 0; ch < c; ++ch) {
    p.bias[static_cast<size_t>(ch)] = rq.bias[static_cast<size_t>(ch)];
    p.scales[static_cast<size_t>(ch)] = rq.scales[static_cast<size_t>(ch)];
    for (int64_t ky = 0; ky < kh; ++ky)
      for (int64_t kx = 0; kx < kw; ++kx)
        p.rows[static_cast<size_t>((ky * p.blocks + ch / 16) * 64 + (ch % 16) * 4 + kx)] =
            w[(ch * kh + ky) * kw + kx];
  }
  return p;
}

#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512vnni,avx512vbmi")
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace {

struct Dw {
  const Int8DwWeights& w;
  const DwGeometry& g;
  const uint8_t* x;
  uint8_t* y;
  const Int8Requant& rq;
  bool y_signed;
  __m512i gather;      // byte 4c + t <- byte 16t + c (tap t of channel c)
  __mmask64 tap_mask;  // the bytes of taps t < kw

  // Taps [0, KW) of one window row for 16 channels at `at` (channel stride between taps: c);
  // masked loads only for the last block of a channel count that is not a multiple of 16.
  template <int KW, bool kTail>
  __m512i Window(const uint8_t* at, __mmask16 m) const {
    const auto load = [&](const uint8_t* p) {
      return kTail ? _mm_maskz_loadu_epi8(m, p)
                   : _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    };
    __m512i v = _mm512_castsi128_si512(load(at));
    if constexpr (KW > 1) v = _mm512_inserti32x4(v, load(at + w.c), 1);
    if constexpr (KW > 2) v = _mm512_inserti32x4(v, load(at + 2 * w.c), 2);
    if constexpr (KW > 3) v = _mm512_inserti32x4(v, load(at + 3 * w.c), 3);
    return _mm512_maskz_permutexvar_epi8(tap_mask, gather, v);
  }

  // P output pixels from column ox of output row oy of image img, channel block b (mask m).
  template <int P, int KW, bool kTail>
  void Pixels(int64_t img, int64_t oy, int64_t ox, int64_t b, __mmask16 m) const {
    const int64_t c = w.c, step = g.stride_w * c;
    __m512i acc[P];
    const __m512i bias = _mm512_loadu_si512(w.bias.data() + b * 16);
#pragma GCC unroll 8
    for (int p = 0; p < P; ++p) acc[p] = bias;
    const uint8_t* row = x + ((img * g.hp + oy * g.stride_h) * g.wp + ox * g.stride_w) * c + b * 16;
    const int8_t* wrow = w.rows.data() + b * 64;
    for (int64_t ky = 0; ky < w.kh; ++ky, row += g.wp * c, wrow += w.blocks * 64) {
      const __m512i wv = _mm512_loadu_si512(wrow);
#pragma GCC unroll 8
      for (int p = 0; p < P; ++p)
        acc[p] = _mm512_dpbusd_epi32(acc[p], Window<KW, kTail>(row + p * step, m), wv);
    }
    const __m512 scale = _mm512_loadu_ps(w.scales.data() + b * 16);
    uint8_t* out = y + ((img * g.oh + oy) * g.ow + ox) * c + b * 16;
#pragma GCC unroll 8
    for (int p = 0; p < P; ++p) {
      const __m512i q = Requantize(acc[p], scale, rq);
      const __m128i bytes =
          y_signed ? _mm512_cvtsepi32_epi8(q)
                   : _mm512_cvtusepi32_epi8(_mm512_max_epi32(q, _mm512_setzero_si512()));
      if constexpr (kTail)
        _mm_mask_storeu_epi8(out + p * c, m, bytes);
      else
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + p * c), bytes);
    }
  }

  template <int KW, bool kTail>
  void Block(int64_t img, int64_t oy, int64_t b, __mmask16 m) const {
    constexpr int P = 4;
    int64_t ox = 0;
    for (; ox + P <= g.ow; ox += P) Pixels<P, KW, kTail>(img, oy, ox, b, m);
    for (; ox < g.ow; ++ox) Pixels<1, KW, kTail>(img, oy, ox, b, m);
  }

  template <int KW>
  void Row(int64_t img, int64_t oy) const {
    const int64_t full = w.c / 16;
    for (int64_t b = 0; b < full; ++b) Block<KW, false>(img, oy, b, 0xFFFF);
    if (full < w.blocks)
      Block<KW, true>(img, oy, full, static_cast<__mmask16>((1u << (w.c - full * 16)) - 1));
  }

  // Output rows [r0, r1) (row r: image r / oh, output row r % oh).
  void Rows(int64_t r0, int64_t r1) const {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t img = r / g.oh, oy = r % g.oh;
      switch (w.kw) {
        case 1:
          Row<1>(img, oy);
          break;
        case 2:
          Row<2>(img, oy);
          break;
        case 3:
          Row<3>(img, oy);
          break;
        default:
          Row<4>(img, oy);
          break;
      }
    }
  }
};

}  // namespace

void Int8Depthwise(const Int8DwWeights& w, const DwGeometry& g, const uint8_t* x,
                   const Int8Requant& rq, uint8_t* y) {
  alignas(64) uint8_t idx[64];
  for (int i = 0; i < 64; ++i) idx[i] = static_cast<uint8_t>(16 * (i % 4) + i / 4);
  uint64_t taps = 0;
  for (int i = 0; i < 64; ++i) taps |= static_cast<uint64_t>(i % 4 < w.kw) << i;
  const Dw dw{w, g, x, y, rq, rq.lo < 0, _mm512_load_si512(idx), taps};
  dw.Rows(0, g.n * g.oh);
}

#pragma GCC diagnostic pop
#pragma GCC pop_options

}  // namespace shrink::runtime::fast
