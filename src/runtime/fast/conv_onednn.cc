// oneDNN fp32 Conv (1-3 spatial dims): groups / depthwise, strides, pads (incl. auto_pad),
// dilations, optional bias, fused eltwise post-ops. Weights (and bias) must be constant; they are
// reordered into each primitive's preferred layout once, when the primitive for a shape is built
// (the first shape at create). Activations stay plain NCHW outside the kernel; the kernel reorders
// into the primitive's blocked layout and back when the primitive prefers one.
#include <map>

#include "runtime/fast/onednn_util.h"

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

  void Run(const std::vector<const void*>& in, const std::vector<void*>& out) override {
    Built& b = *current_;
    auto& s = CpuStream();
    b.x_user.set_data_handle(const_cast<void*>(in[0]));
    b.y_user.set_data_handle(out[0]);
    if (b.x_reorder) b.x_reorder.execute(s, b.x_user, b.x_conv);
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, b.x_reorder ? b.x_conv : b.x_user},
                                         {DNNL_ARG_WEIGHTS, b.w},
                                         {DNNL_ARG_DST, b.y_reorder ? b.y_conv : b.y_user}};
    if (b.has_bias) args[DNNL_ARG_BIAS] = b.bias;
    b.conv.execute(s, args);
    if (b.y_reorder) b.y_reorder.execute(s, b.y_conv, b.y_user);
    s.wait();
  }

 private:
  struct Built {
    Shape y_shape;
    dnnl::convolution_forward conv;
    memory x_user, x_conv, y_user, y_conv, w, bias;
    dnnl::reorder x_reorder, y_reorder;
    bool has_bias = false;
    size_t workspace = 0;
  };

  Built Build(const Shape& x) {
    const Shape& ws = weights_.shape();
    if (x.size() != ws.size() || x.size() < 3 || x.size() > 5)
      Throw(StatusCode::kUnimplemented, "Conv rank");
    if (x[1] != ws[1] * group_) Throw(StatusCode::kInvalidArgument, "Conv channel mismatch");
    const Shape in(x.begin() + 2, x.end()), k(ws.begin() + 2, ws.end());
    WindowGeometry g = MakeWindow(node_, in, k, false);
    Built b;
    b.y_shape = {x[0], ws[0]};
    b.y_shape.insert(b.y_shape.end(), g.out.begin(), g.out.end());
    memory::dims wdims;
    if (group_ > 1) {
      wdims = {group_, ws[0] / group_};
      wdims.insert(wdims.end(), ws.begin() + 1, ws.end());
    } else {
      wdims = ToDims(ws);
    }
    memory::dims dil;
    for (int64_t d : g.dilations) dil.push_back(d - 1);
    const auto any = tag::any;
    memory::desc x_any(ToDims(x), dt::f32, any), y_any(ToDims(b.y_shape), dt::f32, any),
        w_any(wdims, dt::f32, any), bias_md({ws[0]}, dt::f32, tag::a);
    b.has_bias = bias_.defined();
    auto desc = b.has_bias
                    ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                      dnnl::algorithm::convolution_direct, x_any,
                                                      w_any, bias_md, y_any, ToDims(g.strides), dil,
                                                      ToDims(g.pads_begin), ToDims(g.pads_end))
                    : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                      dnnl::algorithm::convolution_direct, x_any,
                                                      w_any, y_any, ToDims(g.strides), dil,
                                                      ToDims(g.pads_begin), ToDims(g.pads_end));
    dnnl::primitive_attr attr;
    if (!post_ops_.empty()) attr.set_post_ops(MakePostOps(post_ops_));
    dnnl::convolution_forward::primitive_desc pd(desc, attr, CpuEngine());
    auto& eng = CpuEngine();
    // Weights: plain user layout -> the primitive's layout, once.
    memory::desc w_plain =
        group_ > 1 ? PlainDesc(Shape(wdims.begin(), wdims.end())) : PlainDesc(ws);
    memory w_user(w_plain, eng, weights_.raw());
    b.w = memory(pd.weights_desc(), eng);
    Reorder(w_user, b.w);
    if (b.has_bias) b.bias = memory(bias_md, eng, bias_.raw());
    b.x_user = memory(PlainDesc(x), eng, DNNL_MEMORY_NONE);
    b.y_user = memory(PlainDesc(b.y_shape), eng, DNNL_MEMORY_NONE);
    if (pd.src_desc() != b.x_user.get_desc()) {
      b.x_conv = memory(pd.src_desc(), eng);
      b.x_reorder = dnnl::reorder(b.x_user, b.x_conv);
      b.workspace += pd.src_desc().get_size();
    }
    if (pd.dst_desc() != b.y_user.get_desc()) {
      b.y_conv = memory(pd.dst_desc(), eng);
      b.y_reorder = dnnl::reorder(b.y_conv, b.y_user);
      b.workspace += pd.dst_desc().get_size();
    }
    b.conv = dnnl::convolution_forward(pd);
    return b;
  }

  const ir::Node& node_;
  std::vector<FusedActivation> post_ops_;
  Tensor weights_, bias_;
  int64_t group_ = 1;
  std::map<Shape, Built> cache_;
  Built* current_ = nullptr;
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
                   CanFuseEltwise);

}  // namespace shrink::runtime::fast
