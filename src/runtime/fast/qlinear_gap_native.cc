// Native fast com.microsoft QLinearGlobalAveragePool (the int8 global average pool that
// passes::FuseQdqOps introduces before a classifier): uint8 or int8, constant per-tensor scales
// and zero points, channels_last = 0 nodes (the plan may still hand it channels-last data, see
// below). Images split across the session's threads (spin_pool.h) from 64 KB of input. Integer
// sums per channel, then the reference kernel's float32 expression
// (runtime/kernels/qlinear_global_average_pool.cc) bit for bit. Reads its input plain or
// channels-last (layout.h); its output [N, C, 1, ...] is the same bytes in either layout.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "runtime/fast/int8_util.h"
#include "runtime/fast/spin_pool.h"

namespace shrink::runtime::fast {
namespace {

constexpr int64_t kMaxPositions = 65536;       // 255 * positions < 2^24
constexpr int64_t kSplitMinBytes = 64 * 1024;  // images split across threads from this input size

// sums[ch] = sum over positions of x (channels-last [s][c], or plain [c][s]).
template <typename Q>
[[gnu::always_inline]] inline void Sums(const Q* x, int64_t s, int64_t c, bool channels_last,
                                        int32_t* sums) {
  if (channels_last) {
    for (int64_t ch = 0; ch < c; ++ch) sums[ch] = 0;
    for (int64_t i = 0; i < s; ++i) {
#pragma omp simd
      for (int64_t ch = 0; ch < c; ++ch) sums[ch] += x[i * c + ch];
    }
    return;
  }
  for (int64_t ch = 0; ch < c; ++ch) {
    int32_t sum = 0;
#pragma omp simd reduction(+ : sum)
    for (int64_t i = 0; i < s; ++i) sum += x[ch * s + i];
    sums[ch] = sum;
  }
}

#define SHRINK_CLONES __attribute__((target_clones("arch=x86-64-v4", "default")))
SHRINK_CLONES void SumsOf(const uint8_t* x, int64_t s, int64_t c, bool cl, int32_t* sums) {
  Sums(x, s, c, cl, sums);
}
SHRINK_CLONES void SumsOf(const int8_t* x, int64_t s, int64_t c, bool cl, int32_t* sums) {
  Sums(x, s, c, cl, sums);
}
#undef SHRINK_CLONES

template <typename Q>
class QLinearGapNative : public FastKernel {
 public:
  QLinearGapNative(const CreateInfo& info, float xs, float ys, int32_t xz, int32_t yz)
      : xs_(xs), ys_(ys), xz_(xz), yz_(yz) {
    Reshape(info.input_shapes);
  }

  std::vector<OutputSpec> Reshape(const std::vector<Shape>& shapes) override {
    const Shape& x = shapes[0];
    if (x.size() < 3) Throw(StatusCode::kUnimplemented, "QLinearGlobalAveragePool: rank < 3");
    n_ = x[0];
    c_ = x[1];
    s_ = n_ * c_ == 0 ? 0 : NumElements(x) / (n_ * c_);
    if (s_ == 0) Throw(StatusCode::kUnimplemented, "QLinearGlobalAveragePool: empty input");
    // Beyond this the float32 of a sum may round (the reference kernel sums in int64).
    if (s_ > kMaxPositions)
      Throw(StatusCode::kUnimplemented, "QLinearGlobalAveragePool: too large");
    k_ = xs_ / (ys_ * static_cast<float>(s_));
    chunks_ = n_ > 1 && n_ * c_ * s_ >= kSplitMinBytes ? std::min<int64_t>(threads_, n_) : 1;
    sums_.resize(static_cast<size_t>(chunks_ * c_));
    Shape y(x.size(), 1);
    y[0] = n_;
    y[1] = c_;
    return {{std::is_same_v<Q, uint8_t> ? DataType::kUInt8 : DataType::kInt8, y}};
  }

  bool openmp_free() const override { return true; }
  LayoutCaps layout_caps() const override { return {{0}, true, false}; }
  void SetLayouts(const std::vector<Layout>& in, Layout /*out*/) override {
    x_cl_ = !in.empty() && in[0] == Layout::kChannelsLast;
  }

  void Run(const std::vector<const void*>& in, const std::vector<void*>& out) override {
    const Q* x = static_cast<const Q*>(in[0]);
    Q* y = static_cast<Q*>(out[0]);
    constexpr float lo = std::is_same_v<Q, uint8_t> ? 0.0f : -128.0f;
    constexpr float hi = std::is_same_v<Q, uint8_t> ? 255.0f : 127.0f;
    SpinPool::Run(chunks_, threads_, [&](int64_t t) {
      int32_t* sums = sums_.data() + t * c_;
      for (int64_t img = SpinPool::ChunkStart(n_, t, chunks_);
           img < SpinPool::ChunkStart(n_, t + 1, chunks_); ++img) {
        SumsOf(x + img * c_ * s_, s_, c_, x_cl_, sums);
        for (int64_t ch = 0; ch < c_; ++ch) {
          const float v = std::nearbyint(static_cast<float>(sums[ch] - s_ * xz_) * k_) +
                          static_cast<float>(yz_);
          y[img * c_ + ch] = static_cast<Q>(v < lo ? lo : v > hi ? hi : v);
        }
      }
    });
  }

 private:
  float xs_, ys_;
  int32_t xz_, yz_;
  int64_t n_ = 0, c_ = 0, s_ = 0;
  float k_ = 0;
  bool x_cl_ = false;
  const int threads_ = omp_get_max_threads();  // the session's count for this kernel
  int64_t chunks_ = 1;
  std::vector<int32_t> sums_;  // [chunks][c]
};

std::unique_ptr<FastKernel> MakeQLinearGap(const CreateInfo& info) {
  const DataType dt = info.input_dtypes[0];
  if (info.input_dtypes.size() < 4 || info.node->GetInt("channels_last", 0) != 0) return nullptr;
  auto xs = FloatsOf(ConstInput(info, 1)), ys = FloatsOf(ConstInput(info, 3));
  auto xz = ScalarInt(ConstInput(info, 2), OmittedInput(info, 2));
  auto yz = ScalarInt(ConstInput(info, 4), OmittedInput(info, 4));
  if (!xs || !ys || !xz || !yz || xs->size() != 1 || ys->size() != 1) return nullptr;
  if (dt == DataType::kUInt8)
    return std::make_unique<QLinearGapNative<uint8_t>>(info, (*xs)[0], (*ys)[0], *xz, *yz);
  return std::make_unique<QLinearGapNative<int8_t>>(info, (*xs)[0], (*ys)[0], *xz, *yz);
}

}  // namespace

SHRINK_FAST_KERNEL("com.microsoft", "QLinearGlobalAveragePool", 1, kLatestOpset, DataType::kUInt8,
                   "native", MakeQLinearGap, nullptr);
SHRINK_FAST_KERNEL("com.microsoft", "QLinearGlobalAveragePool", 1, kLatestOpset, DataType::kInt8,
                   "native", MakeQLinearGap, nullptr);

}  // namespace shrink::runtime::fast
