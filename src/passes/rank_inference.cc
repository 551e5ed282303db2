#include "passes/rank_inference.h"

#include <algorithm>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "passes/pattern_util.h"

namespace shrink::passes {
namespace {

// Ops whose output 0 has the rank of input 0.
const std::unordered_set<std::string>& SameRankOps() {
  static const std::unordered_set<std::string> ops = {
      "Abs",
      "AveragePool",
      "BatchNormalization",
      "Cast",
      "Ceil",
      "Clip",
      "Conv",
      "ConvTranspose",
      "CumSum",
      "Dropout",
      "Elu",
      "Erf",
      "Exp",
      "Floor",
      "Gelu",
      "GlobalAveragePool",
      "GlobalMaxPool",
      "Hardmax",
      "HardSigmoid",
      "HardSwish",
      "Identity",
      "InstanceNormalization",
      "LayerNormalization",
      "LeakyRelu",
      "Log",
      "LogSoftmax",
      "LpNormalization",
      "MaxPool",
      "Neg",
      "Not",
      "Pad",
      "Reciprocal",
      "Relu",
      "Resize",
      "Round",
      "Selu",
      "Sigmoid",
      "Sign",
      "Sin",
      "Cos",
      "Slice",
      "Softmax",
      "Softplus",
      "Softsign",
      "Sqrt",
      "Tanh",
      "Tile",
      "Transpose",
      "Upsample",
      "DepthToSpace",
      "SpaceToDepth",
      "QuantizeLinear",
      "DequantizeLinear",
      "ThresholdedRelu",
      "Celu",
      "Mish",
  };
  return ops;
}

// Ops whose output 0 has the largest rank among their inputs (multidirectional broadcasting).
const std::unordered_set<std::string>& BroadcastOps() {
  static const std::unordered_set<std::string> ops = {
      "Add",      "Sub",  "Mul",     "Div",         "Pow",
      "Max",      "Min",  "Sum",     "Mean",        "Where",
      "Equal",    "Less", "Greater", "And",         "Or",
      "Xor",      "Mod",  "PRelu",   "LessOrEqual", "GreaterOrEqual",
      "BitShift",
  };
  return ops;
}

// Axes of a Squeeze/Unsqueeze/Reduce* node from the attribute or the constant input 1.
std::optional<int64_t> AxesCount(const ir::Node& n) {
  if (const ir::Attribute* a = n.FindAttr("axes")) return static_cast<int64_t>(a->ints.size());
  if (n.inputs().size() > 1 && n.input(1)) {
    const Tensor* t = ConstantOf(n.input(1));
    if (!t) return std::nullopt;
    return t->numel();
  }
  return std::nullopt;
}

std::optional<int64_t> Get(const RankMap& ranks, const ir::Value* v) {
  if (!v) return std::nullopt;
  auto it = ranks.find(v);
  if (it == ranks.end()) return std::nullopt;
  return it->second;
}

// Integers of attribute `name`, else of constant input `index`; nullopt when neither.
std::optional<std::vector<int64_t>> IntsOf(const ir::Node& n, const char* name, int index) {
  if (const ir::Attribute* a = n.FindAttr(name)) return a->ints;
  const Tensor* t = ConstantOf(n.input(index));
  if (!t) return std::nullopt;
  std::vector<int64_t> out;
  for (int64_t i = 0; i < t->numel(); ++i) out.push_back(static_cast<int64_t>(t->GetAsDouble(i)));
  return out;
}

// Slice of a 1-D value of known length with constant starts/ends and unit steps.
std::optional<int64_t> SliceLength(const ir::Node& n, const RankMap& lengths) {
  const auto len = Get(lengths, n.input(0));
  const auto starts = IntsOf(n, "starts", 1), ends = IntsOf(n, "ends", 2);
  if (!len || !starts || !ends || starts->size() != 1 || ends->size() != 1) return std::nullopt;
  if (n.inputs().size() > 4 && n.input(4)) {
    const auto steps = IntsOf(n, "", 4);
    if (!steps || steps->size() != 1 || (*steps)[0] != 1) return std::nullopt;
  }
  auto clamp = [&](int64_t i) { return std::clamp(i < 0 ? i + *len : i, int64_t{0}, *len); };
  return std::max(int64_t{0}, clamp((*ends)[0]) - clamp((*starts)[0]));
}

// Length of a 1-D output (shape vectors feeding Reshape/Expand), when it follows from constants,
// Shape of a known-rank input, Unsqueeze of a scalar, or Concat/Cast/Identity of known lengths.
std::optional<int64_t> OutputLength(const ir::Node& n, const RankMap& ranks,
                                    const RankMap& lengths) {
  const std::string& op = n.op_type();
  if (op == "Constant") {
    const Tensor* t = n.GetTensor("value");
    if (t && t->rank() == 1) return t->numel();
    return std::nullopt;
  }
  if (op == "Shape" && !n.HasAttr("start") && !n.HasAttr("end")) return Get(ranks, n.input(0));
  if (op == "Cast" || op == "Identity") return Get(lengths, n.input(0));
  if (op == "Unsqueeze" && Get(ranks, n.input(0)) == 0) return 1;
  if (op == "Slice") return SliceLength(n, lengths);
  if (op == "Concat") {
    int64_t total = 0;
    for (const ir::Value* v : n.inputs()) {
      const auto l = Get(lengths, v);
      if (!l) return std::nullopt;
      total += *l;
    }
    return total;
  }
  return std::nullopt;
}

std::optional<int64_t> OutputRank(const ir::Node& n, const RankMap& ranks, const RankMap& lengths) {
  const std::string& op = n.op_type();
  const auto r0 = Get(ranks, n.input(0));
  if (op == "Constant") {
    const Tensor* t = n.GetTensor("value");
    if (t) return t->rank();
    return std::nullopt;
  }
  if (op == "Shape") return 1;
  if (op == "Size") return 0;
  if (op == "Gemm" || op == "Flatten") return 2;
  if (SameRankOps().count(op)) return r0;
  if (BroadcastOps().count(op)) {
    int64_t r = 0;
    for (const ir::Value* v : n.inputs()) {
      const auto ri = Get(ranks, v);
      if (!ri) return std::nullopt;
      r = std::max(r, *ri);
    }
    return r;
  }
  if (op == "MatMul") {
    const auto r1 = Get(ranks, n.input(1));
    if (r0 && r1 && *r0 >= 2 && *r1 >= 2) return std::max(*r0, *r1);
    return std::nullopt;
  }
  if (op == "Concat") {
    for (const ir::Value* v : n.inputs())
      if (auto r = Get(ranks, v)) return r;
    return std::nullopt;
  }
  if (op == "Reshape" || op == "Expand") {
    const auto len = Get(lengths, n.input(1));
    if (!len) return std::nullopt;
    if (op == "Reshape") return len;
    if (!r0) return std::nullopt;
    return std::max(*r0, *len);
  }
  if (op == "Gather") {
    const auto r1 = Get(ranks, n.input(1));
    if (r0 && r1) return *r0 - 1 + *r1;
    return std::nullopt;
  }
  const auto axes = AxesCount(n);
  if (op == "Squeeze") return r0 && axes ? std::optional<int64_t>(*r0 - *axes) : std::nullopt;
  if (op == "Unsqueeze") return r0 && axes ? std::optional<int64_t>(*r0 + *axes) : std::nullopt;
  if (op.rfind("Reduce", 0) == 0 || op == "ArgMax" || op == "ArgMin") {
    if (!r0) return std::nullopt;
    if (n.GetInt("keepdims", 1) != 0) return r0;
    if (op == "ArgMax" || op == "ArgMin") return *r0 - 1;
    if (!axes) return std::nullopt;
    return *axes == 0 && n.GetInt("noop_with_empty_axes", 0) == 0 ? 0 : *r0 - *axes;
  }
  return std::nullopt;
}

}  // namespace

DataType InferElementType(const ir::Value* v) {
  for (int depth = 0; v && depth < 64; ++depth) {
    if (v->type().dtype != DataType::kUndefined) return v->type().dtype;
    if (const Tensor* t = ConstantOf(v)) return t->dtype();
    const ir::Node* p = v->producer();
    if (!p || !(p->domain().empty() || p->domain() == "ai.onnx")) break;
    const std::string& op = p->op_type();
    if (op == "Cast") return static_cast<DataType>(p->GetInt("to", 0));
    const bool same_type = (SameRankOps().count(op) || BroadcastOps().count(op)) &&
                           op != "QuantizeLinear" && op != "DequantizeLinear" && op != "Equal" &&
                           op != "Less" && op != "Greater" && op != "LessOrEqual" &&
                           op != "GreaterOrEqual";
    if (!same_type && op != "MatMul" && op != "Gemm" && op != "Concat" && op != "Reshape" &&
        op != "Flatten" && op != "Squeeze" && op != "Unsqueeze" && op != "Expand" &&
        op != "Gather" && op.rfind("Reduce", 0) != 0)
      break;
    v = op == "Where" ? p->input(1) : p->input(0);
  }
  return DataType::kUndefined;
}

RankMap InferRanks(const ir::Graph& graph) {
  RankMap ranks, lengths;  // lengths: of 1-D values
  for (const ir::Value* v : graph.values()) {
    if (v->is_initializer()) {
      ranks[v] = v->data().rank();
      if (v->data().rank() == 1) lengths[v] = v->data().numel();
    } else if (v->type().shape) {
      ranks[v] = static_cast<int64_t>(v->type().shape->size());
      if (v->type().shape->size() == 1 && (*v->type().shape)[0].is_known())
        lengths[v] = (*v->type().shape)[0].value;
    }
  }
  for (const auto& n : graph.nodes()) {
    const ir::Value* out = n->output(0);
    if (!out || !(n->domain().empty() || n->domain() == "ai.onnx")) continue;
    if (!ranks.count(out))
      if (auto r = OutputRank(*n, ranks, lengths); r && *r >= 0) ranks[out] = *r;
    if (!lengths.count(out))
      if (auto l = OutputLength(*n, ranks, lengths); l && *l >= 0) lengths[out] = *l;
  }
  return ranks;
}

}  // namespace shrink::passes
