// The elementwise loops of the native Quantize / Dequantize / QLinearAdd kernels, each compiled
// three times (GCC / Clang target_clones): for AVX-512 (x86-64-v4), AVX2 (x86-64-v3) and the
// baseline ISA, one picked when the program loads. The baseline build alone runs them 4 floats wide
// (SSE2): a 5k-element int8 residual Add took ~4 us. Same float32 formulas, in the same order, as
// the reference kernels (bit-identical results; built with -ffp-contract=off, so no clone fuses
// a * b + c): the quotient is clamped to the integer range shifted by the zero point and rounded
// half to even with the magic-number trick (|v| < 2^22). QLinearAdd has its own AVX-512 and AVX2
// loops besides (16 elements per step: the clones' widenings and packs took ~1.4 instructions per
// element), the same float32 operations with rounding by conversion. Internal to the fast runtime.
#pragma once

#include <cstdint>

namespace shrink::runtime::fast {

// y[i] = saturate(round_half_even(x[i] / s) + z), i < n.
void QuantizeLoop(const float* x, uint8_t* y, int64_t n, float s, float z);
void QuantizeLoop(const float* x, int8_t* y, int64_t n, float s, float z);
// y[i] = (x[i] - z) * s.
void DequantizeLoop(const uint8_t* x, float* y, int64_t n, float s, float z);
void DequantizeLoop(const int8_t* x, float* y, int64_t n, float s, float z);
// c[i] = saturate(round_half_even((as * (a[i] - az) + bs * (b[i] - bz)) / cs) + cz).
struct QAddParams {
  float as, az, bs, bz, cs, cz;
};
void QLinearAddLoop(const uint8_t* a, const uint8_t* b, uint8_t* c, int64_t n, const QAddParams& p);
void QLinearAddLoop(const int8_t* a, const int8_t* b, int8_t* c, int64_t n, const QAddParams& p);

}  // namespace shrink::runtime::fast
