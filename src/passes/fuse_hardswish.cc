#include "passes/fuse_hardswish.h"

#include <cmath>
#include <unordered_set>

#include "passes/pattern_util.h"

namespace shrink::passes {

namespace {

bool Exact(std::optional<double> s, double expected) {
  return s && std::abs(*s - expected) <= 1e-6 * std::max(1.0, std::abs(expected));
}
bool Near(const ir::Value* v, double expected) { return Exact(ScalarConstantOf(v), expected); }

// For a binary node `n` with one input `v`, the other input; nullptr when neither is `v`.
ir::Value* Other(const ir::Node* n, const ir::Value* v) {
  if (n->inputs().size() != 2) return nullptr;
  if (n->input(0) == v) return n->input(1);
  if (n->input(1) == v) return n->input(0);
  return nullptr;
}

// Whether `n` divides `v` by 6 (Div(v, 6) or Mul(v, 1/6), Mul in either order).
bool ScalesBySixth(const ir::Node* n, const ir::Value* v) {
  if (IsOp(n, "Div")) return n->inputs().size() == 2 && n->input(0) == v && Near(n->input(1), 6.0);
  if (!IsOp(n, "Mul")) return false;
  const ir::Value* o = Other(n, v);
  return o && Near(o, 1.0 / 6.0);
}

// Clip(a, 0, 6): attributes below opset 11, constant inputs from 11.
bool IsClip06(const ir::Node* c, int64_t opset) {
  if (!IsOp(c, "Clip") || c->inputs().empty()) return false;
  if (opset > 0 && opset < 11) {
    return c->HasAttr("min") && c->HasAttr("max") && Exact(c->GetFloat("min", -1.0f), 0.0) &&
           Exact(c->GetFloat("max", -1.0f), 6.0);
  }
  return c->inputs().size() == 3 && c->input(1) && c->input(2) && Near(c->input(1), 0.0) &&
         Near(c->input(2), 6.0);
}

// Clip form anchored at the Clip node: returns x and the matched chain, in order.
ir::Value* MatchClip(ir::Node* clip, int64_t opset, std::vector<ir::Node*>& chain) {
  if (!IsClip06(clip, opset)) return nullptr;
  ir::Node* add = ProducerIs(clip->input(0), "Add");
  if (!add || SoleUse(add->output(0)) != clip || add->inputs().size() != 2) return nullptr;
  ir::Value* x = nullptr;
  if (Near(add->input(1), 3.0))
    x = add->input(0);
  else if (Near(add->input(0), 3.0))
    x = add->input(1);
  if (!x) return nullptr;
  ir::Node* n1 = SoleUse(clip->output(0));
  if (!n1) return nullptr;
  ir::Node* n2 = SoleUse(n1->output(0));
  if (!n2) return nullptr;
  // Product first: Mul(x, c) then / 6.
  if (IsOp(n1, "Mul") && Other(n1, clip->output(0)) == x && ScalesBySixth(n2, n1->output(0))) {
    chain = {add, clip, n1, n2};
    return x;
  }
  // Scale first: c / 6 then Mul(x, .).
  if (ScalesBySixth(n1, clip->output(0)) && IsOp(n2, "Mul") && Other(n2, n1->output(0)) == x) {
    chain = {add, clip, n1, n2};
    return x;
  }
  return nullptr;
}

// HardSigmoid form anchored at the HardSigmoid node.
ir::Value* MatchHardSigmoid(ir::Node* hs, std::vector<ir::Node*>& chain) {
  if (hs->inputs().size() != 1 || !hs->input(0)) return nullptr;
  if (!Exact(hs->GetFloat("alpha", 0.2f), 1.0 / 6.0) || !Exact(hs->GetFloat("beta", 0.5f), 0.5))
    return nullptr;
  ir::Value* x = hs->input(0);
  ir::Node* mul = SoleUse(hs->output(0));
  if (!IsOp(mul, "Mul") || Other(mul, hs->output(0)) != x) return nullptr;
  chain = {hs, mul};
  return x;
}

bool FloatOrUnknown(const ir::Value* x) {
  const DataType t = x->type().dtype;
  return t == DataType::kUndefined || t == DataType::kFloat32 || t == DataType::kFloat64;
}

// The matched chain's input x anchored at `n`, or nullptr.
ir::Value* Match(ir::Node* n, int64_t opset, std::vector<ir::Node*>& chain) {
  ir::Value* x = nullptr;
  if (IsOp(n, "Clip"))
    x = MatchClip(n, opset, chain);
  else if (IsOp(n, "HardSigmoid"))
    x = MatchHardSigmoid(n, chain);
  return x && FloatOrUnknown(x) ? x : nullptr;
}

}  // namespace

bool HasDecomposedHardSwish(const ir::Graph& graph, int64_t opset) {
  std::vector<ir::Node*> chain;
  for (ir::Node* n : NodeList(graph))
    if (Match(n, opset, chain)) return true;
  return false;
}

Expected<bool> FuseHardSwish::Run(ir::Graph& graph, PassContext& ctx) {
  std::unordered_set<const ir::Node*> removed;
  bool changed = false;
  const int64_t opset = ctx.OpsetFor("");
  const bool onnx_op = opset >= 14;
  for (ir::Node* n : NodeList(graph)) {
    if (removed.count(n)) continue;
    std::vector<ir::Node*> chain;
    ir::Value* x = Match(n, opset, chain);
    if (!x) continue;
    bool fresh = true;
    for (const ir::Node* c : chain) fresh = fresh && !removed.count(c) && OnlyFirstOutputUsed(c);
    if (!fresh) continue;
    ReplaceWithNode(graph, chain, "HardSwish", {x}, {}, onnx_op ? "" : kShrinkDomain, removed);
    if (!onnx_op) ctx.RequireDomain(kShrinkDomain, kShrinkDomainVersion);
    changed = true;
  }
  if (changed) SHRINK_RETURN_IF_ERROR(graph.TopologicalSort());
  return changed;
}

}  // namespace shrink::passes
