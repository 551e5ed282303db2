// The AVX-512 VNNI multiply-add step of the native int8 kernels (int8_gemv.h, int8_gemm.h,
// int8_depthwise.h). Internal to the fast runtime; AVX-512 VNNI callers only.
#pragma once

#include <immintrin.h>

namespace shrink::runtime::fast {

// acc + the dot products of each 4-byte group of u8 `a` with s8 `b` (vpdpbusd).
// Inline assembly rather than _mm512_dpbusd_epi32: in loops, GCC 12 copied each accumulator to
// another register and back around every use of the intrinsic, and with 24 accumulators stored
// them to the stack too. The native int8 GEMM ran at half its rate (196 x 288 @ 288 x 64: 34.4 ->
// 16.6 us on the 2-vCPU EPYC). By value, not through a reference: an accumulator array whose
// elements were bound to the asm's in-out operand stayed in memory (the int8 GEMV's one-row
// loop stored and reloaded its four accumulators every step).
[[gnu::target("avx512f"), gnu::always_inline]] inline __m512i Dpbusd(__m512i acc, __m512i a,
                                                                     __m512i b) {
  asm("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(a), "vm"(b));
  return acc;
}

}  // namespace shrink::runtime::fast
