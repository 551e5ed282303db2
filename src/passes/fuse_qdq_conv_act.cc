#include "passes/fuse_qdq_conv_act.h"

#include <cmath>
#include <unordered_set>

#include "passes/pattern_util.h"
#include "passes/qdq_match.h"

namespace shrink::passes {

namespace {

// The HardSwish that alone reads `y` (its only input), then the QuantizeLinear that alone reads
// the HardSwish; nullptr when the chain is not there.
ir::Node* MatchHardSwishThenQuantize(const ir::Value* y, ir::Node** act) {
  ir::Node* h = SoleUse(y);
  if (!(IsOp(h, "HardSwish") || IsOp(h, "HardSwish", kShrinkDomain)) || h->input(0) != y ||
      !OnlyFirstOutputUsed(h))
    return nullptr;
  ir::Node* q = SoleUse(h->output(0));
  if (!IsOp(q, "QuantizeLinear") || q->input(0) != h->output(0) || !PlainQdqAttrs(q))
    return nullptr;
  *act = h;
  return q;
}

}  // namespace

Expected<bool> FuseQdqConvActivation::Run(ir::Graph& graph, PassContext& ctx) {
  std::unordered_set<const ir::Node*> removed;
  bool changed = false;
  for (ir::Node* op : NodeList(graph)) {
    if (removed.count(op) || !IsOp(op, "Conv") || op->outputs().size() != 1) continue;
    ir::Node* act = nullptr;
    ir::Node* q = MatchHardSwishThenQuantize(op->output(0), &act);
    if (!q || !ScalarOutputParams(*q)) continue;
    std::optional<Dq> x = MatchDq(op->input(0), 0);
    if (!x) continue;
    const ir::Node* w_dq = ProducerIs(op->input(1), "DequantizeLinear");
    const Tensor* wq = w_dq ? ConstantOf(w_dq->input(0)) : nullptr;
    if (!wq || !IsInt8(wq->dtype()) || wq->rank() < 3) continue;
    const int64_t m = wq->dim(0);
    std::optional<Dq> w = MatchDq(op->input(1), m, 0);
    if (!w) continue;
    std::optional<Tensor> bias;
    if (op->inputs().size() > 2 && op->input(2)) {
      bias = QuantizedConvBias(op->input(2), m, *x, *w);
      if (!bias) continue;
    }
    const std::string base = op->name().empty() ? op->op_type() : op->name();
    std::vector<ir::Value*> inputs = QLinearConvInputs(graph, *x, *w, wq->dtype(), *q, base);
    if (bias) inputs.push_back(AddConstant(graph, base + ".bias_quantized", std::move(*bias)));
    std::vector<ir::Attribute> attrs = op->attributes();
    attrs.push_back(ir::MakeAttr("activation", "HardSwish"));
    ReplaceWithNode(graph, {op, act, q}, "QLinearConvAct", inputs, std::move(attrs), kShrinkDomain,
                    removed);
    ctx.RequireDomain(kShrinkDomain, kShrinkDomainVersion);
    changed = true;
  }
  if (changed) SHRINK_RETURN_IF_ERROR(graph.TopologicalSort());
  return changed;
}

}  // namespace shrink::passes
