// Int8 depthwise convolution (group = channels, one filter per channel) on channels-last u8
// activations with requantized 8-bit output: the depthwise half of the native int8 convolution
// (qlinear_conv_native.cc). Internal to the fast runtime.
//
// The input is read already padded (borders hold the input zero point, so every window is whole
// and padding is exact). For 16 channels at a time, one window row's taps (kw <= 4) are gathered
// into 4 bytes per channel (a byte permutation of up to 4 loads) and one AVX-512 VNNI vpdpbusd
// multiplies them with the row's weights (4 s8 per channel, zero beyond kw) into 16 int32 sums:
// one instruction per window row instead of one per tap. Four output pixels run at once, all on
// the calling thread (its callers' convolutions are small).
// Requantization: int8_requant.h, saturated to u8 / s8. Available only where
// Int8DepthwiseAvailable().
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/fast/int8_gemm.h"

namespace shrink::runtime::fast {

inline constexpr int64_t kInt8DwMaxKernelWidth = 4;

struct Int8DwWeights {
  int64_t c = 0, kh = 0, kw = 0, blocks = 0;  // blocks of 16 channels
  std::vector<int8_t> rows;                   // [kh][blocks][16][4]
  std::vector<int32_t> bias;                  // [blocks * 16]
  std::vector<float> scales;                  // [blocks * 16]
};

// Int8GemvAvailable() and AVX-512 VBMI (the byte permutation).
bool Int8DepthwiseAvailable();

// `w`: [c][kh][kw] s8 (kw <= kInt8DwMaxKernelWidth); `rq`: per-channel bias / scales (c each).
Int8DwWeights PackInt8Depthwise(const int8_t* w, int64_t c, int64_t kh, int64_t kw,
                                const Int8Requant& rq);

// x: the padded input [n, hp, wp, c] u8; y: [n, oh, ow, c] (u8, or s8 when rq.lo < 0).
struct DwGeometry {
  int64_t n = 1, hp = 1, wp = 1, oh = 1, ow = 1, stride_h = 1, stride_w = 1;
};
void Int8Depthwise(const Int8DwWeights& w, const DwGeometry& g, const uint8_t* x,
                   const Int8Requant& rq, uint8_t* y);

}  // namespace shrink::runtime::fast
