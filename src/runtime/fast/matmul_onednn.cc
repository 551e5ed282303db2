// oneDNN fp32 MatMul (numpy semantics, batched with broadcast batch dims, 1-D operands promoted)
// and Gemm (transA/transB, alpha, beta, constant C broadcast as bias, fused post-ops) through the
// matmul primitive. A constant B is reordered into the primitive's preferred layout once per
// built shape; primitives are cached by input shapes.
#include <map>

#include "runtime/fast/onednn_util.h"

namespace shrink::runtime::fast {
namespace {

using dnnl::memory;
using dt = memory::data_type;

// Row-major strides of `dims`, then swapped on the last two axes when `trans` (reads A^T).
memory::desc Strided(const memory::dims& logical, bool trans) {
  memory::dims stored = logical;
  const size_t r = stored.size();
  if (trans) std::swap(stored[r - 1], stored[r - 2]);
  memory::dims st(r, 1);
  for (int i = static_cast<int>(r) - 2; i >= 0; --i)
    st[static_cast<size_t>(i)] =
        st[static_cast<size_t>(i) + 1] * stored[static_cast<size_t>(i) + 1];
  if (trans) std::swap(st[r - 1], st[r - 2]);
  return memory::desc(logical, dt::f32, st);
}

class MatMulOneDnn : public FastKernel {
 public:
  MatMulOneDnn(const CreateInfo& info, bool gemm) : gemm_(gemm), post_ops_(info.post_ops) {
    const ir::Node& n = *info.node;
    if (info.constants[1]) b_const_ = *info.constants[1];  // shares the constant's buffer
    if (gemm_) {
      trans_a_ = n.GetInt("transA", 0) != 0;
      trans_b_ = n.GetInt("transB", 0) != 0;
      // alpha folds into the constant B (oneDNN output scales would also scale the bias).
      const float alpha = n.GetFloat("alpha", 1.0f);
      if (alpha != 1.0f) {
        b_const_ = b_const_.Clone();
        owns_b_ = true;
        for (int64_t i = 0; i < b_const_.numel(); ++i) b_const_.data<float>()[i] *= alpha;
      }
      const float beta = n.GetFloat("beta", 1.0f);
      if (info.constants.size() > 2 && info.constants[2] && beta != 0.0f) {
        bias_ = info.constants[2]->Clone();
        if (beta != 1.0f)
          for (int64_t i = 0; i < bias_.numel(); ++i) bias_.data<float>()[i] *= beta;
      }
    }
    Reshape(info.input_shapes);
  }

  std::vector<OutputSpec> Reshape(const std::vector<Shape>& shapes) override {
    std::vector<Shape> key{shapes[0], shapes[1]};
    auto it = cache_.find(key);
    if (it == cache_.end()) it = cache_.emplace(key, Build(shapes[0], shapes[1])).first;
    current_ = &it->second;
    return {{DataType::kFloat32, current_->y_shape}};
  }

  // The reordered copies, and B itself when scaled by alpha (else it shares the constant's buffer).
  size_t weight_bytes() const override {
    size_t n = (owns_b_ ? b_const_.nbytes() : 0) + (bias_.defined() ? bias_.nbytes() : 0);
    for (const auto& [shapes, b] : cache_)
      if (b_const_.defined()) n += b.b.get_desc().get_size();
    return n;
  }

  void Run(const std::vector<const void*>& in, const std::vector<void*>& out) override {
    Built& b = *current_;
    b.a.set_data_handle(const_cast<void*>(in[0]));
    if (!b_const_.defined()) b.b.set_data_handle(const_cast<void*>(in[1]));
    b.y.set_data_handle(out[0]);
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, b.a}, {DNNL_ARG_WEIGHTS, b.b}, {DNNL_ARG_DST, b.y}};
    if (b.has_bias) args[DNNL_ARG_BIAS] = b.bias;
    b.mm.execute(CpuStream(), args);
    CpuStream().wait();
  }

 private:
  struct Built {
    Shape y_shape;
    dnnl::matmul mm;
    memory a, b, y, bias;
    bool has_bias = false;
  };

  Built Build(Shape a, Shape bs) {
    Built out;
    if (gemm_) {
      if (a.size() != 2 || bs.size() != 2) Throw(StatusCode::kInvalidArgument, "Gemm rank");
      const int64_t m = trans_a_ ? a[1] : a[0], k = trans_a_ ? a[0] : a[1];
      const int64_t kb = trans_b_ ? bs[1] : bs[0], n = trans_b_ ? bs[0] : bs[1];
      if (k != kb) Throw(StatusCode::kInvalidArgument, "Gemm K mismatch");
      out.y_shape = {m, n};
      return Finish(out, {m, k}, {k, n}, {m, n}, trans_a_, trans_b_);
    }
    // MatMul: promote 1-D, broadcast batch dims.
    const bool a1 = a.size() == 1, b1 = bs.size() == 1;
    if (a1) a.insert(a.begin(), 1);
    if (b1) bs.push_back(1);
    const size_t r = std::max(a.size(), bs.size());
    if (r > 12) Throw(StatusCode::kUnimplemented, "MatMul rank");
    while (a.size() < r) a.insert(a.begin(), 1);
    while (bs.size() < r) bs.insert(bs.begin(), 1);
    if (a[r - 1] != bs[r - 2]) Throw(StatusCode::kInvalidArgument, "MatMul K mismatch");
    Shape y(r);
    for (size_t i = 0; i + 2 < r; ++i) {
      if (a[i] != bs[i] && a[i] != 1 && bs[i] != 1)
        Throw(StatusCode::kInvalidArgument, "MatMul batch mismatch");
      y[i] = std::max(a[i], bs[i]);
    }
    y[r - 2] = a[r - 2];
    y[r - 1] = bs[r - 1];
    Shape ys(y.begin(), y.end() - 2);  // ONNX output shape: batch dims, then M/N unless promoted
    const Shape orig_rank_y = y;
    out.y_shape = ys;
    if (!a1) out.y_shape.push_back(y[r - 2]);
    if (!b1) out.y_shape.push_back(y[r - 1]);
    // Drop the leading 1s we added that are not in the ONNX result rank.
    return Finish(out, ToDims(a), ToDims(bs), ToDims(orig_rank_y), false, false);
  }

  Built Finish(Built& out, const memory::dims& ad, const memory::dims& bd, const memory::dims& yd,
               bool ta, bool tb) {
    auto& eng = CpuEngine();
    memory::desc a_md = Strided(ad, ta), y_md = Strided(yd, false);
    memory::desc b_user = Strided(bd, tb);
    memory::desc b_md =
        b_const_.defined() ? memory::desc(bd, dt::f32, memory::format_tag::any) : b_user;
    dnnl::primitive_attr attr;
    if (!post_ops_.empty()) attr.set_post_ops(MakePostOps(post_ops_));
    out.has_bias = bias_.defined();
    std::unique_ptr<dnnl::matmul::desc> d;
    memory::desc bias_md;
    if (out.has_bias) {
      // C broadcasts unidirectionally to [M, N].
      Shape c = bias_.shape();
      while (c.size() < 2) c.insert(c.begin(), 1);
      bias_md = PlainDesc(c);
      d = std::make_unique<dnnl::matmul::desc>(a_md, b_md, bias_md, y_md);
    } else {
      d = std::make_unique<dnnl::matmul::desc>(a_md, b_md, y_md);
    }
    dnnl::matmul::primitive_desc pd(*d, attr, eng);
    out.a = memory(a_md, eng, DNNL_MEMORY_NONE);
    out.y = memory(y_md, eng, DNNL_MEMORY_NONE);
    if (b_const_.defined()) {
      memory user(b_user, eng, b_const_.raw());
      out.b = memory(pd.weights_desc(), eng);
      Reorder(user, out.b);
    } else {
      out.b = memory(b_user, eng, DNNL_MEMORY_NONE);
    }
    if (out.has_bias) out.bias = memory(bias_md, eng, bias_.raw());
    out.mm = dnnl::matmul(pd);
    return std::move(out);
  }

  bool gemm_;
  std::vector<FusedActivation> post_ops_;
  Tensor b_const_, bias_;
  bool trans_a_ = false, trans_b_ = false;
  bool owns_b_ = false;  // b_const_ is a scaled copy (Gemm alpha != 1)
  std::map<std::vector<Shape>, Built> cache_;
  Built* current_ = nullptr;
};

std::unique_ptr<FastKernel> MakeMatMul(const CreateInfo& info) {
  if (info.input_dtypes.size() != 2 || info.input_dtypes[1] != DataType::kFloat32) return nullptr;
  return std::make_unique<MatMulOneDnn>(info, false);
}

std::unique_ptr<FastKernel> MakeGemm(const CreateInfo& info) {
  if (info.input_dtypes.size() < 2 || info.input_dtypes[1] != DataType::kFloat32) return nullptr;
  const bool has_c = info.input_dtypes.size() > 2 && info.input_dtypes[2] != DataType::kUndefined;
  if (has_c && !info.constants[2]) return nullptr;  // runtime C: reference
  if (has_c && info.constants[2]->dtype() != DataType::kFloat32) return nullptr;
  if (info.node->GetFloat("alpha", 1.0f) != 1.0f && !info.constants[1]) return nullptr;
  return std::make_unique<MatMulOneDnn>(info, true);
}

}  // namespace

SHRINK_FAST_KERNEL("", "MatMul", 1, kLatestOpset, DataType::kFloat32, "onednn", MakeMatMul,
                   CanFuseEltwise);
SHRINK_FAST_KERNEL("", "Gemm", 1, kLatestOpset, DataType::kFloat32, "onednn", MakeGemm,
                   CanFuseEltwise);

}  // namespace shrink::runtime::fast
