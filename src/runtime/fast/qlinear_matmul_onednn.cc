// oneDNN int8 MatMul: QLinearMatMul (u8/s8 A with a per-tensor zero point and scale, constant
// (u)int8 2-D B with a per-tensor or per-column zero point and scale, requantized to y_scale /
// y_zero_point inside the primitive) and MatMulInteger (int32 output). A may have any rank >= 1:
// its leading dims are flattened into rows (numpy semantics against a 2-D B). B is converted to s8
// (b - b_zp) once at create and reordered into the primitive's preferred layout once per shape;
// primitives are cached by A's shape. Non-constant B, per-row A parameters or 3-D+ B: the factory
// declines (reference kernel), as do, without VNNI, s8 A and B with more than 7 bits (int8_exact.h:
// Int8DotExactFor). Rounding: see int8_util.h.
// Zero points never reach oneDNN's zero-point attributes (slow kernels, see
// qlinear_conv_onednn.cc): A's is folded into the int32 bias once at create ((a - zp) @ b =
// a @ b - zp * column sums of b, exact), the destination's is an eltwise linear post-op.
// At most kInt8GemvMaxRows rows of A run on the own int8 GEMV (int8_gemv.h; AVX-512 VNNI, or
// AVX2 for the 7-bit weights that run here without VNNI) instead of oneDNN, with the same
// requantization; more rows of u8 A with K a multiple of 4 and an
// 8-bit or float output on the own int8 GEMM (int8_gemm.h), the rows split across the session's
// threads on the spin pool (spin_pool.h): no OpenMP region in an int8 CNN's classifier, whose
// worker thread would spin on the second core for milliseconds after it, against the spin pool's
// helper. Also com.microsoft QGemm (2-D A, transB, int32 bias C added to the accumulator inside the
// primitive, float32 output when y_scale is absent): see MakeQGemm. And com.shrink QMatMulFloat
// (float32 output, passes::FuseQdqFloatOutput): see MakeQMatMulFloat.
#include <omp.h>

#include <algorithm>
#include <map>

#include "runtime/fast/int8_exact.h"
#include "runtime/fast/int8_gemm.h"
#include "runtime/fast/int8_gemv.h"
#include "runtime/fast/int8_util.h"
#include "runtime/fast/spin_pool.h"

namespace shrink::runtime::fast {
namespace {

using dnnl::memory;

constexpr int64_t kSplitMinMacs = 64 * 1024;  // Int8Gemm rows split across threads from here

struct Int8MatMulParams {
  Tensor b;                   // s8 [K, N], b - b_zp
  Tensor bias;                // s32 [N] (QGemm C), or undefined
  std::vector<float> scales;  // empty: int32 output
  int32_t a_zp = 0, y_zp = 0;
  DataType a_dtype = DataType::kUInt8, y_dtype = DataType::kInt32;
};

class Int8MatMulOneDnn : public FastKernel {
 public:
  Int8MatMulOneDnn(const CreateInfo& info, Int8MatMulParams p) : p_(std::move(p)) {
    if (p_.a_zp != 0) FoldSourceZeroPoint();
    Reshape(info.input_shapes);
  }

  std::vector<OutputSpec> Reshape(const std::vector<Shape>& shapes) override {
    current_ = &FindOrBuild(cache_, shapes[0], [this](const Shape& s) { return Build(s); });
    return {{p_.y_dtype, current_->y_shape}};
  }

  // The own GEMV / GEMM paths split on the spin pool; oneDNN's matmul runs OpenMP regions.
  bool openmp_free() const override { return current_->gemv_rows > 0 || current_->gemm_rows > 0; }
  void Run(const std::vector<const void*>& in, const std::vector<void*>& out) override {
    Built& b = *current_;
    if (b.gemm_rows > 0) {
      const int64_t rows = b.gemm_rows, k = p_.b.dim(0), n = p_.b.dim(1);
      const int64_t chunks = rows * k * n >= kSplitMinMacs ? threads_ : 1;
      const auto* a = static_cast<const uint8_t*>(in[0]);
      auto* y = static_cast<uint8_t*>(out[0]);
      const int64_t y_row = n * (rq_.float_out ? 4 : 1);  // bytes
      SpinPool::Run(chunks, threads_, [&](int64_t t) {
        const int64_t r0 = SpinPool::ChunkStart(rows, t, chunks),
                      r1 = SpinPool::ChunkStart(rows, t + 1, chunks);
        if (r1 > r0) Int8Gemm(gemv_, a + r0 * k, k, r1 - r0, rq_, y + r0 * y_row, n);
      });
      return;
    }
    if (b.gemv_rows > 0) {
      Int8Gemv(gemv_, in[0], p_.a_dtype == DataType::kInt8, b.gemv_rows,
               p_.bias.defined() ? p_.bias.data<int32_t>() : nullptr, p_.scales.data(),
               p_.scales.size() > 1, static_cast<float>(p_.y_zp), p_.y_dtype, out[0]);
      return;
    }
    b.a.set_data_handle(const_cast<void*>(in[0]));
    b.y.set_data_handle(out[0]);
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, b.a}, {DNNL_ARG_WEIGHTS, b.b}, {DNNL_ARG_DST, b.y}};
    if (p_.bias.defined()) args[DNNL_ARG_BIAS] = b.bias;
    b.mm.execute(CpuStream(), args);
    CpuStream().wait();
  }

 private:
  struct Built {
    Shape y_shape;
    int64_t gemv_rows = 0;  // > 0: run on Int8Gemv
    int64_t gemm_rows = 0;  // > 0: run on Int8Gemm
    dnnl::matmul mm;
    memory a, b, y, bias;
  };

  Built Build(const Shape& a) {
    const int64_t k = p_.b.dim(0), n = p_.b.dim(1);
    if (a.empty() || a.back() != k) Throw(StatusCode::kInvalidArgument, "MatMul K mismatch");
    Built out;
    out.y_shape = a;
    out.y_shape.back() = n;
    if (a.size() == 1) out.y_shape = {n};
    const int64_t m = NumElements(a) / std::max<int64_t>(k, 1);
    // Without VNNI, the AVX2 GEMV (the weights are within 7 bits there: Int8DotExactFor).
    const bool gemv = Int8GemvAvailable() || Int8GemvAvx2Available();
    if (m > 0 && m <= kInt8GemvMaxRows && gemv && !p_.scales.empty() &&
        p_.y_dtype != DataType::kInt32) {
      if (gemv_.n == 0) gemv_ = PackInt8Gemv(p_.b.data<int8_t>(), k, n);
      out.gemv_rows = m;
      return out;
    }
    if (m > kInt8GemvMaxRows && k % 4 == 0 && Int8GemvAvailable() && !p_.scales.empty() &&
        p_.a_dtype == DataType::kUInt8 && p_.y_dtype != DataType::kInt32) {
      if (gemv_.n == 0) gemv_ = PackInt8Gemv(p_.b.data<int8_t>(), k, n);
      if (rq_.scales.empty()) rq_ = GemmRequant(n);
      out.gemm_rows = m;
      return out;
    }
    auto& eng = CpuEngine();
    memory::desc a_md = PlainDesc({m, k}, DnnlType(p_.a_dtype));
    memory::desc y_md = PlainDesc({m, n}, DnnlType(p_.y_dtype));
    memory::desc b_any({k, n}, memory::data_type::s8, memory::format_tag::any);
    dnnl::primitive_attr attr;
    if (!p_.scales.empty()) attr.set_output_scales(p_.scales.size() > 1 ? 1 << 1 : 0, p_.scales);
    if (p_.y_zp != 0) attr.set_post_ops(ZeroPointPostOp(p_.y_zp));
    memory::desc bias_md = PlainDesc({1, n}, memory::data_type::s32);
    dnnl::matmul::primitive_desc pd(p_.bias.defined()
                                        ? dnnl::matmul::desc(a_md, b_any, bias_md, y_md)
                                        : dnnl::matmul::desc(a_md, b_any, y_md),
                                    attr, eng);
    if (p_.bias.defined()) out.bias = memory(bias_md, eng, p_.bias.raw());
    out.a = memory(a_md, eng, DNNL_MEMORY_NONE);
    out.y = memory(y_md, eng, DNNL_MEMORY_NONE);
    memory user(PlainDesc({k, n}, memory::data_type::s8), eng, p_.b.raw());
    out.b = memory(pd.weights_desc(), eng);
    Reorder(user, out.b);
    out.mm = dnnl::matmul(pd);
    return out;
  }

  // The GEMM's requantization: the (zero-point folded) bias and the scales per column.
  Int8Requant GemmRequant(int64_t n) const {
    Int8Requant rq;
    rq.bias.assign(static_cast<size_t>(n), 0);
    if (p_.bias.defined()) std::copy_n(p_.bias.data<int32_t>(), n, rq.bias.begin());
    rq.scales.resize(static_cast<size_t>(n));
    for (int64_t j = 0; j < n; ++j)
      rq.scales[static_cast<size_t>(j)] = p_.scales[p_.scales.size() > 1 ? j : 0];
    rq.y_zp = static_cast<float>(p_.y_zp);
    rq.float_out = p_.y_dtype == DataType::kFloat32;
    const bool s8 = p_.y_dtype == DataType::kInt8;
    rq.lo = s8 ? -128 : 0;
    rq.hi = s8 ? 127 : 255;
    return rq;
  }

  // bias[n] -= a_zp * sum_k b[k, n]; a bias of zeros first when there is none.
  void FoldSourceZeroPoint() {
    const int64_t k = p_.b.dim(0), n = p_.b.dim(1);
    if (!p_.bias.defined()) {
      p_.bias = Tensor(DataType::kInt32, {n});
      std::fill_n(p_.bias.data<int32_t>(), n, 0);
    }
    const int8_t* b = p_.b.data<int8_t>();
    int32_t* bias = p_.bias.data<int32_t>();
    for (int64_t j = 0; j < n; ++j) {
      int32_t sum = 0;
      for (int64_t i = 0; i < k; ++i) sum += b[i * n + j];
      bias[j] -= p_.a_zp * sum;
    }
    p_.a_zp = 0;
  }

  Int8MatMulParams p_;
  Int8GemvWeights gemv_;  // packed at the first shape that runs on Int8Gemv / Int8Gemm
  Int8Requant rq_;        // Int8Gemm's
  const int threads_ = omp_get_max_threads();  // the session's count for this kernel
  std::map<Shape, Built> cache_;
  Built* current_ = nullptr;
};

// The kernel, where its products are exact (int8_exact.h).
std::unique_ptr<FastKernel> MakeInt8MatMul(const CreateInfo& info, Int8MatMulParams p) {
  if (!Int8DotExactFor(p.a_dtype, p.b)) return nullptr;
  return std::make_unique<Int8MatMulOneDnn>(info, std::move(p));
}

// QLinearMatMul(a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp).
std::unique_ptr<FastKernel> MakeQLinearMatMul(const CreateInfo& info) {
  const Tensor* b = ConstInput(info, 3);
  auto as = FloatsOf(ConstInput(info, 1)), bs = FloatsOf(ConstInput(info, 4)),
       ys = FloatsOf(ConstInput(info, 6));
  auto azp = ScalarInt(ConstInput(info, 2), OmittedInput(info, 2));
  auto yzp = ScalarInt(ConstInput(info, 7), OmittedInput(info, 7));
  if (!b || b->rank() != 2 || !as || !bs || !ys || !azp || !yzp) return nullptr;
  if (as->size() != 1 || ys->size() != 1) return nullptr;
  if (bs->size() != 1 && static_cast<int64_t>(bs->size()) != b->dim(1)) return nullptr;
  if (!OmittedInput(info, 5) && !ConstInput(info, 5)) return nullptr;
  Int8MatMulParams p;
  p.a_dtype = info.input_dtypes[0];
  p.y_dtype = OmittedInput(info, 7) ? DataType::kUInt8 : info.input_dtypes[7];
  if (p.y_dtype != DataType::kUInt8 && p.y_dtype != DataType::kInt8) return nullptr;
  auto s8 = ToS8Weights(*b, ConstInput(info, 5), 1);
  if (!s8) return nullptr;
  p.b = std::move(*s8);
  p.scales = OutputScales((*as)[0], *bs, (*ys)[0]);
  p.a_zp = *azp;
  p.y_zp = *yzp;
  return MakeInt8MatMul(info, std::move(p));
}

// MatMulInteger(a, b[, a_zp, b_zp]) -> int32.
std::unique_ptr<FastKernel> MakeMatMulInteger(const CreateInfo& info) {
  const Tensor* b = ConstInput(info, 1);
  auto azp = ScalarInt(ConstInput(info, 2), OmittedInput(info, 2));
  if (!b || b->rank() != 2 || !azp || (!OmittedInput(info, 3) && !ConstInput(info, 3)))
    return nullptr;
  Int8MatMulParams p;
  p.a_dtype = info.input_dtypes[0];
  auto s8 = ToS8Weights(*b, ConstInput(info, 3), 1);
  if (!s8) return nullptr;
  p.b = std::move(*s8);
  p.a_zp = *azp;
  return MakeInt8MatMul(info, std::move(p));
}

// com.shrink QMatMulFloat(a, a_scale, a_zp, b, b_scale, b_zp) -> float32 (passes::
// FuseQdqFloatOutput): a of any rank, constant 2-D b, output scales a_scale * b_scale[n].
std::unique_ptr<FastKernel> MakeQMatMulFloat(const CreateInfo& info) {
  const Tensor* b = ConstInput(info, 3);
  auto as = FloatsOf(ConstInput(info, 1)), bs = FloatsOf(ConstInput(info, 4));
  auto azp = ScalarInt(ConstInput(info, 2), OmittedInput(info, 2));
  if (!b || b->rank() != 2 || !as || !bs || !azp || as->size() != 1) return nullptr;
  if (bs->size() != 1 && static_cast<int64_t>(bs->size()) != b->dim(1)) return nullptr;
  if (!OmittedInput(info, 5) && !ConstInput(info, 5)) return nullptr;
  Int8MatMulParams p;
  p.a_dtype = info.input_dtypes[0];
  p.y_dtype = DataType::kFloat32;
  auto s8 = ToS8Weights(*b, ConstInput(info, 5), 1);
  if (!s8) return nullptr;
  p.b = std::move(*s8);
  p.scales = OutputScales((*as)[0], *bs, 1.0f);
  p.a_zp = *azp;
  return MakeInt8MatMul(info, std::move(p));
}

// com.microsoft QGemm(a, a_scale, a_zp, b, b_scale, b_zp[, c][, y_scale][, y_zp]) with transA = 0,
// constant B (transposed to [K, N] here when transB), C absent or an int32 constant scalar / row of
// N; float32 output when y_scale is absent.
std::unique_ptr<FastKernel> MakeQGemm(const CreateInfo& info) {
  const ir::Node& n = *info.node;
  const Tensor* b = ConstInput(info, 3);
  auto as = FloatsOf(ConstInput(info, 1)), bs = FloatsOf(ConstInput(info, 4));
  auto azp = ScalarInt(ConstInput(info, 2), OmittedInput(info, 2));
  if (n.GetInt("transA", 0) != 0 || info.input_shapes[0].size() != 2 || !b || b->rank() != 2 ||
      !as || !bs || !azp)
    return nullptr;
  const bool tb = n.GetInt("transB", 0) != 0;
  const int64_t k = tb ? b->dim(1) : b->dim(0), cols = tb ? b->dim(0) : b->dim(1);
  if (as->size() != 1 || (bs->size() != 1 && static_cast<int64_t>(bs->size()) != cols))
    return nullptr;
  if (!OmittedInput(info, 5) && !ConstInput(info, 5)) return nullptr;
  Int8MatMulParams p;
  p.a_dtype = info.input_dtypes[0];
  auto s8 = ToS8Weights(*b, ConstInput(info, 5), tb ? 0 : 1);
  if (!s8) return nullptr;
  if (tb) {  // [N, K] -> [K, N]
    p.b = Tensor(DataType::kInt8, {k, cols});
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < cols; ++j)
        p.b.data<int8_t>()[i * cols + j] = s8->data<int8_t>()[j * k + i];
  } else {
    p.b = std::move(*s8);
  }
  if (!OmittedInput(info, 6)) {
    const Tensor* c = ConstInput(info, 6);
    if (!c || c->dtype() != DataType::kInt32) return nullptr;
    const bool row = c->numel() == cols && (c->rank() == 1 || (c->rank() == 2 && c->dim(0) == 1));
    if (c->numel() != 1 && !row) return nullptr;
    p.bias = Tensor(DataType::kInt32, {cols});
    for (int64_t j = 0; j < cols; ++j)
      p.bias.data<int32_t>()[j] = c->data<int32_t>()[c->numel() == 1 ? 0 : j];
  }
  const float alpha = n.GetFloat("alpha", 1.0f);
  if (OmittedInput(info, 7)) {  // float output
    p.y_dtype = DataType::kFloat32;
    p.scales = OutputScales(alpha * (*as)[0], *bs, 1.0f);
  } else {
    auto ys = FloatsOf(ConstInput(info, 7));
    auto yzp = ScalarInt(ConstInput(info, 8), OmittedInput(info, 8));
    if (!ys || ys->size() != 1 || !yzp) return nullptr;
    p.y_dtype = OmittedInput(info, 8) ? DataType::kUInt8 : info.input_dtypes[8];
    if (p.y_dtype != DataType::kUInt8 && p.y_dtype != DataType::kInt8) return nullptr;
    p.scales = OutputScales(alpha * (*as)[0], *bs, (*ys)[0]);
    p.y_zp = *yzp;
  }
  p.a_zp = *azp;
  return MakeInt8MatMul(info, std::move(p));
}

}  // namespace

SHRINK_FAST_KERNEL("com.shrink", "QMatMulFloat", 1, kLatestOpset, DataType::kUInt8, "onednn",
                   MakeQMatMulFloat, nullptr);
SHRINK_FAST_KERNEL("com.shrink", "QMatMulFloat", 1, kLatestOpset, DataType::kInt8, "onednn",
                   MakeQMatMulFloat, nullptr);
SHRINK_FAST_KERNEL("com.microsoft", "QGemm", 1, kLatestOpset, DataType::kUInt8, "onednn", MakeQGemm,
                   nullptr);
SHRINK_FAST_KERNEL("com.microsoft", "QGemm", 1, kLatestOpset, DataType::kInt8, "onednn", MakeQGemm,
                   nullptr);
SHRINK_FAST_KERNEL("", "QLinearMatMul", 10, kLatestOpset, DataType::kUInt8, "onednn",
                   MakeQLinearMatMul, nullptr);
SHRINK_FAST_KERNEL("", "QLinearMatMul", 10, kLatestOpset, DataType::kInt8, "onednn",
                   MakeQLinearMatMul, nullptr);
SHRINK_FAST_KERNEL("", "MatMulInteger", 10, kLatestOpset, DataType::kUInt8, "onednn",
                   MakeMatMulInteger, nullptr);
SHRINK_FAST_KERNEL("", "MatMulInteger", 10, kLatestOpset, DataType::kInt8, "onednn",
                   MakeMatMulInteger, nullptr);

}  // namespace shrink::runtime::fast
