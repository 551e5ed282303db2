// Int8Gemm's AVX2 path (int8_gemm.h): the same packing, blocking and requantization order as the
// AVX-512 VNNI path, each tile's 16 columns in two 8-lane halves and each 4-byte group through
// vpmaddubsw (u8 x s8 pair sums in int16: exact for weights within kPairSafeWeight, int8_exact.h,
// which callers without VNNI ensure) and vpmaddwd. Everything below the target pragma uses AVX2
// and FMA instructions; Int8Gemm calls it only without VNNI.
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "runtime/fast/int8_gemm.h"

namespace shrink::runtime::fast {

#pragma GCC push_options
#pragma GCC target("avx2,fma")

namespace {

// One tile's requantization constants (two halves), loaded once per block of rows.
struct TileOut {
  __m256i bias[2];
  __m256 scale[2];
  int64_t cols;  // of the tile's 16 that exist
};

template <bool kHardSwish, bool kSigned>
struct Gemm {
  const Int8GemvWeights& w;
  const uint8_t* a;
  int64_t lda;
  Int8Segments seg;
  const Int8Requant& rq;
  uint8_t* y;
  int64_t ldy;
  bool float_out;
  __m256 zp;      // the output zero point
  __m256i order;  // dwords 0, 4, 1, 5

  TileOut Tile(int64_t t) const {
    const int64_t n0 = t * 16, cols = std::min<int64_t>(16, w.n - n0);
    alignas(32) int32_t bias[16] = {};
    alignas(32) float scales[16] = {};
    std::memcpy(bias, rq.bias.data() + n0, static_cast<size_t>(cols) * sizeof(int32_t));
    std::memcpy(scales, rq.scales.data() + n0, static_cast<size_t>(cols) * sizeof(float));
    TileOut o{};
    for (int h = 0; h < 2; ++h) {
      o.bias[h] = _mm256_load_si256(reinterpret_cast<const __m256i*>(bias + 8 * h));
      o.scale[h] = _mm256_load_ps(scales + 8 * h);
    }
    o.cols = cols;
    return o;
  }

  // Rows [r0, r0 + MR) against tiles [t0, t0 + NT), accumulators (from the bias) in registers.
  template <int MR, int NT, bool kSegmented>
  [[gnu::noinline]] void Block(int64_t r0, int64_t t0, const TileOut* outs) const {
    const int64_t q4 = w.kp / 4;
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i acc[MR][NT][2];
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 2
      for (int j = 0; j < NT; ++j) acc[r][j][0] = outs[j].bias[0], acc[r][j][1] = outs[j].bias[1];
    const int8_t* base = w.packed.data() + t0 * q4 * 64;
    const int64_t per_seg = seg.len / 4;
    const int64_t count = kSegmented ? seg.count : 1;
    for (int64_t sg = 0; sg < count; ++sg) {
      const uint8_t* rows = a + r0 * lda + sg * seg.stride;
      const int8_t* wseg = base + sg * per_seg * 64;
      for (int64_t q = 0; q < per_seg; ++q) {
        __m256i wv[NT][2];
#pragma GCC unroll 2
        for (int j = 0; j < NT; ++j) {
          const int8_t* p = wseg + (j * q4 + q) * 64;
          wv[j][0] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
          wv[j][1] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
        }
#pragma GCC unroll 8
        for (int r = 0; r < MR; ++r) {
          int32_t four;
          std::memcpy(&four, rows + r * lda + q * 4, 4);
          const __m256i av = _mm256_set1_epi32(four);
#pragma GCC unroll 2
          for (int j = 0; j < NT; ++j)
#pragma GCC unroll 2
            for (int h = 0; h < 2; ++h)
              acc[r][j][h] = _mm256_add_epi32(
                  acc[r][j][h], _mm256_madd_epi16(_mm256_maddubs_epi16(av, wv[j][h]), ones));
        }
      }
    }
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 2
      for (int j = 0; j < NT; ++j)
        Store(acc[r][j], outs[j], y + ((r0 + r) * ldy + (t0 + j) * 16) * (float_out ? 4 : 1));
  }

  // One tile of one row: requantized (the scalars in registers: the byte stores may alias rq),
  // saturated through the packs and stored (16 bytes, or its columns).
  [[gnu::always_inline]] inline void Store(const __m256i* acc, const TileOut& o,
                                           uint8_t* out) const {
    if (float_out) {
      alignas(32) float v[16];
      for (int h = 0; h < 2; ++h)
        _mm256_store_ps(v + 8 * h, _mm256_mul_ps(_mm256_cvtepi32_ps(acc[h]), o.scale[h]));
      std::memcpy(out, v, static_cast<size_t>(o.cols) * sizeof(float));
      return;
    }
    __m256i q[2];
    for (int h = 0; h < 2; ++h)
      q[h] = kHardSwish
                 ? Requantize(acc[h], o.scale[h], rq)
                 : _mm256_cvtps_epi32(_mm256_fmadd_ps(_mm256_cvtepi32_ps(acc[h]), o.scale[h], zp));
    // Per lane L the packs leave dwords (q0[4L..], q1[4L..]) twice: dwords 0, 4, 1, 5 in order.
    const __m256i p = _mm256_packs_epi32(q[0], q[1]);
    const __m256i b = kSigned ? _mm256_packs_epi16(p, p) : _mm256_packus_epi16(p, p);
    const __m128i v = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(b, order));
    if (o.cols == 16) return _mm_storeu_si128(reinterpret_cast<__m128i*>(out), v);
    alignas(16) uint8_t bytes[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(bytes), v);
    std::memcpy(out, bytes, static_cast<size_t>(o.cols));
  }

  // Rows [r0, r1) against tiles [t0, t0 + NT) in blocks of at most MR rows, of sizes within one
  // of each other.
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

  template <int NT, bool kSegmented, int... M>
  static constexpr auto BlockOf(std::integer_sequence<int, M...>) {
    return std::array{&Gemm::Block<M + 1, NT, kSegmented>...};
  }

  // 16 ymm registers: 4 rows x 1 tile (8 accumulators), its 2 weight vectors, the broadcast
  // activations, the ones and a product.
  template <bool kSegmented>
  void Range(int64_t r0, int64_t r1) const {
    for (int64_t t = 0; t < w.tiles; ++t) Rows<4, 1, kSegmented>(r0, r1, t);
  }
};

}  // namespace

void Int8GemmAvx2(const Int8GemvWeights& w, const uint8_t* a, int64_t lda, int64_t rows,
                  const Int8Requant& rq, uint8_t* y, int64_t ldy, Int8Segments seg) {
  const auto run = [&](auto gemm) {
    if (seg.count <= 1) {
      gemm.seg = {1, w.kp, 0};
      return gemm.template Range<false>(0, rows);
    }
    gemm.template Range<true>(0, rows);
  };
  const __m256 zp = _mm256_set1_ps(rq.y_zp);
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 0, 0, 0, 0);
  const bool s8 = rq.lo < 0, f = rq.float_out;
  if (rq.hardswish) {
    if (s8) return run(Gemm<true, true>{w, a, lda, seg, rq, y, ldy, f, zp, order});
    return run(Gemm<true, false>{w, a, lda, seg, rq, y, ldy, f, zp, order});
  }
  if (s8) return run(Gemm<false, true>{w, a, lda, seg, rq, y, ldy, f, zp, order});
  run(Gemm<false, false>{w, a, lda, seg, rq, y, ldy, f, zp, order});
}

#pragma GCC pop_options

}  // namespace shrink::runtime::fast
