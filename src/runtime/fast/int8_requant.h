// Requantization of int8 products' int32 sums to 8-bit outputs, shared by the native int8 GEMM
// (int8_gemm.h) and depthwise convolution (int8_depthwise.h). Internal to the fast runtime.
//   v = float(acc) * scale[n]  (acc already holds the int32 bias)
//   with hardswish (com.shrink QLinearConvAct): v = HardSwish(v) * (1 / y_scale), the scales then
//   being x_scale * w_scale[n] (the float domain)
//   y = v + y_zp, rounded half to even (default MXCSR), saturated by the caller.
// float32 (the scale and y_zp in one fused multiply-add without the activation) where the
// reference rounds once in float64: within one quantization step of it (kRequantTol).
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <vector>

namespace shrink::runtime::fast {

struct Int8Requant {
  std::vector<int32_t> bias;  // [N] added to the accumulator
  std::vector<float> scales;  // [N]
  float y_zp = 0.0f;
  int32_t lo = 0, hi = 255;  // saturation bounds (u8: 0, 255; s8: -128, 127)
  bool hardswish = false;
  float inv_y_scale = 1.0f;  // with hardswish
  // Int8Gemm only: float32 outputs v = float(acc) * scale[n] (no zero point, no saturation).
  bool float_out = false;
};

// The rounded, unsaturated int32 outputs of 16 sums (AVX-512 callers only).
[[gnu::target("avx512f"), gnu::always_inline]] inline __m512i Requantize(__m512i acc, __m512 scale,
                                                                         const Int8Requant& rq) {
  const __m512 zp = _mm512_set1_ps(rq.y_zp);
  if (!rq.hardswish) return _mm512_cvtps_epi32(_mm512_fmadd_ps(_mm512_cvtepi32_ps(acc), scale, zp));
  const __m512 v = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), scale);
  const __m512 gate = _mm512_min_ps(
      _mm512_max_ps(_mm512_fmadd_ps(v, _mm512_set1_ps(1.0f / 6.0f), _mm512_set1_ps(0.5f)),
                    _mm512_setzero_ps()),
      _mm512_set1_ps(1.0f));
  return _mm512_cvtps_epi32(
      _mm512_fmadd_ps(_mm512_mul_ps(v, gate), _mm512_set1_ps(rq.inv_y_scale), zp));
}

}  // namespace shrink::runtime::fast
