// See int8_depthwise.h. Everything below the target pragma uses AVX-512 VNNI / VBMI
// instructions; callers use it only when Int8DepthwiseAvailable().
#include "runtime/fast/int8_depthwise.h"

#include <immintrin.h>

#include <algorithm>
#include <vector>

#include "runtime/fast/int8_dot.h"

namespace shrink::runtime::fast {

bool Int8DepthwiseAvailable() {
  static const bool has = Int8GemvAvailable() && __builtin_cpu_supports("avx512vbmi");
  return has;
}

namespace {

// The channel in `slot` (int8_depthwise.h: the quads' slots are permuted).
int64_t SlotChannel(int64_t slot, int64_t quads) {
  if (slot >= quads * 64) return slot;
  const int64_t r = slot % 64, group = r / 16, lane = r % 16 / 4;
  return slot - r + lane * 16 + group * 4 + r % 4;
}

}  // namespace

Int8DwWeights PackInt8Depthwise(const int8_t* w, int64_t c, int64_t kh, int64_t kw,
                                const Int8Requant& rq) {
  Int8DwWeights p;
  p.c = c;
  p.kh = kh;
  p.kw = kw;
  p.blocks = (c + 15) / 16;
  p.quads = c / 64;
  p.cols.assign(static_cast<size_t>(kw * p.blocks * 64), 0);
  p.bias.assign(static_cast<size_t>(p.blocks * 16), 0);
  p.scales.assign(p.bias.size(), 0.0f);
  for (int64_t slot = 0; slot < c; ++slot) {
    const int64_t ch = SlotChannel(slot, p.quads);
    p.bias[static_cast<size_t>(slot)] = rq.bias[static_cast<size_t>(ch)];
    p.scales[static_cast<size_t>(slot)] = rq.scales[static_cast<size_t>(ch)];
    for (int64_t ky = 0; ky < kh; ++ky)
      for (int64_t kx = 0; kx < kw; ++kx)
        p.cols[static_cast<size_t>((kx * p.blocks + slot / 16) * 64 + (slot % 16) * 4 + ky)] =
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

struct alignas(64) Column {
  uint8_t bytes[64];
};

struct Dw {
  const Int8DwWeights& w;
  const DwGeometry& g;
  const uint8_t* x;
  uint8_t* y;
  const Int8Requant& rq;
  bool y_signed;
  __m512i gather;      // byte 4c + t <- byte 16t + c (tap t of channel c)
  __mmask64 tap_mask;  // the bytes of taps t < kh
  __m512i zp_col;      // a column outside the input: the zero point in every tap
  int64_t wp;          // padded input columns the windows reach
  __m512i* cols;       // [wp] (16 channels) or [wp][4] (a quad): padded input columns' taps

  // The input rows under taps [0, kh) of output row oy of image img (zp_row outside the input).
  void TapRows(int64_t img, int64_t oy, const uint8_t* rows[kInt8DwMaxKernelHeight]) const {
    for (int64_t t = 0; t < w.kh; ++t) {
      const int64_t iy = oy * g.stride_h - g.pt + t;
      rows[t] = iy >= 0 && iy < g.h ? x + (img * g.h + iy) * g.w * w.c : g.zp_row;
    }
  }

  // cols[ix * per] for the padded columns outside the input (before pl, from pl + w on) get
  // zp_col (every slot of the quad's group with per = 4); f(ix, offset) fills the others, offset
  // being the column's byte offset in an input row.
  template <typename F>
  void EachColumn(int64_t per, const F& f) const {
    const int64_t end = std::min(wp, g.pl + g.w);
    int64_t ix = 0;
    for (; ix < std::min(g.pl, wp); ++ix)
      for (int64_t j = 0; j < per; ++j) cols[ix * per + j] = zp_col;
    for (; ix < end; ++ix) f(ix, (ix - g.pl) * w.c);
    for (; ix < wp; ++ix)
      for (int64_t j = 0; j < per; ++j) cols[ix * per + j] = zp_col;
  }

  // Taps [0, KH) of every padded input column for the 16 channels at byte `ch` of `rows` into
  // cols; masked loads only for the last block of a channel count that is not a multiple of 16.
  template <int KH, bool kTail>
  void Columns(const uint8_t* const* rows, int64_t ch, __mmask16 m) const {
    const auto load = [&](const uint8_t* p) {
      return kTail ? _mm_maskz_loadu_epi8(m, p)
                   : _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    };
    EachColumn(1, [&](int64_t ix, int64_t at) {
      at += ch;
      __m512i v = _mm512_castsi128_si512(load(rows[0] + at));
      if constexpr (KH > 1) v = _mm512_inserti32x4(v, load(rows[1] + at), 1);
      if constexpr (KH > 2) v = _mm512_inserti32x4(v, load(rows[2] + at), 2);
      if constexpr (KH > 3) v = _mm512_inserti32x4(v, load(rows[3] + at), 3);
      cols[ix] = _mm512_maskz_permutexvar_epi8(tap_mask, gather, v);
    });
  }

  // P output pixels from column ox of the current output row (cols built), channel block b.
  template <int P, bool kTail>
  void Pixels(int64_t ox, int64_t b, uint8_t* out, __mmask16 m) const {
    __m512i acc[P];
    const __m512i bias = _mm512_loadu_si512(w.bias.data() + b * 16);
#pragma GCC unroll 8
    for (int p = 0; p < P; ++p) acc[p] = bias;
    const int8_t* wcol = w.cols.data() + b * 64;
    const __m512i* in = cols + ox * g.stride_w;
    for (int64_t kx = 0; kx < w.kw; ++kx, wcol += w.blocks * 64, ++in) {
      const __m512i wv = _mm512_loadu_si512(wcol);
#pragma GCC unroll 8
      for (int p = 0; p < P; ++p) acc[p] = Dpbusd(acc[p], in[p * g.stride_w], wv);
    }
    const __m512 scale = _mm512_loadu_ps(w.scales.data() + b * 16);
    out += ox * w.c;
    if constexpr (P % 4 == 0 && !kTail) {
      // Four pixels at a time through the 8-bit packs (as the GEMM's stores, int8_gemm.cc):
      // per 128-bit lane L the packs leave dwords (p0, p1, p2, p3)[4L..4L+3]; back to pixel
      // order, dword 4t + L from dword 4L + t.
      const __m512i order = _mm512_set_epi32(15, 11, 7, 3, 14, 10, 6, 2, 13, 9, 5, 1, 12, 8, 4, 0);
#pragma GCC unroll 2
      for (int p = 0; p < P; p += 4) {
        const __m512i lo =
            _mm512_packs_epi32(Requantize(acc[p], scale, rq), Requantize(acc[p + 1], scale, rq));
        const __m512i hi = _mm512_packs_epi32(Requantize(acc[p + 2], scale, rq),
                                              Requantize(acc[p + 3], scale, rq));
        const __m512i bytes = _mm512_permutexvar_epi32(
            order, y_signed ? _mm512_packs_epi16(lo, hi) : _mm512_packus_epi16(lo, hi));
        uint8_t* o = out + p * w.c;
        if (w.c == 16) {  // four pixels' 16 channels lie next to each other
          _mm512_storeu_si512(o, bytes);
          continue;
        }
        _mm_storeu_si128(reinterpret_cast<__m128i*>(o), _mm512_castsi512_si128(bytes));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(o + w.c), _mm512_extracti32x4_epi32(bytes, 1));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(o + 2 * w.c),
                         _mm512_extracti32x4_epi32(bytes, 2));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(o + 3 * w.c),
                         _mm512_extracti32x4_epi32(bytes, 3));
      }
      return;
    }
#pragma GCC unroll 8
    for (int p = 0; p < P; ++p) {
      const __m512i q = Requantize(acc[p], scale, rq);
      const __m128i bytes =
          y_signed ? _mm512_cvtsepi32_epi8(q)
                   : _mm512_cvtusepi32_epi8(_mm512_max_epi32(q, _mm512_setzero_si512()));
      if constexpr (kTail)
        _mm_mask_storeu_epi8(out + p * w.c, m, bytes);
      else
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + p * w.c), bytes);
    }
  }

  // A quad's columns: the 64 channels at byte `ch` of every padded input column, interleaved by
  // byte and word unpacks, so group G of a column (cols[4 ix + G]) holds channels 16 L + 4 G + i
  // (lane L, i < 4): the quad's slots 16 G .. 16 G + 15.
  template <int KH>
  void QuadColumns(const uint8_t* const* rows, int64_t ch) const {
    const __m512i zero = _mm512_setzero_si512();
    EachColumn(4, [&](int64_t ix, int64_t at) {
      at += ch;
      const __m512i r0 = _mm512_loadu_si512(rows[0] + at);
      const __m512i r1 = KH > 1 ? _mm512_loadu_si512(rows[1] + at) : zero;
      const __m512i r2 = KH > 2 ? _mm512_loadu_si512(rows[2] + at) : zero;
      const __m512i r3 = KH > 3 ? _mm512_loadu_si512(rows[3] + at) : zero;
      const __m512i lo01 = _mm512_unpacklo_epi8(r0, r1), hi01 = _mm512_unpackhi_epi8(r0, r1);
      const __m512i lo23 = _mm512_unpacklo_epi8(r2, r3), hi23 = _mm512_unpackhi_epi8(r2, r3);
      __m512i* out = cols + ix * 4;
      out[0] = _mm512_unpacklo_epi16(lo01, lo23);
      out[1] = _mm512_unpackhi_epi16(lo01, lo23);
      out[2] = _mm512_unpacklo_epi16(hi01, hi23);
      out[3] = _mm512_unpackhi_epi16(hi01, hi23);
    });
  }

  // P output pixels from column ox, quad q (its columns built). The four groups' sums pack back
  // to channel order: per lane, the packs put group 0's four channels, then group 1's, ...
  template <int P>
  void QuadPixels(int64_t ox, int64_t q, uint8_t* out) const {
    __m512i acc[P][4];
    const int64_t b0 = q * 4;
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) {
      const __m512i bias = _mm512_loadu_si512(w.bias.data() + (b0 + j) * 16);
#pragma GCC unroll 8
      for (int p = 0; p < P; ++p) acc[p][j] = bias;
    }
    const __m512i* in = cols + ox * g.stride_w * 4;
    for (int64_t kx = 0; kx < w.kw; ++kx, in += 4) {
      const int8_t* wcol = w.cols.data() + (kx * w.blocks + b0) * 64;
#pragma GCC unroll 4
      for (int j = 0; j < 4; ++j) {
        const __m512i wv = _mm512_loadu_si512(wcol + j * 64);
#pragma GCC unroll 8
        for (int p = 0; p < P; ++p) acc[p][j] = Dpbusd(acc[p][j], in[p * g.stride_w * 4 + j], wv);
      }
    }
    __m512 scale[4];
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) scale[j] = _mm512_loadu_ps(w.scales.data() + (b0 + j) * 16);
    out += ox * w.c + q * 64;
#pragma GCC unroll 8
    for (int p = 0; p < P; ++p) {
      const __m512i ab = _mm512_packs_epi32(Requantize(acc[p][0], scale[0], rq),
                                            Requantize(acc[p][1], scale[1], rq));
      const __m512i cd = _mm512_packs_epi32(Requantize(acc[p][2], scale[2], rq),
                                            Requantize(acc[p][3], scale[3], rq));
      _mm512_storeu_si512(out + p * w.c,
                          y_signed ? _mm512_packs_epi16(ab, cd) : _mm512_packus_epi16(ab, cd));
    }
  }

  // Quad q of an output row (`rows`: its tap rows; `out`: its first pixel).
  template <int KH>
  void Quad(const uint8_t* const* rows, uint8_t* out, int64_t q) const {
    QuadColumns<KH>(rows, q * 64);
    int64_t ox = 0;
    for (; ox + 4 <= g.ow; ox += 4) QuadPixels<4>(ox, q, out);
    for (; ox < g.ow; ++ox) QuadPixels<1>(ox, q, out);
  }

  // Channel block b of an output row.
  template <int KH, bool kTail>
  void Block(const uint8_t* const* rows, uint8_t* out, int64_t b, __mmask16 m) const {
    Columns<KH, kTail>(rows, b * 16, m);
    out += b * 16;
    constexpr int P = 8;
    int64_t ox = 0;
    for (; ox + P <= g.ow; ox += P) Pixels<P, kTail>(ox, b, out, m);
    for (; ox + 4 <= g.ow; ox += 4) Pixels<4, kTail>(ox, b, out, m);
    for (; ox < g.ow; ++ox) Pixels<1, kTail>(ox, b, out, m);
  }

  template <int KH>
  void Row(int64_t img, int64_t oy) const {
    const uint8_t* rows[kInt8DwMaxKernelHeight];
    TapRows(img, oy, rows);
    uint8_t* out = y + (img * g.oh + oy) * g.ow * w.c;
    for (int64_t q = 0; q < w.quads; ++q) Quad<KH>(rows, out, q);
    const int64_t full = w.c / 16;
    for (int64_t b = w.quads * 4; b < full; ++b) Block<KH, false>(rows, out, b, 0xFFFF);
    if (full < w.blocks)
      Block<KH, true>(rows, out, full, static_cast<__mmask16>((1u << (w.c - full * 16)) - 1));
  }

  // Output rows [r0, r1) (row r: image r / oh, output row r % oh).
  void Rows(int64_t r0, int64_t r1) const {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t img = r / g.oh, oy = r % g.oh;
      switch (w.kh) {
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
                   const Int8Requant& rq, uint8_t* y, int64_t r0, int64_t r1) {
  alignas(64) uint8_t idx[64];
  for (int i = 0; i < 64; ++i) idx[i] = static_cast<uint8_t>(16 * (i % 4) + i / 4);
  uint64_t taps = 0;
  for (int i = 0; i < 64; ++i) taps |= static_cast<uint64_t>(i % 4 < w.kh) << i;
  const int64_t wp = (g.ow - 1) * g.stride_w + w.kw;
  thread_local std::vector<Column> cols;  // one output row's input columns
  cols.resize(static_cast<size_t>(wp * (w.quads ? 4 : 1)));
  const Dw dw{w,
              g,
              x,
              y,
              rq,
              rq.lo < 0,
              _mm512_load_si512(idx),
              taps,
              _mm512_maskz_set1_epi8(taps, static_cast<char>(g.x_zp)),
              wp,
              reinterpret_cast<__m512i*>(cols.data())};
  dw.Rows(r0, r1);
}

#pragma GCC diagnostic pop
#pragma GCC pop_options

}  // namespace shrink::runtime::fast
