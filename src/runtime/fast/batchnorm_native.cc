// Native fast BatchNormalization (inference, float32) for the standalone case: a BatchNorm the
// plan could not fold into a preceding Conv (e.g. after an Add, as in PaddleOCR det). With
// constant scale, bias, mean and var of C values it computes y = x * a[c] + b[c], a = scale /
// sqrt(var + epsilon), b = bias - mean * a (precomputed in float64, applied in float32), on the
// plain layout or channels-last (layout.h). Any rank >= 2. Declines training_mode, extra outputs
// and non-constant parameters (the reference kernel runs those).
#include <cmath>

#include "runtime/fast/onednn_util.h"
#include "runtime/fast/parallel_for.h"

namespace shrink::runtime::fast {
namespace {

class BatchNormNative : public FastKernel {
 public:
  BatchNormNative(const CreateInfo& info, std::vector<float> a, std::vector<float> b)
      : a_(std::move(a)), b_(std::move(b)) {
    Reshape(info.input_shapes);
  }

  std::vector<OutputSpec> Reshape(const std::vector<Shape>& shapes) override {
    const Shape& x = shapes[0];
    if (x.size() < 2 || x[1] != static_cast<int64_t>(a_.size()))
      Throw(StatusCode::kInvalidArgument, "BatchNormalization channel count");
    n_ = x[0];
    inner_ = NumElements(x) / std::max<int64_t>(x[0] * x[1], 1);
    return {{DataType::kFloat32, x}};
  }

  LayoutCaps layout_caps() const override { return {{0}, true, true, true}; }
  void SetLayouts(const std::vector<Layout>& in, Layout /*out*/) override {
    channels_last_ = !in.empty() && in[0] == Layout::kChannelsLast;
  }

  void Run(const std::vector<const void*>& in, const std::vector<void*>& out) override {
    const float* x = static_cast<const float*>(in[0]);
    float* y = static_cast<float*>(out[0]);
    const int64_t c = static_cast<int64_t>(a_.size());
    const float* a = a_.data();
    const float* b = b_.data();
    if (channels_last_) {  // [N, spatial..., C]: channels innermost
      const int64_t pixels = n_ * inner_;
      ParallelFor(pixels, pixels * c >= 65536, [&](int64_t p) {
#pragma omp simd
        for (int64_t k = 0; k < c; ++k) y[p * c + k] = x[p * c + k] * a[k] + b[k];
      });
      return;
    }
    ParallelFor(n_ * c, n_ * c * inner_ >= 65536, [&](int64_t plane) {
      const int64_t k = plane % c, base = plane * inner_;
      const float ak = a[k], bk = b[k];
#pragma omp simd
      for (int64_t e = 0; e < inner_; ++e) y[base + e] = x[base + e] * ak + bk;
    });
  }

 private:
  std::vector<float> a_, b_;
  int64_t n_ = 0, inner_ = 0;
  bool channels_last_ = false;
};

std::unique_ptr<FastKernel> MakeBatchNorm(const CreateInfo& info) {
  const ir::Node& n = *info.node;
  if (n.GetInt("training_mode", 0) != 0 || n.outputs().size() > 1 || info.constants.size() != 5)
    return nullptr;
  const Tensor* p[4] = {info.constants[1], info.constants[2], info.constants[3], info.constants[4]};
  for (const Tensor* t : p)
    if (!t || t->dtype() != DataType::kFloat32 || t->rank() != 1 || t->numel() != p[0]->numel())
      return nullptr;
  const double eps = n.GetFloat("epsilon", 1e-5f);
  const int64_t c = p[0]->numel();
  std::vector<float> a(c), b(c);
  for (int64_t k = 0; k < c; ++k) {
    const double s =
        p[0]->data<float>()[k] / std::sqrt(static_cast<double>(p[3]->data<float>()[k]) + eps);
    a[k] = static_cast<float>(s);
    b[k] = static_cast<float>(p[1]->data<float>()[k] - p[2]->data<float>()[k] * s);
  }
  return std::make_unique<BatchNormNative>(info, std::move(a), std::move(b));
}

}  // namespace

SHRINK_FAST_KERNEL("", "BatchNormalization", 9, kLatestOpset, DataType::kFloat32, "native",
                   MakeBatchNorm, nullptr);

}  // namespace shrink::runtime::fast
