// Trainable NN ops: Conv/ConvTranspose, Gemm/MatMul, pools, normalisations, Dropout.
#include <limits>

#include "train/torch_program.h"

namespace shrink::train {
namespace {

struct Pads {
  std::vector<int64_t> begin, end;
  bool symmetric() const { return begin == end; }
  // torch's constant_pad_nd order: last spatial dim first.
  std::vector<int64_t> torch_order() const {
    std::vector<int64_t> p;
    for (size_t i = begin.size(); i-- > 0;) {
      p.push_back(begin[i]);
      p.push_back(end[i]);
    }
    return p;
  }
};

std::vector<int64_t> IntsOr(const ir::Node& n, const char* name, size_t count, int64_t dflt) {
  auto v = n.GetInts(name);
  if (v.empty()) v.assign(count, dflt);
  if (v.size() != count)
    Throw(StatusCode::kInvalidArgument, std::string("attribute ") + name + " has " +
                                            std::to_string(v.size()) + " values, expected " +
                                            std::to_string(count));
  return v;
}

Pads ComputePads(const ir::Node& n, const torch::Tensor& x, const std::vector<int64_t>& kernel,
                 const std::vector<int64_t>& strides, const std::vector<int64_t>& dilations) {
  const size_t k = kernel.size();
  Pads p{std::vector<int64_t>(k, 0), std::vector<int64_t>(k, 0)};
  const std::string auto_pad = n.GetString("auto_pad", "NOTSET");
  if (auto_pad == "NOTSET") {
    auto pads = IntsOr(n, "pads", 2 * k, 0);
    for (size_t i = 0; i < k; ++i) {
      p.begin[i] = pads[i];
      p.end[i] = pads[i + k];
    }
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    for (size_t i = 0; i < k; ++i) {
      const int64_t in = x.size(static_cast<int64_t>(i) + 2);
      const int64_t out = (in + strides[i] - 1) / strides[i];
      const int64_t total =
          std::max<int64_t>(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in);
      const int64_t small = total / 2;
      p.begin[i] = auto_pad == "SAME_UPPER" ? small : total - small;
      p.end[i] = total - p.begin[i];
    }
  } else if (auto_pad != "VALID") {
    Throw(StatusCode::kInvalidArgument, "unknown auto_pad " + auto_pad);
  }
  return p;
}

void Conv(OpContext& c) {
  const auto& x = c.x(0);
  const auto& w = c.x(1);
  const size_t k = static_cast<size_t>(w.dim() - 2);
  std::vector<int64_t> kernel(w.sizes().begin() + 2, w.sizes().end());
  auto strides = IntsOr(c.node, "strides", k, 1);
  auto dilations = IntsOr(c.node, "dilations", k, 1);
  Pads p = ComputePads(c.node, x, kernel, strides, dilations);
  torch::Tensor input = x;
  std::vector<int64_t> padding = p.begin;
  if (!p.symmetric()) {
    input = torch::constant_pad_nd(x, p.torch_order(), 0);
    padding.assign(k, 0);
  }
  c.out[0] =
      torch::convolution(input, w, c.has(2) ? c.in[2] : torch::Tensor(), strides, padding,
                         dilations, false, std::vector<int64_t>(k, 0), c.node.GetInt("group", 1));
}

void ConvTranspose(OpContext& c) {
  const auto& x = c.x(0);
  const auto& w = c.x(1);
  const size_t k = static_cast<size_t>(w.dim() - 2);
  if (c.node.HasAttr("output_shape"))
    Throw(StatusCode::kUnimplemented, "ConvTranspose output_shape is not trainable yet");
  const std::string auto_pad = c.node.GetString("auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && auto_pad != "VALID")
    Throw(StatusCode::kUnimplemented, "ConvTranspose auto_pad " + auto_pad + " not trainable yet");
  auto strides = IntsOr(c.node, "strides", k, 1);
  auto dilations = IntsOr(c.node, "dilations", k, 1);
  auto out_pad = IntsOr(c.node, "output_padding", k, 0);
  auto pads =
      auto_pad == "VALID" ? std::vector<int64_t>(2 * k, 0) : IntsOr(c.node, "pads", 2 * k, 0);
  bool symmetric = true;
  for (size_t i = 0; i < k; ++i) symmetric = symmetric && pads[i] == pads[i + k];
  const int64_t group = c.node.GetInt("group", 1);
  const torch::Tensor bias = c.has(2) ? c.in[2] : torch::Tensor();
  if (symmetric) {
    c.out[0] = torch::convolution(x, w, bias, strides,
                                  std::vector<int64_t>(pads.begin(), pads.begin() + k), dilations,
                                  true, out_pad, group);
    return;
  }
  auto y = torch::convolution(x, w, bias, strides, std::vector<int64_t>(k, 0), dilations, true,
                              out_pad, group);
  for (size_t i = 0; i < k; ++i) {
    const int64_t d = static_cast<int64_t>(i) + 2;
    y = y.narrow(d, pads[i], y.size(d) - pads[i] - pads[i + k]);
  }
  c.out[0] = y;
}

void Gemm(OpContext& c) {
  auto a = c.x(0), b = c.x(1);
  if (c.node.GetInt("transA", 0)) a = a.t();
  if (c.node.GetInt("transB", 0)) b = b.t();
  const double alpha = c.node.GetFloat("alpha", 1.0f), beta = c.node.GetFloat("beta", 1.0f);
  if (c.has(2) && beta != 0.0) {
    c.out[0] = torch::addmm(c.in[2], a, b, beta, alpha);
  } else {
    auto y = torch::mm(a, b);
    c.out[0] = alpha == 1.0 ? y : y * alpha;
  }
}

void BatchNorm(OpContext& c) {
  const double eps = c.node.GetFloat("epsilon", 1e-5f);
  const double momentum = c.node.GetFloat("momentum", 0.9f);
  // torch updates running = (1 - m) * running + m * batch; ONNX uses momentum the other way.
  c.out[0] = torch::batch_norm(c.x(0), c.x(1), c.x(2), c.x(3), c.x(4), c.training, 1.0 - momentum,
                               eps, false);
  if (c.out.size() > 1) c.out[1] = c.in[3];
  if (c.out.size() > 2) c.out[2] = c.in[4];
}

void LayerNorm(OpContext& c) {
  const auto& x = c.x(0);
  const int64_t axis = c.axis(c.node.GetInt("axis", -1), x.dim());
  const double eps = c.node.GetFloat("epsilon", 1e-5f);
  std::vector<int64_t> norm_shape(x.sizes().begin() + axis, x.sizes().end());
  const auto& scale = c.x(1);
  const torch::Tensor bias = c.has(2) ? c.in[2] : torch::Tensor();
  if (c.out.size() > 1 && c.node.outputs().size() > 1 &&
      (c.node.output(1) != nullptr || c.node.output(2) != nullptr))
    Throw(StatusCode::kUnimplemented, "LayerNormalization Mean/InvStdDev outputs not trainable");
  if (scale.sizes().vec() == norm_shape && (!bias.defined() || bias.sizes().vec() == norm_shape)) {
    c.out[0] = torch::layer_norm(x, norm_shape, scale, bias, eps);
    return;
  }
  std::vector<int64_t> dims;
  for (int64_t d = axis; d < x.dim(); ++d) dims.push_back(d);
  auto mean = x.mean(dims, true);
  auto var = (x - mean).pow(2).mean(dims, true);
  auto y = (x - mean) * torch::rsqrt(var + eps) * scale;
  c.out[0] = bias.defined() ? y + bias : y;
}

void Dropout(OpContext& c) {
  double ratio = 0.5;
  if (c.opset >= 12) {
    if (c.has(1)) ratio = c.in[1].reshape({}).item<double>();
  } else {
    ratio = c.node.GetFloat("ratio", 0.5f);
  }
  const bool want_mask = c.node.output(1) != nullptr;
  if (!want_mask) {
    c.out[0] = torch::dropout(c.x(0), ratio, c.training);
    return;
  }
  auto [y, mask] = at::native_dropout(c.x(0), ratio, c.training);
  c.out[0] = y;
  c.out[1] = mask.to(torch::kBool);
}

void Pool(OpContext& c, bool max) {
  const auto& x = c.x(0);
  const size_t k = static_cast<size_t>(x.dim() - 2);
  if (k < 1 || k > 3) Throw(StatusCode::kUnimplemented, "pooling supports 1-3 spatial dims");
  auto kernel = c.node.GetInts("kernel_shape");
  if (kernel.size() != k) Throw(StatusCode::kInvalidArgument, "kernel_shape has wrong rank");
  auto strides = IntsOr(c.node, "strides", k, 1);
  auto dilations = IntsOr(c.node, "dilations", k, 1);
  const bool ceil = c.node.GetInt("ceil_mode", 0) != 0;
  Pads p = ComputePads(c.node, x, kernel, strides, dilations);
  bool explicit_pad = !p.symmetric();
  for (size_t i = 0; i < k; ++i) explicit_pad = explicit_pad || p.begin[i] * 2 > kernel[i];
  if (max) {
    if (c.node.output(1) != nullptr)
      Throw(StatusCode::kUnimplemented, "MaxPool Indices output is not trainable yet");
    torch::Tensor in = x;
    std::vector<int64_t> pad = p.begin;
    if (explicit_pad) {
      in = torch::constant_pad_nd(x, p.torch_order(), -std::numeric_limits<double>::infinity());
      pad.assign(k, 0);
    }
    if (k == 1) c.out[0] = torch::max_pool1d(in, kernel, strides, pad, dilations, ceil);
    if (k == 2) c.out[0] = torch::max_pool2d(in, kernel, strides, pad, dilations, ceil);
    if (k == 3) c.out[0] = torch::max_pool3d(in, kernel, strides, pad, dilations, ceil);
    return;
  }
  for (int64_t d : dilations)
    if (d != 1) Throw(StatusCode::kUnimplemented, "AveragePool dilations are not trainable yet");
  const bool include_pad = c.node.GetInt("count_include_pad", 0) != 0;
  auto avg = [&](const torch::Tensor& in, const std::vector<int64_t>& pad, bool count_pad) {
    if (k == 1) return torch::avg_pool1d(in, kernel, strides, pad, ceil, count_pad);
    if (k == 2) return torch::avg_pool2d(in, kernel, strides, pad, ceil, count_pad);
    return torch::avg_pool3d(in, kernel, strides, pad, ceil, count_pad);
  };
  if (!explicit_pad) {
    c.out[0] = avg(x, p.begin, include_pad);
    return;
  }
  const std::vector<int64_t> zero(k, 0);
  auto padded = torch::constant_pad_nd(x, p.torch_order(), 0);
  if (include_pad) {  // padded zeros count; ceil-mode overhang does not
    c.out[0] = avg(padded, zero, false);
    return;
  }
  auto mask =
      torch::constant_pad_nd(torch::ones_like(x.select(1, 0).unsqueeze(1)), p.torch_order(), 0);
  c.out[0] = avg(padded, zero, false) / avg(mask, zero, false);
}

}  // namespace

void AddNnOps(OpTable& t) {
  t["Conv"] = Conv;
  t["ConvTranspose"] = ConvTranspose;
  t["Gemm"] = Gemm;
  t["MatMul"] = [](OpContext& c) { c.out[0] = torch::matmul(c.x(0), c.x(1)); };
  t["BatchNormalization"] = BatchNorm;
  t["LayerNormalization"] = LayerNorm;
  t["Dropout"] = Dropout;
  t["MaxPool"] = [](OpContext& c) { Pool(c, true); };
  t["AveragePool"] = [](OpContext& c) { Pool(c, false); };
  t["GlobalAveragePool"] = [](OpContext& c) {
    std::vector<int64_t> dims;
    for (int64_t d = 2; d < c.x(0).dim(); ++d) dims.push_back(d);
    c.out[0] = c.x(0).mean(dims, true);
  };
  t["GlobalMaxPool"] = [](OpContext& c) {
    std::vector<int64_t> dims;
    for (int64_t d = 2; d < c.x(0).dim(); ++d) dims.push_back(d);
    c.out[0] = c.x(0).amax(dims, true);
  };
}

}  // namespace shrink::train
