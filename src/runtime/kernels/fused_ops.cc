// Reference kernels for the fused ops of the internal domain "com.shrink" that the passes create:
//
//   FusedConv(X, W[, B])  Conv attributes + activation, activation_params
//   FusedGemm(A, B[, C])  Gemm attributes + activation, activation_params
//   Gelu(X)               approximate = "none" (erf) | "tanh"  (same values as ONNX 20 Gelu)
//   Attention(Q, Kt, V[, M])  scale: MatMul(Softmax(MatMul(Q, Kt) * scale [+ M], axis=-1), V)
//
// activation is one of "Relu", "Clip" (params [min, max]), "Sigmoid", "HardSwish", "LeakyRelu"
// (params [alpha]), "Gelu", "GeluTanh". The convolution / GEMM part reuses the registered
// default-domain reference kernels (same node attributes), so a fused graph computes exactly what
// the unfused one did, the activation being applied in double and rounded once.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/kernel_util.h"

namespace shrink::runtime {
namespace {

double GeluErf(double x) { return 0.5 * x * (1.0 + std::erf(x / std::numbers::sqrt2)); }
double GeluTanh(double x) {
  const double k = std::sqrt(2.0 / std::numbers::pi);
  return 0.5 * x * (1.0 + std::tanh(k * (x + 0.044715 * x * x * x)));
}

// Applies the node's activation attribute to `y` in place.
void ApplyActivation(const KernelContext& ctx, Tensor& y) {
  const std::string act = ctx.attr_string("activation", "");
  const std::vector<float> p = ctx.attr_floats("activation_params", {});
  auto param = [&](size_t i) {
    if (i >= p.size())
      ctx.Fail("activation " + act + " needs " + std::to_string(i + 1) + " activation_params");
    return static_cast<double>(p[i]);
  };
  double (*fn)(double, double, double) = nullptr;
  double a = 0, b = 0;
  if (act == "Relu") {
    fn = [](double x, double, double) { return x > 0 ? x : 0.0; };
  } else if (act == "Clip") {
    a = param(0);
    b = param(1);
    fn = [](double x, double lo, double hi) { return x < lo ? lo : (x > hi ? hi : x); };
  } else if (act == "Sigmoid") {
    fn = [](double x, double, double) { return 1.0 / (1.0 + std::exp(-x)); };
  } else if (act == "HardSwish") {
    fn = [](double x, double, double) { return x * std::max(0.0, std::min(1.0, x / 6 + 0.5)); };
  } else if (act == "LeakyRelu") {
    a = param(0);
    fn = [](double x, double alpha, double) { return x >= 0 ? x : alpha * x; };
  } else if (act == "Gelu") {
    fn = [](double x, double, double) { return GeluErf(x); };
  } else if (act == "GeluTanh") {
    fn = [](double x, double, double) { return GeluTanh(x); };
  } else {
    ctx.Unsupported("activation '" + act + "'");
  }
  DispatchFloat(ctx, y.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* d = y.data<T>();
    for (int64_t i = 0; i < y.numel(); ++i) d[i] = static_cast<T>(fn(d[i], a, b));
  });
}

// Runs the default-domain kernel `op` with the given inputs and this node's attributes.
Tensor RunBase(const KernelContext& ctx, const char* op, int64_t opset,
               std::vector<const Tensor*> ins) {
  const KernelDef* def = KernelRegistry::Global().Find("", op, opset);
  if (!def) ctx.Fail(std::string("no reference kernel for ") + op);
  KernelContext inner(ctx.node(), opset, std::move(ins), nullptr);
  def->fn(inner);
  return std::move(inner.outputs()[0]);
}

Tensor RunBase(KernelContext& ctx, const char* op, int64_t opset) {
  std::vector<const Tensor*> ins;
  for (int i = 0; i < ctx.num_inputs(); ++i) ins.push_back(ctx.input(i));
  return RunBase(ctx, op, opset, std::move(ins));
}

// MatMul, Mul, Add and Softmax (opset 13: axis attribute absent, so -1) through their reference
// kernels; the node carries only `scale`, which none of them reads.
void AttentionKernel(KernelContext& ctx) {
  const Tensor& q = ctx.in(0);
  Tensor s = RunBase(ctx, "MatMul", 13, {&q, &ctx.in(1)});
  const double scale = ctx.attr_float("scale", 1.0f);
  if (scale != 1.0) {
    Tensor c(s.dtype(), {});
    c.SetFromDouble(0, scale);
    s = RunBase(ctx, "Mul", 14, {&s, &c});
  }
  if (ctx.has_input(3)) s = RunBase(ctx, "Add", 14, {&s, ctx.input(3)});
  Tensor p = RunBase(ctx, "Softmax", 13, {&s});
  ctx.set_output(0, RunBase(ctx, "MatMul", 13, {&p, &ctx.in(2)}));
}

void FusedConvKernel(KernelContext& ctx) {
  Tensor y = RunBase(ctx, "Conv", 11);
  ApplyActivation(ctx, y);
  ctx.set_output(0, std::move(y));
}

void FusedGemmKernel(KernelContext& ctx) {
  Tensor y = RunBase(ctx, "Gemm", 13);
  ApplyActivation(ctx, y);
  ctx.set_output(0, std::move(y));
}

void ShrinkGeluKernel(KernelContext& ctx) {
  const std::string approximate = ctx.attr_string("approximate", "none");
  if (approximate != "none" && approximate != "tanh")
    ctx.Unsupported("approximate='" + approximate + "' (expected 'none' or 'tanh')");
  const bool tanh = approximate == "tanh";
  const Tensor& x = ctx.in(0);
  DispatchFloat(ctx, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor y(x.dtype(), x.shape());
    const T* s = x.data<T>();
    T* d = y.data<T>();
    for (int64_t i = 0; i < x.numel(); ++i)
      d[i] = static_cast<T>(tanh ? GeluTanh(s[i]) : GeluErf(s[i]));
    ctx.set_output(0, std::move(y));
  });
}

}  // namespace

SHRINK_REF_KERNEL("com.shrink", "FusedConv", 1, kLatestOpset, FusedConvKernel);
SHRINK_REF_KERNEL("com.shrink", "FusedGemm", 1, kLatestOpset, FusedGemmKernel);
SHRINK_REF_KERNEL("com.shrink", "Attention", 1, kLatestOpset, AttentionKernel);
SHRINK_REF_KERNEL("com.shrink", "Gelu", 1, kLatestOpset, ShrinkGeluKernel);

}  // namespace shrink::runtime
