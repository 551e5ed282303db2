// oneDNN fp32 binary Add / Sub / Mul / Div (two inputs) with numpy broadcasting.
// oneDNN broadcasts only its second source, so when the first input is the broadcast one the
// operands are swapped for commutative ops; Sub/Div with a broadcast first input decline
// (reference fallback). Post-ops (e.g. Relu after a residual Add) fuse.
// Channels-last (layout.h): the inputs of the output's shape (rank >= 3) share the output's layout,
// when every other input holds one value per (n, c) (a per-channel scale, a scalar: the same bytes
// in either layout); a later shape outside that rule throws (the plan falls back to the reference).
#include <map>

#include "runtime/fast/onednn_conv.h"

namespace shrink::runtime::fast {
namespace {

using dnnl::memory;

class BinaryOneDnn : public FastKernel {
 public:
  BinaryOneDnn(const CreateInfo& info, dnnl::algorithm alg, bool commutative)
      : alg_(alg), commutative_(commutative), post_ops_(info.post_ops) {
    Reshape(info.input_shapes);
  }

  std::vector<OutputSpec> Reshape(const std::vector<Shape>& shapes) override {
    cl_inputs_ = ChannelsLastInputs(shapes[0], shapes[1]);
    if (channels_last_) {
      bool ok = !cl_inputs_.empty();
      for (int i : cl_inputs_) ok = ok && in_layouts_.at(i) == Layout::kChannelsLast;
      if (!ok) Throw(StatusCode::kUnimplemented, "channels-last binary op: broadcast shapes");
    }
    std::vector<Shape> key{shapes[0], shapes[1]};
    auto it = cache_.find(key);
    if (it == cache_.end()) it = cache_.emplace(key, Build(shapes[0], shapes[1])).first;
    current_ = &it->second;
    return {{DataType::kFloat32, current_->y_shape}};
  }

  LayoutCaps layout_caps() const override {
    if (cl_inputs_.empty()) return {};
    return {cl_inputs_, true, true, true};
  }
  void SetLayouts(const std::vector<Layout>& in, Layout out) override {
    in_layouts_ = in;
    in_layouts_.resize(2, Layout::kPlain);
    channels_last_ = out == Layout::kChannelsLast;
    cache_.clear();  // primitives were built for the old layouts
    current_ = nullptr;
  }

  void Run(const std::vector<const void*>& in, const std::vector<void*>& out) override {
    Built& b = *current_;
    b.a.set_data_handle(const_cast<void*>(in[b.swap ? 1 : 0]));
    b.b.set_data_handle(const_cast<void*>(in[b.swap ? 0 : 1]));
    b.y.set_data_handle(out[0]);
    b.prim.execute(CpuStream(),
                   {{DNNL_ARG_SRC_0, b.a}, {DNNL_ARG_SRC_1, b.b}, {DNNL_ARG_DST, b.y}});
    CpuStream().wait();
  }

 private:
  struct Built {
    Shape y_shape;
    bool swap = false;
    dnnl::binary prim;
    memory a, b, y;
  };

  static void Pad(Shape& a, Shape& b) {
    const size_t r = std::max<size_t>({a.size(), b.size(), 1});
    while (a.size() < r) a.insert(a.begin(), 1);
    while (b.size() < r) b.insert(b.begin(), 1);
  }

  // The inputs that can be channels-last for these shapes (see the file comment); empty when
  // channels-last does not apply.
  static std::vector<int> ChannelsLastInputs(Shape a, Shape b) {
    Pad(a, b);
    if (a.size() < 3) return {};
    Shape y(a.size());
    for (size_t i = 0; i < a.size(); ++i) y[i] = a[i] == 1 ? b[i] : a[i];
    std::vector<int> full;
    for (int i = 0; i < 2; ++i) {
      const Shape& s = i == 0 ? a : b;
      if (s == y) {
        full.push_back(i);
      } else if (NumElements(Shape(s.begin() + 2, s.end())) != 1) {
        return {};
      }
    }
    return full;
  }

  Built Build(Shape a, Shape b) {
    Pad(a, b);
    const size_t r = a.size();
    Built out;
    Shape y(r);
    for (size_t i = 0; i < r; ++i) {
      if (a[i] != b[i] && a[i] != 1 && b[i] != 1)
        Throw(StatusCode::kInvalidArgument, "binary broadcast mismatch");
      y[i] = a[i] == 1 ? b[i] : a[i];
    }
    if (a != y) {
      if (!commutative_ || b != y) Throw(StatusCode::kUnimplemented, "broadcast first operand");
      std::swap(a, b);
      out.swap = true;
    }
    out.y_shape = y;
    auto& eng = CpuEngine();
    const Layout layout = channels_last_ ? Layout::kChannelsLast : Layout::kPlain;
    memory::desc a_md = ActivationDesc(a, memory::data_type::f32, layout),
                 b_md = ActivationDesc(b, memory::data_type::f32, layout),
                 y_md = ActivationDesc(y, memory::data_type::f32, layout);
    dnnl::binary::desc d(alg_, a_md, b_md, y_md);
    dnnl::primitive_attr attr;
    if (!post_ops_.empty()) attr.set_post_ops(MakePostOps(post_ops_));
    dnnl::binary::primitive_desc pd(d, attr, eng);
    out.prim = dnnl::binary(pd);
    out.a = memory(a_md, eng, DNNL_MEMORY_NONE);
    out.b = memory(b_md, eng, DNNL_MEMORY_NONE);
    out.y = memory(y_md, eng, DNNL_MEMORY_NONE);
    return out;
  }

  dnnl::algorithm alg_;
  bool commutative_;
  std::vector<FusedActivation> post_ops_;
  std::map<std::vector<Shape>, Built> cache_;
  Built* current_ = nullptr;
  std::vector<int> cl_inputs_;      // ChannelsLastInputs at the last Reshape
  std::vector<Layout> in_layouts_;  // as the plan chose (SetLayouts)
  bool channels_last_ = false;      // the output (and the inputs of its shape) channels-last
};

template <dnnl::algorithm Alg, bool Commutative>
std::unique_ptr<FastKernel> MakeBinary(const CreateInfo& info) {
  if (info.input_dtypes.size() != 2 || info.input_dtypes[1] != DataType::kFloat32) return nullptr;
  return std::make_unique<BinaryOneDnn>(info, Alg, Commutative);
}

using A = dnnl::algorithm;

}  // namespace

SHRINK_FAST_KERNEL("", "Add", 7, kLatestOpset, DataType::kFloat32, "onednn",
                   (MakeBinary<A::binary_add, true>), CanFuseEltwise);
SHRINK_FAST_KERNEL("", "Mul", 7, kLatestOpset, DataType::kFloat32, "onednn",
                   (MakeBinary<A::binary_mul, true>), CanFuseEltwise);
SHRINK_FAST_KERNEL("", "Sub", 7, kLatestOpset, DataType::kFloat32, "onednn",
                   (MakeBinary<A::binary_sub, false>), CanFuseEltwise);
SHRINK_FAST_KERNEL("", "Div", 7, kLatestOpset, DataType::kFloat32, "onednn",
                   (MakeBinary<A::binary_div, false>), CanFuseEltwise);

}  // namespace shrink::runtime::fast
