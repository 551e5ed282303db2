#include "zoo/builders/common.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <new>
#include <unordered_map>
#include <unordered_set>

#include "ir/verifier.h"

namespace shrink::zoo::detail {

using ir::MakeAttr;
using ir::Value;

Tensor WeightGen::Uniform(const Shape& shape, float lo, float hi) {
  Tensor t(DataType::kFloat32, shape);
  float* p = t.data<float>();
  const int64_t n = t.numel();
  const double scale = (static_cast<double>(hi) - lo) / 16777216.0;  // 2^24
  // Two 24-bit uniforms per 64-bit draw.
  for (int64_t i = 0; i < n; i += 2) {
    const uint64_t bits = rng_();
    p[i] = static_cast<float>(lo + scale * static_cast<double>(bits >> 40));
    if (i + 1 < n)
      p[i + 1] = static_cast<float>(lo + scale * static_cast<double>((bits >> 8) & 0xFFFFFFu));
  }
  return t;
}

Tensor WeightGen::Scaled(const Shape& shape, float std) {
  const float a = std * std::sqrt(3.0f);
  return Uniform(shape, -a, a);
}

Tensor WeightGen::He(const Shape& shape, int64_t fan_in) {
  return Scaled(shape, std::sqrt(2.0f / static_cast<float>(fan_in)));
}

Tensor WeightGen::Xavier(const Shape& shape, int64_t fan_in, int64_t fan_out) {
  return Scaled(shape, std::sqrt(2.0f / static_cast<float>(fan_in + fan_out)));
}

Tensor Filled(const Shape& shape, float value) {
  Tensor t(DataType::kFloat32, shape);
  std::fill(t.data<float>(), t.data<float>() + t.numel(), value);
  return t;
}

Value* Ctx::I64(const std::vector<int64_t>& v) {
  return b.Const(Tensor::FromVector<int64_t>({static_cast<int64_t>(v.size())}, v));
}

Value* Ctx::F32(float v) { return b.Const(Tensor::Scalar<float>(v)); }

namespace {

// ONNX Runtime rejects graphs with duplicate node names; GraphBuilder only makes value names
// unique, so unnamed nodes of one op type would all be called after it.
void MakeNodeNamesUnique(ir::Graph& g) {
  std::unordered_set<std::string> used;
  std::unordered_map<std::string, int> next;
  for (const auto& n : g.nodes()) {
    const std::string base = n->name().empty() ? n->op_type() : n->name();
    std::string name = base;
    while (!used.insert(name).second) name = base + "_" + std::to_string(++next[base]);
    if (name != n->name()) n->set_name(name);
  }
}

}  // namespace

Expected<ir::Model> BuildModel(const BuildOptions& options, const std::string& graph_name,
                               const std::function<void(Ctx&)>& body) {
  if (options.opset < 17 || options.opset > 18)
    return Unimplemented("zoo builders emit opset 17 or 18 (LayerNormalization needs 17); got " +
                         std::to_string(options.opset));
  try {
    ir::Model model = ir::MakeModel(options.opset);
    model.graph->set_name(graph_name);
    model.producer_name = "shrink-zoo";
    ir::GraphBuilder b(*model.graph);
    WeightGen gen(options.seed);
    Ctx c{b, gen};
    body(c);
    MakeNodeNamesUnique(*model.graph);
    SHRINK_RETURN_IF_ERROR(model.graph->TopologicalSort());
    SHRINK_RETURN_IF_ERROR(ir::Verify(model));
    return model;
  } catch (const Error& e) {
    return e.ToStatus().WithContext("building " + graph_name);
  } catch (const std::bad_alloc&) {
    return ResourceExhausted("out of memory building " + graph_name);
  }
}

ir::Attribute Ints(const std::string& name, std::vector<int64_t> v) {
  return MakeAttr(name, std::move(v));
}

Value* Conv(Ctx& c, Value* x, const std::string& name, const ConvSpec& s) {
  SHRINK_CHECK(s.cin % s.group == 0 && s.cout % s.group == 0, "Conv " + name + ": bad group");
  const int64_t cin_g = s.cin / s.group;
  const int64_t fan_in = cin_g * s.kernel * (s.conv1d ? 1 : s.kernel);
  Shape wshape =
      s.conv1d ? Shape{s.cout, cin_g, s.kernel} : Shape{s.cout, cin_g, s.kernel, s.kernel};
  const float std = std::sqrt(s.gain / static_cast<float>(fan_in));
  std::vector<Value*> in = {x, c.W(name + ".weight", c.gen.Scaled(wshape, std))};
  if (s.bias) {
    const float bound = 1.0f / std::sqrt(static_cast<float>(fan_in));  // PyTorch's bias init
    in.push_back(c.W(name + ".bias", c.gen.Uniform({s.cout}, -bound, bound)));
  }
  const int nd = s.conv1d ? 1 : 2;
  std::vector<ir::Attribute> attrs;
  attrs.push_back(MakeAttr("dilations", std::vector<int64_t>(nd, 1)));
  attrs.push_back(MakeAttr("group", s.group));
  attrs.push_back(MakeAttr("kernel_shape", std::vector<int64_t>(nd, s.kernel)));
  attrs.push_back(MakeAttr("pads", std::vector<int64_t>(2 * nd, s.pad)));
  attrs.push_back(MakeAttr("strides", std::vector<int64_t>(nd, s.stride)));
  return c.Op("Conv", in, std::move(attrs), name);
}

Value* BatchNorm(Ctx& c, Value* x, const std::string& name, int64_t channels, float gamma_lo,
                 float gamma_hi) {
  Value* gamma = c.W(name + ".weight", c.gen.Uniform({channels}, gamma_lo, gamma_hi));
  Value* beta = c.W(name + ".bias", c.gen.Uniform({channels}, -0.1f, 0.1f));
  Value* mean = c.W(name + ".running_mean", c.gen.Uniform({channels}, -0.1f, 0.1f));
  Value* var = c.W(name + ".running_var", c.gen.Uniform({channels}, 0.7f, 1.3f));
  return c.Op("BatchNormalization", {x, gamma, beta, mean, var},
              {MakeAttr("epsilon", 1e-5f), MakeAttr("momentum", 0.9f)}, name);
}

Value* ConvBn(Ctx& c, Value* x, const std::string& conv_name, const std::string& bn_name,
              const ConvSpec& s, float gamma_lo, float gamma_hi) {
  return BatchNorm(c, Conv(c, x, conv_name, s), bn_name, s.cout, gamma_lo, gamma_hi);
}

Value* Relu(Ctx& c, Value* x) { return c.Op("Relu", {x}); }

Value* Relu6(Ctx& c, Value* x) { return c.Op("Clip", {x, c.F32(0.0f), c.F32(6.0f)}); }

Value* Classifier(Ctx& c, Value* x, const std::string& name, int64_t in, int64_t out) {
  Value* pooled = c.Op("GlobalAveragePool", {x});
  Value* flat = c.Op("Flatten", {pooled}, {MakeAttr("axis", 1)});
  const float bound = 1.0f / std::sqrt(static_cast<float>(in));
  Value* w = c.W(name + ".weight", c.gen.Xavier({out, in}, in, out));
  Value* b = c.W(name + ".bias", c.gen.Uniform({out}, -bound, bound));
  return c.Op("Gemm", {flat, w, b},
              {MakeAttr("alpha", 1.0f), MakeAttr("beta", 1.0f), MakeAttr("transB", 1)}, name);
}

Value* Linear(Ctx& c, Value* x, const std::string& name, int64_t in, int64_t out, float std,
              bool bias) {
  Value* y = c.Op("MatMul", {x, c.W(name + ".weight", c.gen.Scaled({in, out}, std))}, {},
                  name + "/MatMul");
  if (!bias) return y;
  return c.Op("Add", {y, c.W(name + ".bias", c.gen.Uniform({out}, -0.02f, 0.02f))}, {},
              name + "/Add");
}

Value* LayerNorm(Ctx& c, Value* x, const std::string& name, int64_t dim, float eps) {
  Value* gamma = c.W(name + ".weight", c.gen.Uniform({dim}, 0.9f, 1.1f));
  Value* beta = c.W(name + ".bias", c.gen.Uniform({dim}, -0.05f, 0.05f));
  return c.Op("LayerNormalization", {x, gamma, beta},
              {MakeAttr("axis", -1), MakeAttr("epsilon", eps)}, name);
}

Value* GeluErf(Ctx& c, Value* x) {
  Value* scaled = c.Op("Div", {x, c.F32(1.4142135381698608f)});
  Value* erf = c.Op("Erf", {scaled});
  Value* one_plus = c.Op("Add", {erf, c.F32(1.0f)});
  Value* times_x = c.Op("Mul", {x, one_plus});
  return c.Op("Mul", {times_x, c.F32(0.5f)});
}

Value* GeluTanh(Ctx& c, Value* x) {
  Value* cube = c.Op("Pow", {x, c.F32(3.0f)});
  Value* inner = c.Op("Add", {x, c.Op("Mul", {cube, c.F32(0.044715f)})});
  Value* t = c.Op("Tanh", {c.Op("Mul", {inner, c.F32(0.7978845834732056f)})});
  Value* one_plus = c.Op("Add", {t, c.F32(1.0f)});
  return c.Op("Mul", {c.Op("Mul", {x, c.F32(0.5f)}), one_plus});
}

Value* Swish(Ctx& c, Value* x) { return c.Op("Mul", {x, c.Op("Sigmoid", {x})}); }

Value* SplitHeads(Ctx& c, Value* x, int64_t heads, int64_t head_dim, bool transpose_last) {
  Value* r = c.Op("Reshape", {x, c.I64({0, 0, heads, head_dim})});
  return c.Op("Transpose", {r},
              {Ints("perm", transpose_last ? std::vector<int64_t>{0, 2, 3, 1}
                                           : std::vector<int64_t>{0, 2, 1, 3})});
}

Value* MergeHeads(Ctx& c, Value* x, int64_t dim) {
  Value* t = c.Op("Transpose", {x}, {Ints("perm", {0, 2, 1, 3})});
  return c.Op("Reshape", {t, c.I64({0, 0, dim})});
}

Value* Attention(Ctx& c, Value* q, Value* k, Value* v, int64_t heads, int64_t dim,
                 Value* additive_mask, Value* keep) {
  SHRINK_CHECK(dim % heads == 0, "Attention: dim not divisible by heads");
  const int64_t hd = dim / heads;
  Value* qh = SplitHeads(c, q, heads, hd, false);
  Value* kh = SplitHeads(c, k, heads, hd, true);
  Value* vh = SplitHeads(c, v, heads, hd, false);
  Value* scores = c.Op("MatMul", {qh, kh});
  scores = c.Op("Div", {scores, c.F32(std::sqrt(static_cast<float>(hd)))});
  if (keep != nullptr)
    scores = c.Op("Where", {keep, scores, c.F32(std::numeric_limits<float>::lowest())});
  if (additive_mask != nullptr) scores = c.Op("Add", {scores, additive_mask});
  Value* probs = c.Op("Softmax", {scores}, {MakeAttr("axis", -1)});
  return MergeHeads(c, c.Op("MatMul", {probs, vh}), dim);
}

}  // namespace shrink::zoo::detail
