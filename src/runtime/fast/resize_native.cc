// Native fast Resize (opset 11+, float32), nearest and linear, on the plain layout: the per-axis
// taps come from the reference's own planner (runtime/kernels/resize_plan.h), computed once per
// input shape, so the sampled positions are exactly the reference's.
//   nearest — any rank, any coordinate / nearest mode: a gather through per-axis index tables,
//             one output row (last axis) at a time. Bit-identical to the reference.
//   linear  — only the last two axes resized (the others keep scale 1): per output row two input
//             rows and per column two taps, weights in float32 (the reference sums in float64:
//             differences of a few ulp).
// Declines (reference kernel): cubic, tf_crop_and_resize (extrapolation), antialias or
// exclude_outside with more than two taps, non-constant roi / scales / sizes, other dtypes.
#include <algorithm>

#include "runtime/fast/onednn_util.h"
#include "runtime/kernels/resize_plan.h"

namespace shrink::runtime::fast {
namespace {

class ResizeNative : public FastKernel {
 public:
  explicit ResizeNative(const CreateInfo& info) : info_(info), node_(*info.node) {
    Reshape(info.input_shapes);
  }

  std::vector<OutputSpec> Reshape(const std::vector<Shape>& shapes) override {
    x_ = shapes[0];
    std::vector<const Tensor*> in = {nullptr};
    for (size_t i = 1; i < info_.constants.size(); ++i) in.push_back(info_.constants[i]);
    KernelContext ctx(node_, info_.opset, in, nullptr);
    p_ = ReadResizeParams(ctx, x_);  // throws on bad values: the step falls back to reference
    if (p_.mode == ResizeMode::kCubic || p_.coord == ResizeCoord::kTfCropAndResize)
      Throw(StatusCode::kUnimplemented, "Resize mode");
    const int r = static_cast<int>(x_.size());
    taps_.clear();
    for (int d = 0; d < r; ++d) {
      ResizeAxisTaps t = PlanResizeAxis(p_, d, x_[d]);
      Axis a;
      for (const auto& taps : t.taps) {
        if (taps.empty() || taps.size() > 2) Throw(StatusCode::kUnimplemented, "Resize taps");
        a.i0.push_back(taps[0].index);
        a.w0.push_back(static_cast<float>(taps[0].weight));
        a.i1.push_back(taps.size() > 1 ? taps[1].index : taps[0].index);
        a.w1.push_back(taps.size() > 1 ? static_cast<float>(taps[1].weight) : 0.0f);
      }
      taps_.push_back(std::move(a));
    }
    if (p_.mode == ResizeMode::kLinear)
      for (int d = 0; d + 2 < r; ++d)
        if (p_.out_shape[d] != x_[d] || p_.scales[d] != 1.0)
          Throw(StatusCode::kUnimplemented, "linear Resize of a leading axis");
    return {{DataType::kFloat32, p_.out_shape}};
  }

  void Run(const std::vector<const void*>& in, const std::vector<void*>& out) override {
    const float* x = static_cast<const float*>(in[0]);
    float* y = static_cast<float*>(out[0]);
    if (p_.mode == ResizeMode::kNearest)
      RunNearest(x, y);
    else
      RunLinear(x, y);
  }

 private:
  struct Axis {  // per output coordinate: two taps (the second with weight 0 when there is one)
    std::vector<int64_t> i0, i1;
    std::vector<float> w0, w1;
  };

  void RunNearest(const float* x, float* y) const {
    const int r = static_cast<int>(x_.size());
    const int64_t out_w = p_.out_shape[r - 1];
    const int64_t rows = NumElements(p_.out_shape) / std::max<int64_t>(out_w, 1);
    const std::vector<int64_t> strides = Strides(x_);
    const std::vector<int64_t>& cols = taps_[r - 1].i0;
#pragma omp parallel for schedule(static) if (rows * out_w >= 65536)
    for (int64_t row = 0; row < rows; ++row) {
      int64_t off = 0, rest = row;  // source offset of this output row's leading coordinates
      for (int d = r - 2; d >= 0; --d) {
        const int64_t o = rest % p_.out_shape[d];
        rest /= p_.out_shape[d];
        off += taps_[d].i0[o] * strides[d];
      }
      const float* src = x + off;
      float* dst = y + row * out_w;
      for (int64_t j = 0; j < out_w; ++j) dst[j] = src[cols[j]];
    }
  }

  void RunLinear(const float* x, float* y) const {
    const int r = static_cast<int>(x_.size());
    const int64_t in_h = r >= 2 ? x_[r - 2] : 1, in_w = x_[r - 1];
    const int64_t out_h = r >= 2 ? p_.out_shape[r - 2] : 1, out_w = p_.out_shape[r - 1];
    const int64_t planes = NumElements(x_) / std::max<int64_t>(in_h * in_w, 1);
    const Axis one{{0}, {0}, {1.0f}, {0.0f}};  // rank 1: a single row
    const Axis& h = r >= 2 ? taps_[r - 2] : one;
    const Axis& w = taps_[r - 1];
#pragma omp parallel for collapse(2) schedule(static) if (planes * out_h * out_w >= 65536)
    for (int64_t p = 0; p < planes; ++p)
      for (int64_t oh = 0; oh < out_h; ++oh) {
        const float* r0 = x + (p * in_h + h.i0[oh]) * in_w;
        const float* r1 = x + (p * in_h + h.i1[oh]) * in_w;
        const float a0 = h.w0[oh], a1 = h.w1[oh];
        float* dst = y + (p * out_h + oh) * out_w;
        for (int64_t j = 0; j < out_w; ++j) {
          const int64_t c0 = w.i0[j], c1 = w.i1[j];
          dst[j] = a0 * (w.w0[j] * r0[c0] + w.w1[j] * r0[c1]) +
                   a1 * (w.w0[j] * r1[c0] + w.w1[j] * r1[c1]);
        }
      }
  }

  static std::vector<int64_t> Strides(const Shape& s) {
    std::vector<int64_t> st(s.size(), 1);
    for (size_t d = s.size(); d-- > 1;) st[d - 1] = st[d] * s[d];
    return st;
  }

  CreateInfo info_;
  const ir::Node& node_;
  Shape x_;
  ResizeParams p_;
  std::vector<Axis> taps_;
};

std::unique_ptr<FastKernel> MakeResize(const CreateInfo& info) {
  for (size_t i = 1; i < info.input_dtypes.size(); ++i)
    if (info.input_dtypes[i] != DataType::kUndefined && !info.constants[i]) return nullptr;
  try {
    return std::make_unique<ResizeNative>(info);
  } catch (const Error&) {
    return nullptr;
  }
}

}  // namespace

SHRINK_FAST_KERNEL("", "Resize", 11, kLatestOpset, DataType::kFloat32, "native", MakeResize,
                   nullptr);

}  // namespace shrink::runtime::fast
