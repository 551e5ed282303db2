#include "runtime/fast/weight_only_gemm.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>

#include "runtime/fast/parallel_for.h"

namespace shrink::runtime::fast {
namespace {

constexpr int64_t kTile = kWeightTileN;

// Code of element i as an unsigned value, and the bias that makes signed dtypes unsigned.
struct CodeReader {
  const Tensor& t;
  int bias = 0;
  int operator()(int64_t i) const {
    const auto* p = static_cast<const uint8_t*>(t.raw());
    switch (t.dtype()) {
      case DataType::kInt4:  // low nibble first; sign-extended, then biased by 8
        return ((((p[i >> 1] >> ((i & 1) * 4)) & 0xF) ^ 8) - 8) + bias;
      case DataType::kUInt4:
        return (p[i >> 1] >> ((i & 1) * 4)) & 0xF;
      case DataType::kInt8:
        return static_cast<int8_t>(p[i]) + bias;
      default:
        return p[i];
    }
  }
};

int SignBias(DataType t) { return t == DataType::kInt4 ? 8 : t == DataType::kInt8 ? 128 : 0; }

template <int MR>
void TilePortable(const PackedWeights& w, int64_t t, const float* x, int64_t m0, const float* xsum,
                  const float* bias, float* y) {
  float acc[MR][kTile] = {};
  float accq[MR][kTile];
  float wv[kTile];
  const int64_t bpk = w.code_bytes_per_k();
  const uint8_t* codes = w.codes.data() + t * w.k * bpk;
  for (int64_t kb = 0; kb < w.blocks; ++kb) {
    std::memset(accq, 0, sizeof(accq));
    const int64_t k1 = std::min(w.k, (kb + 1) * w.block);
    for (int64_t k = kb * w.block; k < k1; ++k) {
      const uint8_t* p = codes + k * bpk;
      if (w.bits == 4) {
        for (int j = 0; j < kTile / 2; ++j) {
          wv[j] = static_cast<float>(p[j] & 15);
          wv[j + kTile / 2] = static_cast<float>(p[j] >> 4);
        }
      } else {
        for (int j = 0; j < kTile; ++j) wv[j] = static_cast<float>(p[j]);
      }
      for (int r = 0; r < MR; ++r) {
        const float xv = x[(m0 + r) * w.k + k];
        for (int j = 0; j < kTile; ++j) accq[r][j] += xv * wv[j];
      }
    }
    const float* s = w.scale.data() + (t * w.blocks + kb) * kTile;
    const float* z = w.zero.data() + (t * w.blocks + kb) * kTile;
    for (int r = 0; r < MR; ++r) {
      const float xs = xsum[(m0 + r) * w.blocks + kb];
      for (int j = 0; j < kTile; ++j) acc[r][j] += accq[r][j] * s[j] - s[j] * z[j] * xs;
    }
  }
  const int64_t cols = std::min(kTile, w.n - t * kTile);
  for (int r = 0; r < MR; ++r) {
    float* out = y + (m0 + r) * w.n + t * kTile;
    for (int64_t j = 0; j < cols; ++j) out[j] = acc[r][j] + (bias ? bias[t * kTile + j] : 0.0f);
  }
}

void TilePortableAny(const PackedWeights& w, int64_t t, const float* x, int64_t m0, int mr,
                     const float* xsum, const float* bias, float* y) {
  switch (mr) {
    case 4:
      return TilePortable<4>(w, t, x, m0, xsum, bias, y);
    case 3:
      return TilePortable<3>(w, t, x, m0, xsum, bias, y);
    case 2:
      return TilePortable<2>(w, t, x, m0, xsum, bias, y);
    default:
      return TilePortable<1>(w, t, x, m0, xsum, bias, y);
  }
}

std::atomic<bool> force_portable{false};

}  // namespace

PackedWeights PackWeights(const Tensor& q, const Tensor& scale, const Tensor* zero_point,
                          bool transposed, ScaleLayout layout, int64_t block, float alpha) {
  const DataType dt = q.dtype();
  if (dt != DataType::kInt4 && dt != DataType::kUInt4 && dt != DataType::kInt8 &&
      dt != DataType::kUInt8)
    Throw(StatusCode::kUnimplemented,
          std::string("weight-only codes of dtype ") + DataTypeName(dt));
  if (q.rank() != 2) Throw(StatusCode::kUnimplemented, "weight-only weights must be 2-D");
  if (scale.dtype() != DataType::kFloat32)
    Throw(StatusCode::kUnimplemented, "weight-only scales must be float32");
  if (zero_point && (zero_point->dtype() != dt || zero_point->shape() != scale.shape()))
    Throw(StatusCode::kInvalidArgument, "zero point dtype or shape differs from the weights'");
  PackedWeights w;
  w.bits = IsPacked4(dt) ? 4 : 8;
  w.k = transposed ? q.dim(1) : q.dim(0);
  w.n = transposed ? q.dim(0) : q.dim(1);
  w.block = layout == ScaleLayout::kBlocked ? block : w.k;
  if (w.block <= 0 || w.k <= 0 || w.n <= 0)
    Throw(StatusCode::kInvalidArgument, "weight-only: empty weights or block size <= 0");
  w.blocks = (w.k + w.block - 1) / w.block;
  w.tiles = (w.n + kTile - 1) / kTile;
  const Shape want_scale = layout == ScaleLayout::kPerTensor ? Shape{}
                           : layout == ScaleLayout::kPerColumn
                               ? Shape{w.n}
                               : (transposed ? Shape{w.n, w.blocks} : Shape{w.blocks, w.n});
  if (layout == ScaleLayout::kPerTensor ? scale.numel() != 1 : scale.shape() != want_scale)
    Throw(StatusCode::kInvalidArgument, "weight-only scale shape " + ShapeToString(scale.shape()) +
                                            " does not fit " + ShapeToString(q.shape()));
  const CodeReader code{q, SignBias(dt)};
  const int zp_bias = SignBias(dt);
  auto param_index = [&](int64_t kb, int64_t n) -> int64_t {
    if (layout == ScaleLayout::kPerTensor) return 0;
    if (layout == ScaleLayout::kPerColumn) return n;
    return transposed ? n * w.blocks + kb : kb * w.n + n;
  };
  const int64_t bpk = w.code_bytes_per_k();
  w.codes.assign(static_cast<size_t>(w.tiles * w.k * bpk), 0);
  w.scale.assign(static_cast<size_t>(w.tiles * w.blocks * kTile), 0.0f);
  w.zero.assign(w.scale.size(), 0.0f);
  auto put = [&](int64_t k, int64_t n) {  // code of W[k, n] into its tile
    const int c = code(transposed ? n * w.k + k : k * w.n + n);
    const int64_t t = n / kTile, j = n % kTile;
    uint8_t* p = w.codes.data() + (t * w.k + k) * bpk;
    if (w.bits == 8)
      p[j] = static_cast<uint8_t>(c);
    else if (j < kTile / 2)
      p[j] = static_cast<uint8_t>((p[j] & 0xF0) | c);
    else
      p[j - kTile / 2] = static_cast<uint8_t>((p[j - kTile / 2] & 0x0F) | (c << 4));
  };
  // Read q in its storage order (rows of q contiguous).
  for (int64_t a = 0; a < (transposed ? w.n : w.k); ++a)
    for (int64_t b = 0; b < (transposed ? w.k : w.n); ++b) transposed ? put(b, a) : put(a, b);
  for (int64_t n = 0; n < w.n; ++n)
    for (int64_t kb = 0; kb < w.blocks; ++kb) {
      const int64_t i = param_index(kb, n);
      const float s = scale.data<float>()[i] * alpha;
      const double zp =
          zero_point ? CodeReader{*zero_point, zp_bias}(i) : static_cast<double>(zp_bias);
      const size_t o = static_cast<size_t>(((n / kTile) * w.blocks + kb) * kTile + n % kTile);
      w.scale[o] = s;
      w.zero[o] = static_cast<float>(zp);
    }
  return w;
}

bool WeightOnlyGemmUsesAvx512() {
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
  return has && !force_portable.load(std::memory_order_relaxed);
}

void ForceWeightOnlyPortable(bool on) { force_portable.store(on); }

void WeightOnlyGemm(const PackedWeights& w, const float* x, int64_t rows, const float* bias,
                    float* y, float* xsum, float* panels, int panel_slots) {
  const bool avx512 = WeightOnlyGemmUsesAvx512();
  if (avx512 && panels && panel_slots > 0 && rows >= kWeightOnlyPanelMinRows) {
    const int threads = std::min(panel_slots, omp_get_max_threads());
#pragma omp parallel for schedule(static) num_threads(threads) if (rows * w.k * w.n >= (1 << 18))
    for (int64_t t = 0; t < w.tiles; ++t)
      detail::WeightOnlyTileAllRowsAvx512(w, t, x, rows, bias, y,
                                          panels + omp_get_thread_num() * WeightOnlyPanelFloats(w));
    return;
  }
  for (int64_t m = 0; m < rows; ++m)
    for (int64_t kb = 0; kb < w.blocks; ++kb) {
      const int64_t k1 = std::min(w.k, (kb + 1) * w.block);
      float s = 0.0f;
      for (int64_t k = kb * w.block; k < k1; ++k) s += x[m * w.k + k];
      xsum[m * w.blocks + kb] = s;
    }
  const int64_t group = avx512 ? detail::kAvx512Rows : 4;
  const int64_t groups = (rows + group - 1) / group, items = w.tiles * groups;
  ParallelFor(items, rows * w.k * w.n >= (int64_t{1} << 18), [&](int64_t it) {
    const int64_t t = it / groups, m0 = (it % groups) * group;
    const int mr = static_cast<int>(std::min<int64_t>(group, rows - m0));
    if (avx512)
      detail::WeightOnlyTileAvx512(w, t, x, m0, mr, xsum, bias, y);
    else
      TilePortableAny(w, t, x, m0, mr, xsum, bias, y);
  });
}

}  // namespace shrink::runtime::fast
