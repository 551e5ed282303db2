// oneDNN fp32 Transpose: one reorder from the input read through permuted strides into the plain
// output (jit:uni reorders, ~10x the reference StridedCopy on BERT's head splits). perm defaults to
// the reversed axes. Declines (reference) rank 0 and ranks over oneDNN's 12; an invalid perm or
// a zero-size dim throws from Reshape, which leaves the step on the reference kernel.
#include <map>

#include "runtime/fast/onednn_util.h"

namespace shrink::runtime::fast {
namespace {

using dnnl::memory;

class TransposeOneDnn : public FastKernel {
 public:
  explicit TransposeOneDnn(const CreateInfo& info) : perm_(info.node->GetInts("perm", {})) {
    Reshape(info.input_shapes);
  }

  std::vector<OutputSpec> Reshape(const std::vector<Shape>& shapes) override {
    const Shape& in = shapes[0];
    current_ = &FindOrBuild(cache_, in, [this](const Shape& s) { return Build(s); });
    return {{DataType::kFloat32, current_->out}};
  }

  void Run(const std::vector<const void*>& in, const std::vector<void*>& out) override {
    current_->src.set_data_handle(const_cast<void*>(in[0]));
    current_->dst.set_data_handle(out[0]);
    current_->reorder.execute(CpuStream(), current_->src, current_->dst);
    CpuStream().wait();
  }

 private:
  struct Built {
    Shape out;
    dnnl::reorder reorder;
    memory src, dst;
  };

  Built Build(const Shape& in) {
    const size_t r = in.size();
    if (r == 0) Throw(StatusCode::kUnimplemented, "Transpose: scalar");
    std::vector<int64_t> perm = perm_;
    if (perm.empty())
      for (size_t i = 0; i < r; ++i) perm.push_back(static_cast<int64_t>(r - 1 - i));
    if (perm.size() != r) Throw(StatusCode::kInvalidArgument, "Transpose: perm length");
    std::vector<bool> seen(r, false);
    memory::dims in_st(r, 1), dims(r), st(r);
    for (size_t i = r - 1; i-- > 0;) in_st[i] = in_st[i + 1] * in[i + 1];
    Built b;
    for (size_t i = 0; i < r; ++i) {
      const int64_t p = perm[i] < 0 ? perm[i] + static_cast<int64_t>(r) : perm[i];
      if (p < 0 || p >= static_cast<int64_t>(r) || seen[static_cast<size_t>(p)])
        Throw(StatusCode::kInvalidArgument, "Transpose: invalid perm");
      seen[static_cast<size_t>(p)] = true;
      dims[i] = in[static_cast<size_t>(p)];
      st[i] = in_st[static_cast<size_t>(p)];
      if (dims[i] == 0) Throw(StatusCode::kUnimplemented, "Transpose: empty tensor");
      b.out.push_back(dims[i]);
    }
    auto& eng = CpuEngine();
    const memory::desc src_md(dims, memory::data_type::f32, st);
    const memory::desc dst_md = PlainDesc(b.out);
    b.reorder = dnnl::reorder(dnnl::reorder::primitive_desc(eng, src_md, eng, dst_md));
    b.src = memory(src_md, eng, DNNL_MEMORY_NONE);
    b.dst = memory(dst_md, eng, DNNL_MEMORY_NONE);
    return b;
  }

  std::vector<int64_t> perm_;
  std::map<Shape, Built> cache_;
  Built* current_ = nullptr;
};

std::unique_ptr<FastKernel> MakeTranspose(const CreateInfo& info) {
  const size_t r = info.input_shapes.empty() ? 0 : info.input_shapes[0].size();
  if (r == 0 || r > DNNL_MAX_NDIMS) return nullptr;
  return std::make_unique<TransposeOneDnn>(info);
}

}  // namespace

SHRINK_FAST_KERNEL("", "Transpose", 1, kLatestOpset, DataType::kFloat32, "onednn", MakeTranspose,
                   nullptr);

}  // namespace shrink::runtime::fast
