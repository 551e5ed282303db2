// oneDNN fp32 ConvTranspose (1-3 spatial dims): groups, strides, dilations, explicit pads,
// output_padding (when it fits in the end pads' place, see below), optional bias, fused eltwise
// post-ops. Weights W [C, M / group, kernel...] (ONNX's in-out order) are reordered once per
// input shape into the primitive's layout; activations are plain NC... outside the kernel and
// reordered when the primitive prefers another layout. Output size per spatial axis, as ONNX:
//   out = stride * (in - 1) + output_padding + (kernel - 1) * dilation + 1 - pad_begin - pad_end,
// which is oneDNN's deconvolution with pad_end' = pad_end - output_padding; pad_end' < 0,
// output_shape and auto_pad other than NOTSET decline (reference kernel).
#include <map>

#include "runtime/fast/deconv_native.h"
#include "runtime/fast/onednn_util.h"

namespace shrink::runtime::fast {
namespace {

using dnnl::memory;
using dt = memory::data_type;
using tag = memory::format_tag;

class DeconvOneDnn : public FastKernel {
 public:
  explicit DeconvOneDnn(const CreateInfo& info) : node_(*info.node), post_ops_(info.post_ops) {
    w_ = info.constants[1]->Clone();
    if (info.constants.size() > 2 && info.constants[2]) bias_ = info.constants[2]->Clone();
    group_ = node_.GetInt("group", 1);
    Reshape(info.input_shapes);
  }

  std::vector<OutputSpec> Reshape(const std::vector<Shape>& shapes) override {
    current_ = &FindOrBuild(cache_, shapes[0], [this](const Shape& s) { return Build(s); });
    return {{DataType::kFloat32, current_->y_shape}};
  }

  size_t workspace_bytes() const override { return current_ ? current_->workspace : 0; }

  void Run(const std::vector<const void*>& in, const std::vector<void*>& out) override {
    Built& b = *current_;
    auto& s = CpuStream();
    b.x_user.set_data_handle(const_cast<void*>(in[0]));
    b.y_user.set_data_handle(out[0]);
    if (b.x_reorder) b.x_reorder.execute(s, b.x_user, b.x_prim);
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, b.x_reorder ? b.x_prim : b.x_user},
                                         {DNNL_ARG_WEIGHTS, b.w},
                                         {DNNL_ARG_DST, b.y_reorder ? b.y_prim : b.y_user}};
    if (bias_.defined()) args[DNNL_ARG_BIAS] = b.bias;
    b.deconv.execute(s, args);
    if (b.y_reorder) b.y_reorder.execute(s, b.y_prim, b.y_user);
    s.wait();
  }

 private:
  struct Built {
    Shape y_shape;
    dnnl::deconvolution_forward deconv;
    memory x_user, x_prim, y_user, y_prim, w, bias;
    dnnl::reorder x_reorder, y_reorder;
    size_t workspace = 0;
  };

  Built Build(const Shape& x) {
    const size_t sp = x.size() - 2;
    if (x.size() < 3 || x.size() > 5 || w_.rank() != static_cast<int>(x.size()))
      Throw(StatusCode::kUnimplemented, "ConvTranspose rank");
    if (x[1] != w_.dim(0) || w_.dim(0) % group_ != 0)
      Throw(StatusCode::kInvalidArgument, "ConvTranspose channel mismatch");
    auto ints = [&](const char* name, int64_t dflt, size_t n) {
      std::vector<int64_t> v = node_.GetInts(name);
      if (v.empty()) v.assign(n, dflt);
      if (v.size() != n) Throw(StatusCode::kUnimplemented, std::string("ConvTranspose ") + name);
      return v;
    };
    const auto strides = ints("strides", 1, sp), dil = ints("dilations", 1, sp),
               outpad = ints("output_padding", 0, sp), pads = ints("pads", 0, 2 * sp);
    const int64_t m = w_.dim(1) * group_;
    Shape y = {x[0], m};
    memory::dims st, dl, pl, pr;
    for (size_t d = 0; d < sp; ++d) {
      const int64_t k = w_.dim(static_cast<int>(d) + 2);
      const int64_t out =
          strides[d] * (x[d + 2] - 1) + outpad[d] + (k - 1) * dil[d] + 1 - pads[d] - pads[d + sp];
      if (out <= 0 || pads[d + sp] - outpad[d] < 0)
        Throw(StatusCode::kUnimplemented, "ConvTranspose geometry");
      y.push_back(out);
      st.push_back(strides[d]);
      dl.push_back(dil[d] - 1);
      pl.push_back(pads[d]);
      pr.push_back(pads[d + sp] - outpad[d]);
    }
    // Logical oneDNN weights: [OC, IC, k...] or [G, OC/G, IC/G, k...]; ONNX stores IC first.
    memory::dims wd;
    if (group_ > 1)
      wd = {group_, m / group_, w_.dim(0) / group_};
    else
      wd = {m, w_.dim(0)};
    for (size_t d = 0; d < sp; ++d) wd.push_back(w_.dim(static_cast<int>(d) + 2));
    static const tag kPlainW[3] = {tag::bac, tag::bacd, tag::bacde};
    static const tag kGroupW[3] = {tag::acbd, tag::acbde, tag::acbdef};
    const memory::desc w_user_md(wd, dt::f32, group_ > 1 ? kGroupW[sp - 1] : kPlainW[sp - 1]);
    auto& eng = CpuEngine();
    memory::desc x_any(ToDims(x), dt::f32, tag::any), y_any(ToDims(y), dt::f32, tag::any),
        w_any(wd, dt::f32, tag::any), b_md({m}, dt::f32, tag::a);
    const auto prop = dnnl::prop_kind::forward_inference;
    const auto alg = dnnl::algorithm::deconvolution_direct;
    auto desc = bias_.defined() ? dnnl::deconvolution_forward::desc(prop, alg, x_any, w_any, b_md,
                                                                    y_any, st, dl, pl, pr)
                                : dnnl::deconvolution_forward::desc(prop, alg, x_any, w_any, y_any,
                                                                    st, dl, pl, pr);
    dnnl::primitive_attr attr;
    if (!post_ops_.empty()) attr.set_post_ops(MakePostOps(post_ops_));
    dnnl::deconvolution_forward::primitive_desc pd(desc, attr, eng);
    Built b;
    b.y_shape = y;
    memory w_user(w_user_md, eng, w_.raw());
    b.w = memory(pd.weights_desc(), eng);
    Reorder(w_user, b.w);
    if (bias_.defined()) b.bias = memory(b_md, eng, bias_.raw());
    b.x_user = memory(PlainDesc(x, dt::f32), eng, DNNL_MEMORY_NONE);
    b.y_user = memory(PlainDesc(y, dt::f32), eng, DNNL_MEMORY_NONE);
    if (pd.src_desc() != b.x_user.get_desc()) {
      b.x_prim = memory(pd.src_desc(), eng);
      b.x_reorder = dnnl::reorder(b.x_user, b.x_prim);
      b.workspace += pd.src_desc().get_size();
    }
    if (pd.dst_desc() != b.y_user.get_desc()) {
      b.y_prim = memory(pd.dst_desc(), eng);
      b.y_reorder = dnnl::reorder(b.y_prim, b.y_user);
      b.workspace += pd.dst_desc().get_size();
    }
    b.deconv = dnnl::deconvolution_forward(pd);
    return b;
  }

  const ir::Node& node_;
  std::vector<FusedActivation> post_ops_;
  Tensor w_, bias_;
  int64_t group_ = 1;
  std::map<Shape, Built> cache_;
  Built* current_ = nullptr;
};

std::unique_ptr<FastKernel> MakeConvTranspose(const CreateInfo& info) {
  const ir::Node& n = *info.node;
  if (info.constants.size() < 2 || !info.constants[1] ||
      info.constants[1]->dtype() != DataType::kFloat32)
    return nullptr;
  if (info.input_dtypes.size() > 2 && info.input_dtypes[2] != DataType::kUndefined &&
      !info.constants[2])
    return nullptr;
  if (n.HasAttr("output_shape") || n.GetString("auto_pad", "NOTSET") != "NOTSET") return nullptr;
  try {
    return std::make_unique<DeconvOneDnn>(info);
  } catch (const Error&) {
    return nullptr;
  }
}

}  // namespace

// The native kernel first: it takes only the geometries where it beats oneDNN (deconv_native.h).
SHRINK_FAST_KERNEL("", "ConvTranspose", 1, kLatestOpset, DataType::kFloat32, "native",
                   MakeConvTransposeNative, nullptr);
SHRINK_FAST_KERNEL("", "ConvTranspose", 1, kLatestOpset, DataType::kFloat32, "onednn",
                   MakeConvTranspose, CanFuseEltwise);

}  // namespace shrink::runtime::fast
