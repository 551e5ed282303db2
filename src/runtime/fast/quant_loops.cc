#include "runtime/fast/quant_loops.h"

#include <immintrin.h>

#include <type_traits>

namespace shrink::runtime::fast {
namespace {

template <typename Q>
constexpr float kLo = std::is_same_v<Q, uint8_t> ? 0.0f : -128.0f;
template <typename Q>
constexpr float kHi = std::is_same_v<Q, uint8_t> ? 255.0f : 127.0f;

// Ternaries (not std::min/max) so that GCC vectorises at -O2.
template <typename Q>
[[gnu::always_inline]] inline Q Saturate(float v, float z) {
  v = v < kLo<Q> - z ? kLo<Q> - z : v;
  v = v > kHi<Q> - z ? kHi<Q> - z : v;
  v = (v + 12582912.0f) - 12582912.0f;  // round half to even
  return static_cast<Q>(static_cast<int32_t>(v + z));
}

template <typename Q>
[[gnu::always_inline]] inline void Quantize(const float* x, Q* y, int64_t n, float s, float z) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) y[i] = Saturate<Q>(x[i] / s, z);
}

template <typename Q>
[[gnu::always_inline]] inline void Dequantize(const Q* x, float* y, int64_t n, float s, float z) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) y[i] = (static_cast<float>(x[i]) - z) * s;
}

template <typename Q>
[[gnu::always_inline]] inline void QAdd(const Q* a, const Q* b, Q* c, int64_t n,
                                        const QAddParams& p) {
  // The scale ratios once, then no division per element (a vector division costs ~10x a
  // multiply): the reference kernel computes the same float32 expression.
  const float ka = p.as / p.cs, kb = p.bs / p.cs, az = p.az, bz = p.bz, cz = p.cz;
#pragma omp simd
  for (int64_t i = 0; i < n; ++i)
    c[i] = Saturate<Q>(ka * (static_cast<float>(a[i]) - az) + kb * (static_cast<float>(b[i]) - bz),
                       cz);
}

}  // namespace

#define SHRINK_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))

SHRINK_CLONES void QuantizeLoop(const float* x, uint8_t* y, int64_t n, float s, float z) {
  Quantize(x, y, n, s, z);
}
SHRINK_CLONES void QuantizeLoop(const float* x, int8_t* y, int64_t n, float s, float z) {
  Quantize(x, y, n, s, z);
}
SHRINK_CLONES void DequantizeLoop(const uint8_t* x, float* y, int64_t n, float s, float z) {
  Dequantize(x, y, n, s, z);
}
SHRINK_CLONES void DequantizeLoop(const int8_t* x, float* y, int64_t n, float s, float z) {
  Dequantize(x, y, n, s, z);
}
namespace {

SHRINK_CLONES void QAddGeneric(const uint8_t* a, const uint8_t* b, uint8_t* c, int64_t n,
                               const QAddParams& p) {
  QAdd(a, b, c, n, p);
}
SHRINK_CLONES void QAddGeneric(const int8_t* a, const int8_t* b, int8_t* c, int64_t n,
                               const QAddParams& p) {
  QAdd(a, b, c, n, p);
}

// GCC 12 reports its own _mm512_undefined_* placeholders inside the conversion intrinsics.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

// QAdd 16 elements at a time in AVX-512 (what the compiler's clone does with a long chain of
// widenings and packs): the same float32 operations in the same order, the clamp in float, then
// rounding half to even by the conversion (default MXCSR) and the zero point added as an integer
// (equal to the float path: both operands are integral). Returns how many elements it did.
template <typename Q>
[[gnu::target("avx512f,avx512bw"), gnu::always_inline]] inline __m512 Load16(const Q* x) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x));
  return _mm512_cvtepi32_ps(std::is_same_v<Q, uint8_t> ? _mm512_cvtepu8_epi32(v)
                                                       : _mm512_cvtepi8_epi32(v));
}

template <typename Q>
[[gnu::target("avx512f,avx512bw")]] int64_t QAddAvx512(const Q* a, const Q* b, Q* c, int64_t n,
                                                       const QAddParams& p) {
  const __m512 ka = _mm512_set1_ps(p.as / p.cs), kb = _mm512_set1_ps(p.bs / p.cs);
  const __m512 az = _mm512_set1_ps(p.az), bz = _mm512_set1_ps(p.bz);
  const __m512 lo = _mm512_set1_ps(kLo<Q> - p.cz), hi = _mm512_set1_ps(kHi<Q> - p.cz);
  const __m512i cz = _mm512_set1_epi32(static_cast<int32_t>(p.cz));
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 v = _mm512_add_ps(_mm512_mul_ps(ka, _mm512_sub_ps(Load16(a + i), az)),
                                   _mm512_mul_ps(kb, _mm512_sub_ps(Load16(b + i), bz)));
    const __m512i q =
        _mm512_add_epi32(_mm512_cvtps_epi32(_mm512_min_ps(_mm512_max_ps(v, lo), hi)), cz);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(c + i), _mm512_cvtepi32_epi8(q));
  }
  return i;
}

#pragma GCC diagnostic pop

// The same in AVX2, 8 elements a vector, two vectors a step (CPUs without AVX-512).
template <typename Q>
[[gnu::target("avx2"), gnu::always_inline]] inline __m256 Load8(const Q* x) {
  const __m128i v = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(x));
  return _mm256_cvtepi32_ps(std::is_same_v<Q, uint8_t> ? _mm256_cvtepu8_epi32(v)
                                                       : _mm256_cvtepi8_epi32(v));
}

struct QAddAvx2Consts {
  __m256 ka, kb, az, bz, lo, hi;
  __m256i cz;
};

// 8 results as int32, each within Q's range.
template <typename Q>
[[gnu::target("avx2"), gnu::always_inline]] inline __m256i QAdd8(const Q* a, const Q* b,
                                                                 const QAddAvx2Consts& k) {
  const __m256 v = _mm256_add_ps(_mm256_mul_ps(k.ka, _mm256_sub_ps(Load8(a), k.az)),
                                 _mm256_mul_ps(k.kb, _mm256_sub_ps(Load8(b), k.bz)));
  return _mm256_add_epi32(_mm256_cvtps_epi32(_mm256_min_ps(_mm256_max_ps(v, k.lo), k.hi)), k.cz);
}

template <typename Q>
[[gnu::target("avx2")]] int64_t QAddAvx2(const Q* a, const Q* b, Q* c, int64_t n,
                                         const QAddParams& p) {
  const QAddAvx2Consts k{_mm256_set1_ps(p.as / p.cs),
                         _mm256_set1_ps(p.bs / p.cs),
                         _mm256_set1_ps(p.az),
                         _mm256_set1_ps(p.bz),
                         _mm256_set1_ps(kLo<Q> - p.cz),
                         _mm256_set1_ps(kHi<Q> - p.cz),
                         _mm256_set1_epi32(static_cast<int32_t>(p.cz))};
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256i q0 = QAdd8(a + i, b + i, k), q1 = QAdd8(a + i + 8, b + i + 8, k);
    // int32 -> int16 -> 8-bit; in range, so the packs' saturation changes nothing. The 256-bit
    // packs work per 128-bit lane: [q0 lo, q1 lo, q0 hi, q1 hi] in 16 bits, reordered after.
    const __m256i w = _mm256_permute4x64_epi64(_mm256_packs_epi32(q0, q1), 0xD8);
    const __m128i lo16 = _mm256_castsi256_si128(w), hi16 = _mm256_extracti128_si256(w, 1);
    const __m128i bytes =
        std::is_same_v<Q, uint8_t> ? _mm_packus_epi16(lo16, hi16) : _mm_packs_epi16(lo16, hi16);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(c + i), bytes);
  }
  return i;
}

template <typename Q>
void QAddDispatch(const Q* a, const Q* b, Q* c, int64_t n, const QAddParams& p) {
  static const bool avx512 = __builtin_cpu_supports("avx512bw");
  static const bool avx2 = __builtin_cpu_supports("avx2");
  const int64_t done = avx512 ? QAddAvx512(a, b, c, n, p) : avx2 ? QAddAvx2(a, b, c, n, p) : 0;
  if (done < n) QAddGeneric(a + done, b + done, c + done, n - done, p);
}

}  // namespace

void QLinearAddLoop(const uint8_t* a, const uint8_t* b, uint8_t* c, int64_t n,
                    const QAddParams& p) {
  QAddDispatch(a, b, c, n, p);
}
void QLinearAddLoop(const int8_t* a, const int8_t* b, int8_t* c, int64_t n, const QAddParams& p) {
  QAddDispatch(a, b, c, n, p);
}

}  // namespace shrink::runtime::fast
