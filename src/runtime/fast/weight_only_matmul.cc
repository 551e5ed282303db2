// Native weight-only MatMul / Gemm: MatMul(x, DequantizeLinear(q, scale[, zp])) and Gemm(x,
// DequantizeLinear(...)[, C]) with constant int4 / uint4 / int8 / uint8 q, run on the packed codes
// (weight_only_gemm.h) instead of a float copy of the weights. The plan offers the unfolded
// DequantizeLinear as CreateInfo::dq_weight (takes_dq_weight below).
// Accepted weight forms (W = B as the op reads it, [K, N], or [N, K] for Gemm transB = 1):
//   block-wise: opset >= 21, block_size > 0 along the K axis of W, scale of W's rank;
//   per column: 1-D scale of length N along the N axis; per tensor: one scale.
// MatMul: x of any rank >= 1 against the 2-D W (leading dims flattened into rows). Gemm: transA =
// 0, alpha folded into the scales, C a float32 constant scalar or row of N (times beta) as bias.
// Fused activations: Relu, LeakyRelu, Clip, Sigmoid, Tanh, Gelu (exact), applied per element after
// the product (reference formulas). Anything else: the factory declines and the plan folds the
// DequantizeLinear as before (fp32 kernels).
#include <omp.h>

#include <cmath>
#include <optional>

#include "runtime/fast/fast_kernel.h"
#include "runtime/fast/parallel_for.h"
#include "runtime/fast/weight_only_gemm.h"

namespace shrink::runtime::fast {
namespace {

struct WeightForm {
  bool transposed = false;
  ScaleLayout layout = ScaleLayout::kPerTensor;
  int64_t block = 0;
};

bool IsCodeType(DataType t) {
  return t == DataType::kInt4 || t == DataType::kUInt4 || t == DataType::kInt8 ||
         t == DataType::kUInt8;
}

std::optional<WeightForm> FormOf(const ir::Node& consumer, const DequantizedWeight& w) {
  const bool gemm = consumer.op_type() == "Gemm";
  if (w.input != 1 || !w.dq || !w.q || !w.scale) return std::nullopt;
  if (gemm && consumer.GetInt("transA", 0) != 0) return std::nullopt;
  const ir::Node& dq = *w.dq;
  if (dq.GetInt("output_dtype", 0) != 0 || !IsCodeType(w.q->dtype()) || w.q->rank() != 2 ||
      w.scale->dtype() != DataType::kFloat32)
    return std::nullopt;
  if (w.zero_point &&
      (w.zero_point->dtype() != w.q->dtype() || w.zero_point->shape() != w.scale->shape()))
    return std::nullopt;
  WeightForm f;
  f.transposed = gemm && consumer.GetInt("transB", 0) != 0;
  const int64_t k_axis = f.transposed ? 1 : 0;
  int64_t axis = dq.GetInt("axis", 1);
  if (axis < 0) axis += 2;
  f.block = w.opset >= 21 ? dq.GetInt("block_size", 0) : 0;
  if (f.block > 0) {
    if (axis != k_axis || w.scale->rank() != 2) return std::nullopt;
    f.layout = ScaleLayout::kBlocked;
  } else if (w.scale->numel() == 1 && w.scale->rank() <= 1) {
    f.layout = ScaleLayout::kPerTensor;
  } else if (w.scale->rank() == 1 && axis == 1 - k_axis) {
    f.layout = ScaleLayout::kPerColumn;
  } else {
    return std::nullopt;
  }
  return f;
}

bool TakesDqWeight(const ir::Node& consumer, int64_t /*opset*/, const DequantizedWeight& w) {
  return FormOf(consumer, w).has_value();
}

enum class Act { kRelu, kLeakyRelu, kClip, kSigmoid, kTanh, kGelu };

std::optional<Act> ActOf(const FusedActivation& a) {
  if (a.op == "Relu") return Act::kRelu;
  if (a.op == "LeakyRelu") return Act::kLeakyRelu;
  if (a.op == "Clip") return Act::kClip;
  if (a.op == "Sigmoid") return Act::kSigmoid;
  if (a.op == "Tanh") return Act::kTanh;
  if (a.op == "Gelu") return Act::kGelu;
  return std::nullopt;
}

bool CanFuse(const FusedActivation& a) { return ActOf(a).has_value(); }

struct PostOp {
  Act act;
  float alpha, beta;
};

float Activate(const PostOp& a, float v) {
  switch (a.act) {
    case Act::kRelu:
      return v > 0.0f ? v : 0.0f;
    case Act::kLeakyRelu:
      return v >= 0.0f ? v : a.alpha * v;
    case Act::kClip:
      return std::min(std::max(v, a.alpha), a.beta);
    case Act::kSigmoid:
      return 1.0f / (1.0f + std::exp(-v));
    case Act::kTanh:
      return std::tanh(v);
    case Act::kGelu:
      return 0.5f * v * (1.0f + std::erf(v * static_cast<float>(M_SQRT1_2)));
  }
  return v;
}

class WeightOnlyMatMul : public FastKernel {
 public:
  WeightOnlyMatMul(PackedWeights w, std::vector<float> bias, std::vector<FusedActivation> post_ops,
                   bool gemm, const Shape& x_shape)
      : w_(std::move(w)), bias_(std::move(bias)), gemm_(gemm) {
    for (const auto& a : post_ops) post_ops_.push_back({*ActOf(a), a.alpha, a.beta});
    Reshape({x_shape});
  }

  std::vector<OutputSpec> Reshape(const std::vector<Shape>& shapes) override {
    const Shape& x = shapes[0];
    if (x.empty() || x.back() != w_.k || (gemm_ && x.size() != 2))
      Throw(StatusCode::kInvalidArgument, "weight-only MatMul: x shape " + ShapeToString(x) +
                                              " does not fit K = " + std::to_string(w_.k));
    Shape y(x.begin(), x.end() - 1);
    y.push_back(w_.n);
    rows_ = NumElements(x) / w_.k;
    xsum_.assign(static_cast<size_t>(rows_ * w_.blocks), 0.0f);
    panel_slots_ = rows_ >= kWeightOnlyPanelMinRows ? omp_get_max_threads() : 0;
    panels_.assign(static_cast<size_t>(panel_slots_ * WeightOnlyPanelFloats(w_)), 0.0f);
    return {{DataType::kFloat32, y}};
  }

  size_t workspace_bytes() const override {
    return (xsum_.size() + panels_.size()) * sizeof(float);
  }
  size_t weight_bytes() const override { return w_.bytes() + bias_.size() * sizeof(float); }

  void Run(const std::vector<const void*>& in, const std::vector<void*>& out) override {
    float* y = static_cast<float*>(out[0]);
    WeightOnlyGemm(w_, static_cast<const float*>(in[0]), rows_,
                   bias_.empty() ? nullptr : bias_.data(), y, xsum_.data(), panels_.data(),
                   panel_slots_);
    if (post_ops_.empty()) return;
    const int64_t total = rows_ * w_.n;
    ParallelFor(total, total >= (int64_t{1} << 16), [&](int64_t i) {
      for (const auto& a : post_ops_) y[i] = Activate(a, y[i]);
    });
  }

 private:
  PackedWeights w_;
  std::vector<float> bias_;  // padded to tiles * kWeightTileN, or empty
  std::vector<PostOp> post_ops_;
  bool gemm_;
  int64_t rows_ = 0;
  std::vector<float> xsum_;
  int panel_slots_ = 0;  // per-thread dequantized tiles for many rows
  std::vector<float> panels_;
};

std::unique_ptr<FastKernel> Make(const CreateInfo& info) {
  if (!info.dq_weight) return nullptr;
  const ir::Node& n = *info.node;
  const bool gemm = n.op_type() == "Gemm";
  const std::optional<WeightForm> f = FormOf(n, *info.dq_weight);
  if (!f) return nullptr;
  for (const auto& a : info.post_ops)
    if (!CanFuse(a)) return nullptr;
  const float alpha = gemm ? n.GetFloat("alpha", 1.0f) : 1.0f;
  const DequantizedWeight& dw = *info.dq_weight;
  PackedWeights w =
      PackWeights(*dw.q, *dw.scale, dw.zero_point, f->transposed, f->layout, f->block, alpha);
  std::vector<float> bias;
  const bool has_c =
      gemm && info.input_dtypes.size() > 2 && info.input_dtypes[2] != DataType::kUndefined;
  if (has_c) {
    const Tensor* c = info.constants[2];
    if (!c || c->dtype() != DataType::kFloat32) return nullptr;
    const bool row = c->numel() == w.n && (c->rank() == 1 || (c->rank() == 2 && c->dim(0) == 1));
    if (c->numel() != 1 && !row) return nullptr;  // per-row or full [M, N] C: fp32 path
    const float beta = n.GetFloat("beta", 1.0f);
    bias.assign(static_cast<size_t>(w.tiles * kWeightTileN), 0.0f);
    for (int64_t j = 0; j < w.n; ++j)
      bias[static_cast<size_t>(j)] = beta * c->data<float>()[c->numel() == 1 ? 0 : j];
  }
  return std::make_unique<WeightOnlyMatMul>(std::move(w), std::move(bias), info.post_ops, gemm,
                                            info.input_shapes[0]);
}

}  // namespace

SHRINK_FAST_KERNEL_DQ("", "MatMul", 1, kLatestOpset, DataType::kFloat32, "native", Make, CanFuse,
                      TakesDqWeight);
SHRINK_FAST_KERNEL_DQ("", "Gemm", 1, kLatestOpset, DataType::kFloat32, "native", Make, CanFuse,
                      TakesDqWeight);

}  // namespace shrink::runtime::fast
