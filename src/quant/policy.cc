#include "quant/policy.h"

#include <algorithm>

#include "passes/pattern_util.h"

namespace shrink::quant {

namespace {
const std::vector<std::string>& KnownOpTypes() {
  static const std::vector<std::string> ops = {"Conv",    "MatMul",      "Gemm",
                                               "Add",     "Mul",         "Concat",
                                               "MaxPool", "AveragePool", "GlobalAveragePool"};
  return ops;
}

bool MatchesAny(const std::vector<std::string>& patterns, const std::string& name) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return GlobMatch(p, name); });
}

bool HasConstWeight(const ir::Node& n) {
  const Tensor* w = passes::ConstantOf(n.input(1));
  return w && w->dtype() == DataType::kFloat32;
}
}  // namespace

Status ValidatePolicy(const QuantPolicy& p) {
  if (p.activation_dtype != DataType::kUInt8 && p.activation_dtype != DataType::kInt8)
    return InvalidArgument(std::string("activations must be u8 or s8, got ") +
                           DataTypeName(p.activation_dtype));
  for (const auto& op : p.op_types)
    if (std::find(KnownOpTypes().begin(), KnownOpTypes().end(), op) == KnownOpTypes().end())
      return InvalidArgument("cannot quantize op type '" + op +
                             "' (supported: Conv, MatMul, Gemm, Add, Mul, Concat, MaxPool, "
                             "AveragePool, GlobalAveragePool)");
  return Status::Ok();
}

DataType WeightCodeType(const QuantPolicy& policy, const ir::Node& node) {
  return MatchesAny(policy.int4_weights, node.name()) ? DataType::kInt4 : DataType::kInt8;
}

bool Int8PairSumsSaturateHere() {
#if defined(__x86_64__)
  return !__builtin_cpu_supports("avx512vnni") && !__builtin_cpu_supports("avxvnni");
#else
  return false;
#endif
}

bool GlobMatch(const std::string& pattern, const std::string& name) {
  size_t p = 0, n = 0, star = std::string::npos, mark = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
      ++p;
      ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = n;
    } else if (star != std::string::npos) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool IsWeightInput(const ir::Node& node, int index) {
  if (index != 1) return false;
  const std::string& op = node.op_type();
  return (op == "Conv" || op == "Gemm" || op == "MatMul") && HasConstWeight(node);
}

bool IsBiasInput(const ir::Node& node, int index) {
  return index == 2 && (node.op_type() == "Conv" || node.op_type() == "Gemm");
}

int64_t WeightChannelAxis(const ir::Node& node, int64_t weight_rank) {
  if (node.op_type() == "Conv") return 0;
  if (node.op_type() == "Gemm") return node.GetInt("transB", 0) ? 0 : 1;
  return weight_rank - 1;
}

std::vector<ir::Node*> SelectNodes(const ir::Graph& graph, const QuantPolicy& policy) {
  std::vector<ir::Node*> out;
  for (const auto& n : graph.nodes()) {
    if (!n->domain().empty() && n->domain() != "ai.onnx") continue;
    const std::string& op = n->op_type();
    if (std::find(policy.op_types.begin(), policy.op_types.end(), op) == policy.op_types.end())
      continue;
    if ((op == "Conv" || op == "Gemm" || (op == "MatMul" && !policy.activation_matmul)) &&
        !HasConstWeight(*n))
      continue;
    if (!policy.include.empty() && !MatchesAny(policy.include, n->name())) continue;
    if (MatchesAny(policy.exclude, n->name())) continue;
    out.push_back(n.get());
  }
  if (policy.keep_first_last && !out.empty()) {
    out.erase(out.begin());
    if (!out.empty()) out.pop_back();
  }
  return out;
}

}  // namespace shrink::quant
