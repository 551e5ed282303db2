#include "passes/fuse_qdq_float_output.h"

#include <unordered_set>

#include "passes/pattern_util.h"
#include "passes/qdq_match.h"

namespace shrink::passes {

namespace {

bool Rewrite(ir::Graph& g, ir::Node* op, std::unordered_set<const ir::Node*>& removed) {
  const bool conv = IsOp(op, "Conv");
  std::optional<Dq> x = MatchDq(op->input(0), 0);
  if (!x) return false;
  const ir::Node* w_dq = ProducerIs(op->input(1), "DequantizeLinear");
  const Tensor* wq = w_dq ? ConstantOf(w_dq->input(0)) : nullptr;
  if (!wq || !IsInt8(wq->dtype()) || (conv ? wq->rank() < 3 : wq->rank() != 2)) return false;
  const int64_t m = wq->dim(0);  // output channels of Conv
  std::optional<Dq> w = conv ? MatchDq(op->input(1), m, 0) : MatchDq(op->input(1), wq->dim(1), 1);
  if (!w) return false;
  ir::Value* bias = nullptr;
  std::optional<std::vector<float>> b;  // checked before anything is added to the graph
  if (conv && op->input(2)) {
    b = ConstantBias(op->input(2), m);
    if (!b) return false;
  }
  const std::string base = op->name().empty() ? op->op_type() : op->name();
  if (b) {
    const Tensor* c = ConstantOf(op->input(2));
    bias = c && c->dtype() == DataType::kFloat32 && c->rank() == 1
               ? op->input(2)
               : AddConstant(g, base + ".bias", Tensor::FromVector<float>({m}, *b));
  }
  std::vector<ir::Value*> inputs = {
      x->q, x->scale, ZeroPoint(g, x->zp, QuantDtype(x->q), base + ".x_zero_point"),
      w->q, w->scale, ZeroPoint(g, w->zp, wq->dtype(), base + ".w_zero_point")};
  if (bias) inputs.push_back(bias);
  ReplaceWithNode(g, {op}, conv ? "QConvFloat" : "QMatMulFloat", inputs,
                  conv ? op->attributes() : std::vector<ir::Attribute>{}, kShrinkDomain, removed);
  return true;
}

}  // namespace

Expected<bool> FuseQdqFloatOutput::Run(ir::Graph& graph, PassContext& ctx) {
  std::unordered_set<const ir::Node*> removed;
  bool changed = false;
  for (ir::Node* op : NodeList(graph))
    if (!removed.count(op) && (IsOp(op, "Conv") || IsOp(op, "MatMul")) &&
        Rewrite(graph, op, removed))
      changed = true;
  if (changed) {
    ctx.RequireDomain(kShrinkDomain, kShrinkDomainVersion);
    SHRINK_RETURN_IF_ERROR(graph.TopologicalSort());
  }
  return changed;
}

}  // namespace shrink::passes
