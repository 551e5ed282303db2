#include "runtime/fast/quant_loops.h"

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

#define SHRINK_CLONES __attribute__((target_clones("arch=x86-64-v4", "default")))

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
SHRINK_CLONES void QLinearAddLoop(const uint8_t* a, const uint8_t* b, uint8_t* c, int64_t n,
                                  const QAddParams& p) {
  QAdd(a, b, c, n, p);
}
SHRINK_CLONES void QLinearAddLoop(const int8_t* a, const int8_t* b, int8_t* c, int64_t n,
                                  const QAddParams& p) {
  QAdd(a, b, c, n, p);
}

}  // namespace shrink::runtime::fast
