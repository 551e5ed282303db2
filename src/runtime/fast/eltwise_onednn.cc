// oneDNN fp32 elementwise activations: every op ActivationOf() recognises (Relu, LeakyRelu,
// Sigmoid, Tanh, Clip with constant bounds, Elu, Gelu (erf; also com.shrink Gelu), HardSwish (also
// com.shrink HardSwish), Exp, Abs, Sqrt, Softplus, Neg), over the tensor flattened to 1-D (so any
// layout, layout.h: input and output share it); further activations fuse as post-ops.
#include <map>

#include "runtime/fast/onednn_util.h"

namespace shrink::runtime::fast {
namespace {

using dnnl::memory;

class EltwiseOneDnn : public FastKernel {
 public:
  EltwiseOneDnn(const CreateInfo& info, EltwiseSpec spec) : spec_(spec), post_ops_(info.post_ops) {
    Reshape(info.input_shapes);
  }

  std::vector<OutputSpec> Reshape(const std::vector<Shape>& shapes) override {
    const int64_t n = std::max<int64_t>(NumElements(shapes[0]), 1);
    current_ = &FindOrBuild(cache_, n, [this](int64_t k) { return Build(k); });
    return {{DataType::kFloat32, shapes[0]}};
  }

  LayoutCaps layout_caps() const override { return {{0}, true, true, true}; }

  void Run(const std::vector<const void*>& in, const std::vector<void*>& out) override {
    current_->Execute(in[0], out[0]);
  }

 private:
  SrcDstPrimitive Build(int64_t n) {
    auto& eng = CpuEngine();
    memory::desc md = PlainDesc({n});
    dnnl::eltwise_forward::desc d(dnnl::prop_kind::forward_inference, spec_.alg, md, spec_.alpha,
                                  spec_.beta);
    dnnl::primitive_attr attr;
    if (!post_ops_.empty()) attr.set_post_ops(MakePostOps(post_ops_));
    dnnl::eltwise_forward::primitive_desc pd(d, attr, eng);
    return SrcDstPrimitive{dnnl::eltwise_forward(pd), memory(md, eng, DNNL_MEMORY_NONE),
                           memory(md, eng, DNNL_MEMORY_NONE)};
  }

  EltwiseSpec spec_;
  std::vector<FusedActivation> post_ops_;
  std::map<int64_t, SrcDstPrimitive> cache_;
  SrcDstPrimitive* current_ = nullptr;
};

std::unique_ptr<FastKernel> MakeEltwise(const CreateInfo& info) {
  auto act = ActivationOf(*info.node, info.opset, info.constants);
  if (!act) return nullptr;
  auto spec = EltwiseFor(*act);
  if (!spec) return nullptr;
  return std::make_unique<EltwiseOneDnn>(info, *spec);
}

}  // namespace

#define SHRINK_FAST_ELTWISE_(op)                                                         \
  SHRINK_FAST_KERNEL("", op, 1, kLatestOpset, DataType::kFloat32, "onednn", MakeEltwise, \
                     CanFuseEltwise)
SHRINK_FAST_ELTWISE_("Relu");
SHRINK_FAST_ELTWISE_("LeakyRelu");
SHRINK_FAST_ELTWISE_("Sigmoid");
SHRINK_FAST_ELTWISE_("Tanh");
SHRINK_FAST_ELTWISE_("Clip");
SHRINK_FAST_ELTWISE_("Elu");
SHRINK_FAST_ELTWISE_("Gelu");
SHRINK_FAST_ELTWISE_("HardSwish");
SHRINK_FAST_ELTWISE_("Exp");
SHRINK_FAST_ELTWISE_("Abs");
SHRINK_FAST_ELTWISE_("Sqrt");
SHRINK_FAST_ELTWISE_("Softplus");
SHRINK_FAST_ELTWISE_("Neg");
#undef SHRINK_FAST_ELTWISE_
// fuse_gelu's op below opset 20 (approximate "none" only; ActivationOf declines "tanh").
SHRINK_FAST_KERNEL("com.shrink", "Gelu", 1, kLatestOpset, DataType::kFloat32, "onednn", MakeEltwise,
                   CanFuseEltwise);
// fuse_hardswish's op below opset 14.
SHRINK_FAST_KERNEL("com.shrink", "HardSwish", 1, kLatestOpset, DataType::kFloat32, "onednn",
                   MakeEltwise, CanFuseEltwise);

}  // namespace shrink::runtime::fast
