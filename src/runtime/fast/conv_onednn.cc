// oneDNN fp32 Conv (1-3 spatial dims): groups / depthwise, strides, pads (incl. auto_pad),
// dilations, optional bias, fused eltwise post-ops and a fused residual Add (kSumPostOp). Weights
// (and bias) must be constant; they are reordered into each primitive's preferred layout once, when
// the primitive for a shape is built (the first shape at create). Activations outside the kernel
// are plain NC... (the primitive then picks its preferred, usually blocked, layout and the kernel
// reorders into it and back) or, when the plan keeps them channels-last (layout.h), the primitive
// runs on channels-last (NHWC-style) activations directly: no reorder on a channels-last side.
#include <map>

#include "runtime/fast/onednn_conv.h"

namespace shrink::runtime::fast {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

class ConvOneDnn : public FastKernel {
 public:
  ConvOneDnn(const CreateInfo& info) : node_(*info.node), post_ops_(info.post_ops) {
    weights_ = info.constants[1]->Clone();
    if (info.constants.size() > 2 && info.constants[2]) bias_ = info.constants[2]->Clone();
    group_ = node_.GetInt("group", 1);
    Reshape(info.input_shapes);
  }

  std::vector<OutputSpec> Reshape(const std::vector<Shape>& shapes) override {
    const Shape& x = shapes[0];
    auto it = cache_.find(x);
    if (it == cache_.end()) it = cache_.emplace(x, Build(x)).first;
    current_ = &it->second;
    return {{DataType::kFloat32, current_->y_shape}};
  }

  size_t workspace_bytes() const override { return current_ ? current_->workspace : 0; }

  LayoutCaps layout_caps() const override { return {{0}, true, false, true}; }
  void SetLayouts(const std::vector<Layout>& in, Layout out) override {
    x_layout_ = in.empty() ? Layout::kPlain : in[0];
    y_layout_ = out;
    cache_.clear();  // primitives were built for the old layouts
    current_ = nullptr;
  }

  void Run(const std::vector<const void*>& in, const std::vector<void*>& out) override {
    Built& b = *current_;
    std::unordered_map<int, memory> args;
    if (bias_.defined()) args[DNNL_ARG_BIAS] = b.bias;
    b.Execute(in[0], out[0], std::move(args));
  }

 private:
  struct Built : BuiltConv {
    memory bias;
  };

  Built Build(const Shape& x) {
    const ConvShapes cs = MakeConvShapes(node_, x, weights_.shape(), group_);
    const auto any = tag::any;
    // A channels-last side makes the primitive channels-last on both sides (oneDNN's NHWC
    // kernels want both so); a plain side is then reordered.
    const bool cl = x_layout_ == Layout::kChannelsLast || y_layout_ == Layout::kChannelsLast;
    memory::desc x_md = cl ? ActivationDesc(x, dt::f32, Layout::kChannelsLast)
                           : memory::desc(ToDims(x), dt::f32, any);
    memory::desc y_md = cl ? ActivationDesc(cs.y, dt::f32, Layout::kChannelsLast)
                           : memory::desc(ToDims(cs.y), dt::f32, any);
    memory::desc w_any(cs.w, dt::f32, any), bias_md({weights_.dim(0)}, dt::f32, tag::a);
    dnnl::primitive_attr attr;
    if (!post_ops_.empty()) attr.set_post_ops(MakePostOps(post_ops_));
    dnnl::convolution_forward::primitive_desc pd(
        ConvDesc(cs, x_md, w_any, bias_.defined() ? &bias_md : nullptr, y_md), attr, CpuEngine());
    Built b;
    b.Init(pd, cs, weights_.raw(), dt::f32, x, dt::f32, dt::f32, x_layout_, y_layout_,
           HasSum(post_ops_));
    if (bias_.defined()) b.bias = memory(bias_md, CpuEngine(), bias_.raw());
    return b;
  }

  const ir::Node& node_;
  std::vector<FusedActivation> post_ops_;
  Tensor weights_, bias_;
  int64_t group_ = 1;
  std::map<Shape, Built> cache_;
  Built* current_ = nullptr;
  Layout x_layout_ = Layout::kPlain, y_layout_ = Layout::kPlain;
};

std::unique_ptr<FastKernel> MakeConv(const CreateInfo& info) {
  if (info.constants.size() < 2 || !info.constants[1]) return nullptr;  // runtime weights
  if (info.constants[1]->dtype() != DataType::kFloat32) return nullptr;
  if (info.input_dtypes.size() > 2 && info.input_dtypes[2] != DataType::kUndefined &&
      !info.constants[2])
    return nullptr;
  return std::make_unique<ConvOneDnn>(info);
}

}  // namespace

SHRINK_FAST_KERNEL("", "Conv", 1, kLatestOpset, DataType::kFloat32, "onednn", MakeConv,
                   CanFuseEltwiseOrSum);

}  // namespace shrink::runtime::fast
