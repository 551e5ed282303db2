#include "runtime/fast/onednn_util.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace shrink::runtime::fast {

using dnnl::algorithm;

dnnl::engine& CpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& CpuStream() {
  static dnnl::stream stream(CpuEngine());
  return stream;
}

dnnl::memory::dims ToDims(const Shape& s) {
  if (s.empty()) return {1};
  return dnnl::memory::dims(s.begin(), s.end());
}

dnnl::memory::desc PlainDesc(const Shape& s, dnnl::memory::data_type dt) {
  const auto dims = ToDims(s);
  dnnl::memory::dims strides(dims.size(), 1);
  for (int i = static_cast<int>(dims.size()) - 2; i >= 0; --i)
    strides[static_cast<size_t>(i)] = strides[static_cast<size_t>(i) + 1] *
                                      std::max<int64_t>(dims[static_cast<size_t>(i) + 1], 1);
  return dnnl::memory::desc(dims, dt, strides);
}

std::optional<EltwiseSpec> EltwiseFor(const FusedActivation& a) {
  const std::string& op = a.op;
  if (op == "Relu") return EltwiseSpec{algorithm::eltwise_relu, 0.0f, 0.0f};
  if (op == "LeakyRelu") return EltwiseSpec{algorithm::eltwise_relu, a.alpha, 0.0f};
  if (op == "Sigmoid") return EltwiseSpec{algorithm::eltwise_logistic, 0.0f, 0.0f};
  if (op == "Tanh") return EltwiseSpec{algorithm::eltwise_tanh, 0.0f, 0.0f};
  if (op == "Clip") return EltwiseSpec{algorithm::eltwise_clip_v2, a.alpha, a.beta};
  if (op == "Elu") return EltwiseSpec{algorithm::eltwise_elu, a.alpha, 0.0f};
  if (op == "Gelu") return EltwiseSpec{algorithm::eltwise_gelu_erf, 0.0f, 0.0f};
  if (op == "HardSwish") return EltwiseSpec{algorithm::eltwise_hardswish, 0.0f, 0.0f};
  if (op == "Exp") return EltwiseSpec{algorithm::eltwise_exp, 0.0f, 0.0f};
  if (op == "Abs") return EltwiseSpec{algorithm::eltwise_abs, 0.0f, 0.0f};
  if (op == "Sqrt") return EltwiseSpec{algorithm::eltwise_sqrt, 0.0f, 0.0f};
  if (op == "Softplus") return EltwiseSpec{algorithm::eltwise_soft_relu, 0.0f, 0.0f};
  if (op == "Neg") return EltwiseSpec{algorithm::eltwise_linear, -1.0f, 0.0f};
  return std::nullopt;
}

bool CanFuseEltwise(const FusedActivation& act) { return EltwiseFor(act).has_value(); }

bool CanFuseEltwiseOrSum(const FusedActivation& act) {
  return act.op == kSumPostOp || CanFuseEltwise(act);
}

bool HasSum(const std::vector<FusedActivation>& acts) {
  return std::any_of(acts.begin(), acts.end(),
                     [](const FusedActivation& a) { return a.op == kSumPostOp; });
}

dnnl::post_ops MakePostOps(const std::vector<FusedActivation>& acts) {
  dnnl::post_ops ops;
  for (const auto& a : acts) {
    if (a.op == kSumPostOp) {
      ops.append_sum(1.0f);
      continue;
    }
    auto spec = EltwiseFor(a);
    if (!spec) Throw(StatusCode::kUnimplemented, "no oneDNN post-op for " + a.op);
    ops.append_eltwise(1.0f, spec->alg, spec->alpha, spec->beta);
  }
  return ops;
}

WindowGeometry MakeWindow(const ir::Node& node, const Shape& in, const Shape& kernel,
                          bool ceil_mode) {
  const size_t r = in.size();
  WindowGeometry g;
  g.strides = node.GetInts("strides", Shape(r, 1));
  g.dilations = node.GetInts("dilations", Shape(r, 1));
  Shape pads = node.GetInts("pads", Shape(2 * r, 0));
  const std::string auto_pad = node.GetString("auto_pad", "NOTSET");
  if (g.strides.size() != r || g.dilations.size() != r || pads.size() != 2 * r ||
      kernel.size() != r)
    Throw(StatusCode::kInvalidArgument, node.Describe() + ": window attribute rank mismatch");
  g.pads_begin.assign(pads.begin(), pads.begin() + static_cast<long>(r));
  g.pads_end.assign(pads.begin() + static_cast<long>(r), pads.end());
  g.out.resize(r);
  for (size_t i = 0; i < r; ++i) {
    const int64_t ek = (kernel[i] - 1) * g.dilations[i] + 1;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      const int64_t out = (in[i] + g.strides[i] - 1) / g.strides[i];
      const int64_t total = std::max<int64_t>(0, (out - 1) * g.strides[i] + ek - in[i]);
      const int64_t small = total / 2;
      g.pads_begin[i] = auto_pad == "SAME_UPPER" ? small : total - small;
      g.pads_end[i] = total - g.pads_begin[i];
    } else if (auto_pad == "VALID") {
      g.pads_begin[i] = g.pads_end[i] = 0;
    } else if (auto_pad != "NOTSET") {
      Throw(StatusCode::kUnimplemented, "auto_pad " + auto_pad);
    }
    const int64_t span = in[i] + g.pads_begin[i] + g.pads_end[i] - ek;
    if (span < 0)
      Throw(StatusCode::kInvalidArgument, node.Describe() + ": window larger than input");
    int64_t out =
        ceil_mode ? (span + g.strides[i] - 1) / g.strides[i] + 1 : span / g.strides[i] + 1;
    // A ceil window that would start inside the end padding is dropped.
    if (ceil_mode && (out - 1) * g.strides[i] >= in[i] + g.pads_begin[i]) --out;
    g.out[i] = out;
  }
  return g;
}

void SrcDstPrimitive::Execute(const void* in, void* out) {
  src.set_data_handle(const_cast<void*>(in));
  dst.set_data_handle(out);
  prim.execute(CpuStream(), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
  CpuStream().wait();
}

void Reorder(dnnl::memory& from, dnnl::memory& to) {
  dnnl::reorder(from, to).execute(CpuStream(), from, to);
  CpuStream().wait();
}

}  // namespace shrink::runtime::fast
