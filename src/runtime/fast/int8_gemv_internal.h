// Shared by Int8Gemv's two ISA paths (int8_gemv.cc: AVX-512 VNNI, int8_gemv_avx2.cc: AVX2), not
// by its callers: the epilogue's fields, the AVX2 entry and the row and tile-group loops.
#pragma once

#include <cstdint>
#include <functional>
#include <type_traits>

#include "runtime/fast/int8_gemv.h"

namespace shrink::runtime::fast {

// What the epilogues add to the sums and where they store them.
struct Int8GemvOut {
  const Int8GemvWeights& w;
  int32_t flip;  // 128 for s8 activations (a + 128 was multiplied), else 0
  const int32_t* bias;
  const float* scales;
  bool per_column;
  float y_zp;
  DataType y_dtype;
};

// Int8Gemv's AVX2 path on the rows of `a` as u8 with a row stride of w.kp (zeros beyond K, s8
// already flipped).
void Int8GemvAvx2Rows(const Int8GemvOut& out, const uint8_t* a, int64_t rows, void* y);

// block(r, std::integral_constant<int, MR>{}) over rows [0, rows) in blocks of MR = 4, 2 and 1.
template <typename Block>
void ForRowBlocks(int64_t rows, const Block& block) {
  for (int64_t r = 0; r < rows;) {
    if (rows - r >= 4) {
      block(r, std::integral_constant<int, 4>{});
      r += 4;
    } else if (rows - r >= 2) {
      block(r, std::integral_constant<int, 2>{});
      r += 2;
    } else {
      block(r, std::integral_constant<int, 1>{});
      r += 1;
    }
  }
}

// tiles(t0, count) for w's tiles in groups of `group` (the last one may be shorter), the groups
// split across `threads` on the spin pool when the weights are large enough to outweigh a
// hand-off (kInt8GemvSplitMinBytes).
inline constexpr int64_t kInt8GemvSplitMinBytes = 64 * 1024;
void ForTileGroups(const Int8GemvWeights& w, int64_t group, int threads,
                   const std::function<void(int64_t, int64_t)>& tiles);

}  // namespace shrink::runtime::fast
