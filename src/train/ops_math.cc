// Trainable elementwise ops, activations and reductions (one torch call per ONNX op).
#include <cmath>

#include "train/torch_program.h"

namespace shrink::train {
namespace {

torch::Tensor Softmaxish(const OpContext& c, bool log) {
  const auto& x = c.x(0);
  const int64_t r = x.dim();
  if (c.opset >= 13) {
    const int64_t a = c.axis(c.node.GetInt("axis", -1), r);
    return log ? torch::log_softmax(x, a) : torch::softmax(x, a);
  }
  // Opset < 13: coerce to 2-D at `axis` (default 1) and normalise over the second dimension.
  const int64_t a = c.axis(c.node.GetInt("axis", 1), r);
  auto flat = x.flatten(a).flatten(0, a > 0 ? a - 1 : 0);
  if (a == 0) flat = flat.reshape({1, -1});
  auto y = log ? torch::log_softmax(flat, 1) : torch::softmax(flat, 1);
  return y.reshape(x.sizes());
}

std::vector<int64_t> ReduceAxes(const OpContext& c, bool* noop) {
  std::vector<int64_t> axes;
  if (c.opset >= 18) {
    if (c.has(1)) axes = c.ints(1);
  } else {
    axes = c.node.GetInts("axes");
  }
  *noop = axes.empty() && c.node.GetInt("noop_with_empty_axes", 0) != 0;
  const int64_t r = c.x(0).dim();
  if (axes.empty())
    for (int64_t i = 0; i < r; ++i) axes.push_back(i);
  for (auto& a : axes) a = c.axis(a, r);
  return axes;
}

torch::Tensor Div(const torch::Tensor& a, const torch::Tensor& b) {
  if (a.is_floating_point() || b.is_floating_point()) return torch::div(a, b);
  return torch::div(a, b, "trunc");
}

}  // namespace

void AddMathOps(OpTable& t) {
  t["Add"] = [](OpContext& c) { c.out[0] = torch::add(c.x(0), c.x(1)); };
  t["Sub"] = [](OpContext& c) { c.out[0] = torch::sub(c.x(0), c.x(1)); };
  t["Mul"] = [](OpContext& c) { c.out[0] = torch::mul(c.x(0), c.x(1)); };
  t["Div"] = [](OpContext& c) { c.out[0] = Div(c.x(0), c.x(1)); };
  t["Pow"] = [](OpContext& c) {
    // The result has the base's type (ONNX); a scalar exponent stays a constant.
    const auto& e = c.x(1);
    auto y = e.numel() == 1 ? torch::pow(c.x(0), e.reshape({}).item()) : torch::pow(c.x(0), e);
    c.out[0] = y.to(c.x(0).scalar_type());
  };
  t["Sqrt"] = [](OpContext& c) { c.out[0] = torch::sqrt(c.x(0)); };
  t["Neg"] = [](OpContext& c) { c.out[0] = torch::neg(c.x(0)); };
  t["Exp"] = [](OpContext& c) { c.out[0] = torch::exp(c.x(0)); };
  t["Log"] = [](OpContext& c) { c.out[0] = torch::log(c.x(0)); };
  t["Erf"] = [](OpContext& c) { c.out[0] = torch::erf(c.x(0)); };
  t["Abs"] = [](OpContext& c) { c.out[0] = torch::abs(c.x(0)); };
  t["Reciprocal"] = [](OpContext& c) { c.out[0] = torch::reciprocal(c.x(0)); };
  t["Relu"] = [](OpContext& c) { c.out[0] = torch::relu(c.x(0)); };
  t["LeakyRelu"] = [](OpContext& c) {
    c.out[0] = torch::leaky_relu(c.x(0), c.node.GetFloat("alpha", 0.01f));
  };
  t["Sigmoid"] = [](OpContext& c) { c.out[0] = torch::sigmoid(c.x(0)); };
  t["Tanh"] = [](OpContext& c) { c.out[0] = torch::tanh(c.x(0)); };
  t["Clip"] = [](OpContext& c) {
    c10::optional<c10::Scalar> lo, hi;
    if (c.opset >= 11) {
      if (c.has(1)) lo = c.x(1).reshape({}).item();
      if (c.has(2)) hi = c.x(2).reshape({}).item();
    } else {
      if (c.node.HasAttr("min")) lo = c.node.GetFloat("min", 0);
      if (c.node.HasAttr("max")) hi = c.node.GetFloat("max", 0);
    }
    c.out[0] = torch::clamp(c.x(0), lo, hi);
  };
  t["HardSigmoid"] = [](OpContext& c) {
    const double alpha = c.node.GetFloat("alpha", 0.2f), beta = c.node.GetFloat("beta", 0.5f);
    c.out[0] = torch::clamp(c.x(0) * alpha + beta, 0.0, 1.0);
  };
  t["HardSwish"] = [](OpContext& c) { c.out[0] = torch::hardswish(c.x(0)); };
  t["Gelu"] = [](OpContext& c) {
    c.out[0] = torch::gelu(c.x(0), c.node.GetString("approximate", "none"));
  };
  t["Softmax"] = [](OpContext& c) { c.out[0] = Softmaxish(c, false); };
  t["LogSoftmax"] = [](OpContext& c) { c.out[0] = Softmaxish(c, true); };
  t["ReduceMean"] = [](OpContext& c) {
    bool noop = false;
    auto axes = ReduceAxes(c, &noop);
    c.out[0] = noop ? c.x(0) : torch::mean(c.x(0), axes, c.node.GetInt("keepdims", 1) != 0);
  };
  t["ReduceSum"] = [](OpContext& c) {
    bool noop = false;
    std::vector<int64_t> axes;
    if (c.opset >= 13) {
      if (c.has(1)) axes = c.ints(1);
    } else {
      axes = c.node.GetInts("axes");
    }
    noop = axes.empty() && c.node.GetInt("noop_with_empty_axes", 0) != 0;
    const int64_t r = c.x(0).dim();
    if (axes.empty())
      for (int64_t i = 0; i < r; ++i) axes.push_back(i);
    for (auto& a : axes) a = c.axis(a, r);
    c.out[0] = noop ? c.x(0) : torch::sum(c.x(0), axes, c.node.GetInt("keepdims", 1) != 0);
  };
  t["Where"] = [](OpContext& c) {
    c.out[0] = torch::where(c.x(0).to(torch::kBool), c.x(1), c.x(2));
  };
  t["Equal"] = [](OpContext& c) { c.out[0] = torch::eq(c.x(0), c.x(1)); };
  t["Less"] = [](OpContext& c) { c.out[0] = torch::lt(c.x(0), c.x(1)); };
  t["Greater"] = [](OpContext& c) { c.out[0] = torch::gt(c.x(0), c.x(1)); };
  t["Not"] = [](OpContext& c) { c.out[0] = torch::logical_not(c.x(0)); };
}

}  // namespace shrink::train
