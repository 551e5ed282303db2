// Int8 depthwise convolution (group = channels, one filter per channel) on channels-last u8
// activations with requantized 8-bit output: the depthwise half of the native int8 convolution
// (qlinear_conv_native.cc). Internal to the fast runtime.
//
// Padding is exact: window taps outside the input read the input zero point. For one output row and
// 16 channels at a time, each padded input column's taps down the window (kh <= 4) are gathered
// once into 4 bytes per channel (a byte permutation of up to 4 loads); then one AVX-512 VNNI
// vpdpbusd per window column multiplies a column with that column's weights (4 s8 per channel, zero
// beyond kh) into 16 int32 sums. A column serves every window it lies in (kw / stride of them), so
// the gathers are not repeated per output pixel. Eight output pixels run at once. Requantization:
// int8_requant.h, saturated to u8 / s8. Available only where Int8DepthwiseAvailable().
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/fast/int8_gemm.h"

namespace shrink::runtime::fast {

inline constexpr int64_t kInt8DwMaxKernelHeight = 4;

// Per channel slot: 16 slots a block. The first 64 * quads channels run as quads of 64 (a column
// of 64 channels interleaved by unpacks instead of 4 permutations), whose slots are permuted
// (slot 64 q + 16 G + 4 L + i holds channel 64 q + 16 L + 4 G + i); later slots are channels.
struct Int8DwWeights {
  int64_t c = 0, kh = 0, kw = 0, blocks = 0, quads = 0;
  std::vector<int8_t> cols;   // [kw][blocks][16 slots][4 taps down the window]
  std::vector<int32_t> bias;  // [blocks * 16] per slot
  std::vector<float> scales;  // [blocks * 16] per slot
};

// Int8GemvAvailable() and AVX-512 VBMI (the byte permutation).
bool Int8DepthwiseAvailable();

// `w`: [c][kh][kw] s8 (kh <= kInt8DwMaxKernelHeight); `rq`: per-channel bias / scales (c each).
Int8DwWeights PackInt8Depthwise(const int8_t* w, int64_t c, int64_t kh, int64_t kw,
                                const Int8Requant& rq);

// x: the input [n, h, w, c] u8, read as if padded by pt rows above and pl columns left (and as
// many below / right as the windows reach) holding the zero point `x_zp`; `zp_row`: w * c bytes of
// x_zp. y: [n, oh, ow, c] (u8, or s8 when rq.lo < 0).
struct DwGeometry {
  int64_t n = 1, h = 1, w = 1, pt = 0, pl = 0, oh = 1, ow = 1, stride_h = 1, stride_w = 1;
  uint8_t x_zp = 0;
  const uint8_t* zp_row = nullptr;
};
// Output rows [r0, r1) of the n * oh (row r: image r / oh, output row r % oh), on this thread.
void Int8Depthwise(const Int8DwWeights& w, const DwGeometry& g, const uint8_t* x,
                   const Int8Requant& rq, uint8_t* y, int64_t r0, int64_t r1);

}  // namespace shrink::runtime::fast
