// oneDNN fp32 MatMul (numpy semantics, batched with broadcast batch dims, 1-D operands promoted)
// and Gemm (transA/transB, alpha, beta, constant C broadcast as bias, fused post-ops) through the
// matmul primitive; MatMul applies a constant [N] bias the plan fused (CreateInfo::bias). Both
// write straight into the output, so a fused residual Add (kSumPostOp) accumulates into it. A
// constant B is reordered into the primitive's preferred layout once per built shape; primitives
// are cached by input shapes.
#include <map>

#include "runtime/fast/onednn_util.h"

namespace shrink::runtime::fast {
namespace {

using dnnl::memory;
using dt = memory::data_type;

// Row-major strides of `logical`, then swapped on the last two axes when `trans` (reads A^T).
memory::dims StridesOf(const memory::dims& logical, bool trans) {
  memory::dims stored = logical;
  const size_t r = stored.size();
  if (trans) std::swap(stored[r - 1], stored[r - 2]);
  memory::dims st(r, 1);
  for (size_t i = r - 1; i-- > 0;) st[i] = st[i + 1] * stored[i + 1];
  if (trans) std::swap(st[r - 1], st[r - 2]);
  return st;
}

memory::desc Strided(const memory::dims& logical, bool trans) {
  return memory::desc(logical, dt::f32, StridesOf(logical, trans));
}

// A constant-B product with more than kSplitMinN output columns runs as column blocks of at most
// kChunkN, when there are at least kSplitMinRows output rows: oneDNN 2.6's brgemm matmul is ~2x
// slower on [128, 768] x [768, 3072] than on four [768, 768] blocks, and BERT-base runs ~15%
// faster end to end with 384-column blocks than with 768 (measured at batch 1 and 8).
constexpr int64_t kChunkN = 384;
constexpr int64_t kSplitMinN = 512;
constexpr int64_t kSplitMinRows = 32;

class MatMulOneDnn : public FastKernel {
 public:
  MatMulOneDnn(const CreateInfo& info, bool gemm) : gemm_(gemm), post_ops_(info.post_ops) {
    const ir::Node& n = *info.node;
    if (info.constants[1]) b_const_ = *info.constants[1];  // shares the constant's buffer
    if (!gemm && info.bias) bias_ = *info.bias;            // [N], fused by the plan
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
      for (const Part& p : b.parts)
        if (b_const_.defined()) n += p.b.get_desc().get_size();
    return n;
  }

  void Run(const std::vector<const void*>& in, const std::vector<void*>& out) override {
    for (Part& p : current_->parts) {
      p.a.set_data_handle(const_cast<void*>(in[0]));
      if (!b_const_.defined()) p.b.set_data_handle(const_cast<void*>(in[1]));
      p.y.set_data_handle(static_cast<float*>(out[0]) + p.y_offset);
      std::unordered_map<int, memory> args{
          {DNNL_ARG_SRC, p.a}, {DNNL_ARG_WEIGHTS, p.b}, {DNNL_ARG_DST, p.y}};
      if (p.has_bias) args[DNNL_ARG_BIAS] = p.bias;
      p.mm.execute(CpuStream(), args);
    }
    CpuStream().wait();
  }

 private:
  // One block of output columns [y_offset, y_offset + its N) (the whole output unless split).
  struct Part {
    dnnl::matmul mm;
    memory a, b, y, bias;
    bool has_bias = false;
    int64_t y_offset = 0;
  };
  struct Built {
    Shape y_shape;
    std::vector<Part> parts;
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
    const size_t r = yd.size();
    const int64_t n = yd[r - 1];
    int64_t rows = 1;
    for (size_t i = 0; i + 1 < r; ++i) rows *= yd[i];
    int64_t chunk = std::max<int64_t>(n, 1);
    if (b_const_.defined() && n > kSplitMinN && rows >= kSplitMinRows) {
      const int64_t parts = (n + kChunkN - 1) / kChunkN;
      chunk = ((n + parts - 1) / parts + 15) / 16 * 16;
    }
    const memory::desc a_md = Strided(ad, ta);
    const memory::dims b_st = StridesOf(bd, tb), y_st = StridesOf(yd, false);
    memory::dims c;  // the bias broadcast to the output rank, and its strides
    if (bias_.defined()) {
      // C broadcasts unidirectionally to [M, N] (MatMul: a [N] bias to [..., M, N]).
      c = ToDims(bias_.shape());
      while (c.size() < r) c.insert(c.begin(), 1);
    }
    const memory::dims c_st = bias_.defined() ? StridesOf(c, false) : memory::dims{};
    dnnl::primitive_attr attr;
    if (!post_ops_.empty()) attr.set_post_ops(MakePostOps(post_ops_));
    for (int64_t n0 = 0; n0 < std::max<int64_t>(n, 1); n0 += chunk) {
      const int64_t nc = std::min(chunk, n - n0);
      Part p;
      p.y_offset = n0;
      memory::dims bd_p = bd, yd_p = yd;
      bd_p[r - 1] = nc;
      yd_p[r - 1] = nc;
      const memory::desc b_user(bd_p, dt::f32, b_st), y_md(yd_p, dt::f32, y_st);
      const memory::desc b_md =
          b_const_.defined() ? memory::desc(bd_p, dt::f32, memory::format_tag::any) : b_user;
      p.has_bias = bias_.defined();
      std::unique_ptr<dnnl::matmul::desc> d;
      memory::desc bias_md;
      int64_t bias_off = 0;
      if (p.has_bias) {
        memory::dims c_p = c;
        if (c[r - 1] == n && n != nc) {
          c_p[r - 1] = nc;
          bias_off = n0 * c_st[r - 1];
        }
        bias_md = memory::desc(c_p, dt::f32, c_st);
        d = std::make_unique<dnnl::matmul::desc>(a_md, b_md, bias_md, y_md);
      } else {
        d = std::make_unique<dnnl::matmul::desc>(a_md, b_md, y_md);
      }
      dnnl::matmul::primitive_desc pd(*d, attr, eng);
      p.a = memory(a_md, eng, DNNL_MEMORY_NONE);
      p.y = memory(y_md, eng, DNNL_MEMORY_NONE);
      if (b_const_.defined()) {
        memory user(b_user, eng, static_cast<float*>(b_const_.raw()) + n0 * b_st[r - 1]);
        p.b = memory(pd.weights_desc(), eng);
        Reorder(user, p.b);
      } else {
        p.b = memory(b_user, eng, DNNL_MEMORY_NONE);
      }
      if (p.has_bias) p.bias = memory(bias_md, eng, static_cast<float*>(bias_.raw()) + bias_off);
      p.mm = dnnl::matmul(pd);
      out.parts.push_back(std::move(p));
    }
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

// MatMul also takes a bias the plan fused (CreateInfo::bias).
static FastRegistrar matmul_registrar(FastKernelDef{"", "MatMul", 1, kLatestOpset,
                                                    DataType::kFloat32, "onednn", MakeMatMul,
                                                    CanFuseEltwiseOrSum, nullptr,
                                                    /*takes_bias=*/true});
SHRINK_FAST_KERNEL("", "Gemm", 1, kLatestOpset, DataType::kFloat32, "onednn", MakeGemm,
                   CanFuseEltwiseOrSum);

}  // namespace shrink::runtime::fast
