// oneDNN fp32 Softmax / LogSoftmax (opset >= 13: along `axis`; earlier opsets: the input coerced
// to 2-D at `axis`) and LayerNormalization (normalised over the dims from `axis`, flattened to
// [outer, inner]; constant Scale and optional constant B of shape [inner]; the Mean /
// InvStdDev outputs must be unrequested).
#include <map>

#include "runtime/fast/onednn_util.h"

namespace shrink::runtime::fast {
namespace {

using dnnl::memory;

int64_t Axis(const ir::Node& n, int64_t dflt, size_t rank) {
  int64_t a = n.GetInt("axis", dflt);
  if (a < 0) a += static_cast<int64_t>(rank);
  if (a < 0 || a >= static_cast<int64_t>(std::max<size_t>(rank, 1)))
    Throw(StatusCode::kInvalidArgument, n.Describe() + ": axis out of range");
  return a;
}

class SoftmaxOneDnn : public FastKernel {
 public:
  SoftmaxOneDnn(const CreateInfo& info, bool log)
      : node_(*info.node), opset_(info.opset), log_(log) {
    Reshape(info.input_shapes);
  }
  std::vector<OutputSpec> Reshape(const std::vector<Shape>& shapes) override {
    current_ = &FindOrBuild(cache_, shapes[0], [this](const Shape& s) { return Build(s); });
    return {{DataType::kFloat32, shapes[0]}};
  }
  void Run(const std::vector<const void*>& in, const std::vector<void*>& out) override {
    current_->Execute(in[0], out[0]);
  }

 private:
  SrcDstPrimitive Build(const Shape& x) {
    Shape s = x;
    int64_t axis = Axis(node_, opset_ >= 13 ? -1 : 1, x.size());
    if (opset_ < 13) {
      int64_t outer = 1, inner = 1;
      for (size_t i = 0; i < x.size(); ++i)
        (static_cast<int64_t>(i) < axis ? outer : inner) *= x[i];
      s = {outer, inner};
      axis = 1;
    }
    if (s.empty()) s = {1};
    auto& eng = CpuEngine();
    memory::desc md = PlainDesc(s);
    SrcDstPrimitive b{dnnl::primitive(), memory(md, eng, DNNL_MEMORY_NONE),
                      memory(md, eng, DNNL_MEMORY_NONE)};
    const auto alg = log_ ? dnnl::algorithm::softmax_log : dnnl::algorithm::softmax_accurate;
    dnnl::softmax_v2_forward::desc d(dnnl::prop_kind::forward_inference, alg, md, md,
                                     static_cast<int>(axis));
    b.prim = dnnl::softmax_v2_forward(dnnl::softmax_v2_forward::primitive_desc(d, eng));
    return b;
  }
  const ir::Node& node_;
  int64_t opset_;
  bool log_;
  std::map<Shape, SrcDstPrimitive> cache_;
  SrcDstPrimitive* current_ = nullptr;
};

class LayerNormOneDnn : public FastKernel {
 public:
  explicit LayerNormOneDnn(const CreateInfo& info) : node_(*info.node) {
    scale_ = info.constants[1]->Clone();
    if (info.constants.size() > 2 && info.constants[2]) shift_ = info.constants[2]->Clone();
    epsilon_ = node_.GetFloat("epsilon", 1e-5f);
    Reshape(info.input_shapes);
  }
  std::vector<OutputSpec> Reshape(const std::vector<Shape>& shapes) override {
    current_ = &FindOrBuild(cache_, shapes[0], [this](const Shape& s) { return Build(s); });
    return {{DataType::kFloat32, shapes[0]}};
  }
  void Run(const std::vector<const void*>& in, const std::vector<void*>& out) override {
    Built& b = *current_;
    b.x.set_data_handle(const_cast<void*>(in[0]));
    b.y.set_data_handle(out[0]);
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, b.x}, {DNNL_ARG_DST, b.y}, {DNNL_ARG_SCALE, b.scale}};
    if (shift_.defined()) args[DNNL_ARG_SHIFT] = b.shift;
    b.prim.execute(CpuStream(), args);
    CpuStream().wait();
  }

 private:
  struct Built {
    dnnl::layer_normalization_forward prim;
    memory x, y, scale, shift;
  };
  Built Build(const Shape& x) {
    const int64_t axis = Axis(node_, -1, x.size());
    int64_t outer = 1, inner = 1;
    for (size_t i = 0; i < x.size(); ++i) (static_cast<int64_t>(i) < axis ? outer : inner) *= x[i];
    if (scale_.numel() != inner || (shift_.defined() && shift_.numel() != inner))
      Throw(StatusCode::kUnimplemented, "LayerNormalization scale/bias broadcast");
    auto& eng = CpuEngine();
    memory::desc md = PlainDesc({outer, inner}), c_md = PlainDesc({inner});
    auto flags = dnnl::normalization_flags::use_scale;
    if (shift_.defined()) flags = flags | dnnl::normalization_flags::use_shift;
    dnnl::layer_normalization_forward::desc d(dnnl::prop_kind::forward_inference, md, epsilon_,
                                              flags);
    dnnl::layer_normalization_forward::primitive_desc pd(d, eng);
    Built b;
    b.prim = dnnl::layer_normalization_forward(pd);
    b.x = memory(md, eng, DNNL_MEMORY_NONE);
    b.y = memory(md, eng, DNNL_MEMORY_NONE);
    b.scale = memory(c_md, eng, scale_.raw());
    if (shift_.defined()) b.shift = memory(c_md, eng, shift_.raw());
    return b;
  }
  const ir::Node& node_;
  Tensor scale_, shift_;
  float epsilon_ = 1e-5f;
  std::map<Shape, Built> cache_;
  Built* current_ = nullptr;
};

std::unique_ptr<FastKernel> MakeSoftmax(const CreateInfo& info) {
  return std::make_unique<SoftmaxOneDnn>(info, false);
}
std::unique_ptr<FastKernel> MakeLogSoftmax(const CreateInfo& info) {
  return std::make_unique<SoftmaxOneDnn>(info, true);
}
std::unique_ptr<FastKernel> MakeLayerNorm(const CreateInfo& info) {
  const ir::Node& n = *info.node;
  if (n.output(1) || n.output(2)) return nullptr;
  if (info.constants.size() < 2 || !info.constants[1] ||
      info.constants[1]->dtype() != DataType::kFloat32)
    return nullptr;
  const bool has_b = info.input_dtypes.size() > 2 && info.input_dtypes[2] != DataType::kUndefined;
  if (has_b && (!info.constants[2] || info.constants[2]->dtype() != DataType::kFloat32))
    return nullptr;
  return std::make_unique<LayerNormOneDnn>(info);
}

}  // namespace

SHRINK_FAST_KERNEL("", "Softmax", 1, kLatestOpset, DataType::kFloat32, "onednn", MakeSoftmax,
                   nullptr);
SHRINK_FAST_KERNEL("", "LogSoftmax", 1, kLatestOpset, DataType::kFloat32, "onednn", MakeLogSoftmax,
                   nullptr);
SHRINK_FAST_KERNEL("", "LayerNormalization", 17, kLatestOpset, DataType::kFloat32, "onednn",
                   MakeLayerNorm, nullptr);

}  // namespace shrink::runtime::fast
