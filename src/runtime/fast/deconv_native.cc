#include "runtime/fast/deconv_native.h"

#include <algorithm>
#include <vector>

#include "runtime/fast/onednn_util.h"

namespace shrink::runtime::fast {
namespace {

class DeconvNative : public FastKernel {
 public:
  explicit DeconvNative(const CreateInfo& info) : w_(info.constants[1]->Clone()) {
    if (info.constants.size() > 2 && info.constants[2]) bias_ = info.constants[2]->Clone();
    kh_ = w_.dim(2);
    kw_ = w_.dim(3);
    Reshape(info.input_shapes);
  }

  std::vector<OutputSpec> Reshape(const std::vector<Shape>& shapes) override {
    x_ = shapes[0];
    if (x_.size() != 4 || x_[1] != w_.dim(0))
      Throw(StatusCode::kInvalidArgument, "ConvTranspose input shape");
    return {{DataType::kFloat32, {x_[0], w_.dim(1), x_[2] * kh_, x_[3] * kw_}}};
  }

  void Run(const std::vector<const void*>& in, const std::vector<void*>& out) override {
    const float* x = static_cast<const float*>(in[0]);
    float* y = static_cast<float*>(out[0]);
    const int64_t n = x_[0], c = x_[1], h = x_[2], w = x_[3], m = w_.dim(1);
    const int64_t ow = w * kw_, taps = kh_ * kw_;
    const float* wt = w_.data<float>();
#pragma omp parallel for collapse(2) schedule(static) if (n * m * h * w * c >= 65536)
    for (int64_t b = 0; b < n; ++b)
      for (int64_t o = 0; o < m; ++o) {
        std::vector<float> acc(static_cast<size_t>(taps * w));
        const float b0 = bias_.defined() ? bias_.data<float>()[o] : 0.0f;
        for (int64_t r = 0; r < h; ++r) {
          std::fill(acc.begin(), acc.end(), b0);
          for (int64_t ch = 0; ch < c; ++ch) {
            const float* xr = x + ((b * c + ch) * h + r) * w;
            const float* wk = wt + (ch * m + o) * taps;
            for (int64_t t = 0; t < taps; ++t) {
              const float wv = wk[t];
              float* a = acc.data() + t * w;
#pragma omp simd
              for (int64_t q = 0; q < w; ++q) a[q] += wv * xr[q];
            }
          }
          for (int64_t i = 0; i < kh_; ++i) {
            float* yr = y + ((b * m + o) * h * kh_ + r * kh_ + i) * ow;
            for (int64_t q = 0; q < w; ++q)
              for (int64_t j = 0; j < kw_; ++j) yr[q * kw_ + j] = acc[(i * kw_ + j) * w + q];
          }
        }
      }
  }

 private:
  Tensor w_, bias_;
  int64_t kh_ = 1, kw_ = 1;
  Shape x_;
};

}  // namespace

std::unique_ptr<FastKernel> MakeConvTransposeNative(const CreateInfo& info) {
  const ir::Node& n = *info.node;
  if (info.constants.size() < 2 || !info.constants[1] || !info.post_ops.empty()) return nullptr;
  const Tensor& w = *info.constants[1];
  if (w.dtype() != DataType::kFloat32 || w.rank() != 4 || w.dim(1) >= 8) return nullptr;
  if (info.input_dtypes.size() > 2 && info.input_dtypes[2] != DataType::kUndefined &&
      !info.constants[2])
    return nullptr;
  auto all = [](const std::vector<int64_t>& v, int64_t x) {
    return std::all_of(v.begin(), v.end(), [x](int64_t e) { return e == x; });
  };
  const std::vector<int64_t> strides = n.GetInts("strides", {1, 1});
  if (n.GetInt("group", 1) != 1 || strides != std::vector<int64_t>{w.dim(2), w.dim(3)} ||
      !all(n.GetInts("pads"), 0) || !all(n.GetInts("dilations"), 1) ||
      !all(n.GetInts("output_padding"), 0) || n.HasAttr("output_shape") ||
      n.GetString("auto_pad", "NOTSET") != "NOTSET")
    return nullptr;
  return std::make_unique<DeconvNative>(info);
}

}  // namespace shrink::runtime::fast
