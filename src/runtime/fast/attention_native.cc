// Fast fp32 com.shrink Attention(Q, Kt, V[, M]) {scale} (fuse_attention's op):
//   Y = Softmax(Q · Kt * scale [+ M], last axis) · V
// Q [B..., S, D], Kt [B..., D, Sk], V [B..., Sk, Dv] with equal batch dims B... (no broadcasting
// among them), M broadcastable to the score shape [B..., S, Sk]; Y [B..., S, Dv]. Other shapes
// throw from Reshape, and the plan runs the step on the reference kernel.
// Work items are (batch, tile of kTileRows query rows), spread over the OpenMP threads; each one
// computes its scores tile with oneDNN sgemm (sequential inside the parallel region), adds the
// mask, takes the row softmax in place (AVX-512 exp when the CPU has it) and multiplies by V
// straight into Y, so that at most one kTileRows x Sk tile of the score matrix per thread exists.
// Tolerance against the reference: accumulation order and a polynomial exp (rel. error < 2e-7);
// softmax terms below exp(-60) relative to the row max are 0 (see kExpCutoff).
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "runtime/fast/onednn_util.h"

namespace shrink::runtime::fast {
namespace {

constexpr int64_t kTileRows = 64;
// Softmax terms exp(x - max) below exp(-60) ~ 9e-27 (relative to a row sum >= 1: far below fp32
// resolution) are 0. Tiny probabilities would otherwise make the P · V products denormal, which
// slows the sgemm down by orders of magnitude (masked keys: x - max ~ -1e4).
constexpr float kExpCutoff = -60.0f;

inline float ExpOrZero(float x) { return x < kExpCutoff ? 0.0f : std::exp(x); }

#pragma GCC push_options
#pragma GCC target("avx512f")
// GCC 12 reports its own _mm512_undefined_* placeholders inside the reduction intrinsics.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
// exp(x) for x <= 0 (scores minus their row max): 2^n * p(r), n = round(x / ln2), |r| <= ln2 / 2;
// 0 below kExpCutoff.
__m512 Exp512(__m512 x) {
  const __mmask16 keep = _mm512_cmp_ps_mask(x, _mm512_set1_ps(kExpCutoff), _CMP_GE_OQ);
  x = _mm512_max_ps(x, _mm512_set1_ps(kExpCutoff));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145752f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.42860677e-6f), r);
  __m512 p = _mm512_set1_ps(1.0f / 5040);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 720));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  return _mm512_maskz_mov_ps(keep, _mm512_scalef_ps(p, n));
}

// In-place softmax of one row of n values.
void SoftmaxRow512(float* x, int64_t n) {
  __m512 mx = _mm512_set1_ps(-INFINITY);
  int64_t j = 0;
  for (; j + 16 <= n; j += 16) mx = _mm512_max_ps(mx, _mm512_loadu_ps(x + j));
  float m = _mm512_reduce_max_ps(mx);
  for (; j < n; ++j) m = std::max(m, x[j]);
  if (m == -INFINITY) m = 0.0f;  // a fully masked row: exp(-inf) = 0, then 0 / 0 as ONNX does
  const __m512 vm = _mm512_set1_ps(m);
  __m512 vs = _mm512_setzero_ps();
  for (j = 0; j + 16 <= n; j += 16) {
    const __m512 e = Exp512(_mm512_sub_ps(_mm512_loadu_ps(x + j), vm));
    _mm512_storeu_ps(x + j, e);
    vs = _mm512_add_ps(vs, e);
  }
  float s = _mm512_reduce_add_ps(vs);
  for (; j < n; ++j) {
    x[j] = ExpOrZero(x[j] - m);
    s += x[j];
  }
  const __m512 inv = _mm512_set1_ps(1.0f / s);
  for (j = 0; j + 16 <= n; j += 16)
    _mm512_storeu_ps(x + j, _mm512_mul_ps(_mm512_loadu_ps(x + j), inv));
  for (; j < n; ++j) x[j] *= 1.0f / s;
}
#pragma GCC diagnostic pop
#pragma GCC pop_options

void SoftmaxRowScalar(float* x, int64_t n) {
  float m = -INFINITY;
  for (int64_t j = 0; j < n; ++j) m = std::max(m, x[j]);
  if (m == -INFINITY) m = 0.0f;
  float s = 0.0f;
  for (int64_t j = 0; j < n; ++j) {
    x[j] = ExpOrZero(x[j] - m);
    s += x[j];
  }
  for (int64_t j = 0; j < n; ++j) x[j] /= s;
}

class AttentionNative : public FastKernel {
 public:
  explicit AttentionNative(const CreateInfo& info)
      : scale_(info.node->GetFloat("scale", 1.0f)),
        has_mask_(info.input_dtypes.size() > 3 && info.input_dtypes[3] != DataType::kUndefined),
        avx512_(__builtin_cpu_supports("avx512f")) {
    if (has_mask_ && info.input_dtypes[3] != DataType::kFloat32)
      Throw(StatusCode::kUnimplemented, "Attention mask dtype");
    for (size_t i = 1; i < 3; ++i)
      if (info.input_dtypes[i] != DataType::kFloat32)
        Throw(StatusCode::kUnimplemented, "Attention dtype");
    Reshape(info.input_shapes);
  }

  std::vector<OutputSpec> Reshape(const std::vector<Shape>& shapes) override {
    const Shape &q = shapes[0], &kt = shapes[1], &v = shapes[2];
    const size_t r = q.size();
    if (r < 2 || kt.size() != r || v.size() != r)
      Throw(StatusCode::kUnimplemented, "Attention: Q, Kt and V of one rank >= 2");
    batch_ = 1;
    for (size_t i = 0; i + 2 < r; ++i) {
      if (kt[i] != q[i] || v[i] != q[i])
        Throw(StatusCode::kUnimplemented, "Attention: broadcast batch dims");
      batch_ *= q[i];
    }
    s_ = q[r - 2];
    d_ = q[r - 1];
    sk_ = kt[r - 1];
    dv_ = v[r - 1];
    if (kt[r - 2] != d_ || v[r - 2] != sk_)
      Throw(StatusCode::kInvalidArgument, "Attention: inner dims disagree");
    Shape scores(q.begin(), q.end() - 1);
    scores.push_back(sk_);
    mask_batch_offset_.clear();
    if (has_mask_) {
      Shape m = shapes.size() > 3 ? shapes[3] : Shape{};
      if (m.size() > r) Throw(StatusCode::kUnimplemented, "Attention: mask rank");
      m.insert(m.begin(), r - m.size(), 1);
      std::vector<int64_t> stride(r, 0);
      int64_t st = 1;
      for (size_t i = r; i-- > 0;) {
        if (m[i] != 1 && m[i] != scores[i])
          Throw(StatusCode::kInvalidArgument, "Attention: mask does not broadcast");
        stride[i] = m[i] == 1 ? 0 : st;
        st *= m[i];
      }
      mask_row_stride_ = stride[r - 2];
      mask_col_stride_ = stride[r - 1];
      for (int64_t b = 0; b < batch_; ++b) {  // batch index -> mask offset
        int64_t rem = b, off = 0;
        for (size_t i = r - 2; i-- > 0;) {
          off += (rem % scores[i]) * stride[i];
          rem /= scores[i];
        }
        mask_batch_offset_.push_back(off);
      }
    }
    scratch_.assign(static_cast<size_t>(omp_get_max_threads()) *
                        static_cast<size_t>(std::min(kTileRows, s_) * sk_),
                    0.0f);
    Shape y(q.begin(), q.end() - 1);
    y.push_back(dv_);
    return {{DataType::kFloat32, y}};
  }

  void Run(const std::vector<const void*>& in, const std::vector<void*>& out) override {
    const float* q = static_cast<const float*>(in[0]);
    const float* kt = static_cast<const float*>(in[1]);
    const float* v = static_cast<const float*>(in[2]);
    const float* mask = has_mask_ ? static_cast<const float*>(in[3]) : nullptr;
    float* y = static_cast<float*>(out[0]);
    if (s_ == 0 || batch_ == 0 || dv_ == 0) return;
    const int64_t tile = std::min(kTileRows, s_);
    const int64_t tiles = (s_ + tile - 1) / tile;
    const int64_t work = batch_ * tiles;
    const int max_threads = static_cast<int>(scratch_.size() / static_cast<size_t>(tile * sk_));
#pragma omp parallel for schedule(static) \
    num_threads(static_cast <int>(std::min <int64_t>(max_threads, work)))
    for (int64_t w = 0; w < work; ++w) {
      const int64_t b = w / tiles, i0 = (w % tiles) * tile, rows = std::min(tile, s_ - i0);
      float* sc = scratch_.data() + static_cast<size_t>(omp_get_thread_num() * tile * sk_);
      if (sk_ > 0 && d_ > 0) {
        dnnl_sgemm('N', 'N', rows, sk_, d_, scale_, q + (b * s_ + i0) * d_, d_, kt + b * d_ * sk_,
                   sk_, 0.0f, sc, sk_);
      } else {
        std::fill(sc, sc + rows * sk_, 0.0f);
      }
      for (int64_t i = 0; i < rows; ++i) {
        float* row = sc + i * sk_;
        if (mask) {
          const float* m =
              mask + mask_batch_offset_[static_cast<size_t>(b)] + (i0 + i) * mask_row_stride_;
          if (mask_col_stride_ == 1)
            for (int64_t j = 0; j < sk_; ++j) row[j] += m[j];
          else
            for (int64_t j = 0; j < sk_; ++j) row[j] += m[0];
        }
        if (avx512_)
          SoftmaxRow512(row, sk_);
        else
          SoftmaxRowScalar(row, sk_);
      }
      float* yt = y + (b * s_ + i0) * dv_;
      if (sk_ > 0)
        dnnl_sgemm('N', 'N', rows, dv_, sk_, 1.0f, sc, sk_, v + b * sk_ * dv_, dv_, 0.0f, yt, dv_);
      else
        std::fill(yt, yt + rows * dv_, 0.0f);  // an empty sum, as MatMul over K = 0
    }
  }

 private:
  float scale_;
  bool has_mask_;
  bool avx512_;
  int64_t batch_ = 0, s_ = 0, d_ = 0, sk_ = 0, dv_ = 0;
  int64_t mask_row_stride_ = 0, mask_col_stride_ = 0;
  std::vector<int64_t> mask_batch_offset_;
  std::vector<float> scratch_;  // one kTileRows x Sk scores tile per thread
};

std::unique_ptr<FastKernel> MakeAttention(const CreateInfo& info) {
  if (info.input_dtypes.size() < 3) return nullptr;
  return std::make_unique<AttentionNative>(info);
}

}  // namespace

SHRINK_FAST_KERNEL("com.shrink", "Attention", 1, kLatestOpset, DataType::kFloat32, "native",
                   MakeAttention, nullptr);

}  // namespace shrink::runtime::fast
