#include "passes/fuse_gelu.h"

#include <cmath>
#include <numbers>
#include <unordered_set>

#include "passes/pattern_util.h"

namespace shrink::passes {

namespace {

bool Near(const ir::Value* v, double expected) {
  std::optional<double> s = ScalarConstantOf(v);
  return s && std::abs(*s - expected) <= 1e-4 * std::max(1.0, std::abs(expected));
}

// For a binary node `n` with one input `v`, the other input; nullptr when neither is `v`.
ir::Value* Other(const ir::Node* n, const ir::Value* v) {
  if (n->inputs().size() != 2) return nullptr;
  if (n->input(0) == v) return n->input(1);
  if (n->input(1) == v) return n->input(0);
  return nullptr;
}

// The binary node consuming `v` alone, of type `op`, with the other operand; else nullptr.
ir::Node* SoleBinaryUse(const ir::Value* v, const char* op, ir::Value** other) {
  ir::Node* n = SoleUse(v);
  if (!IsOp(n, op)) return nullptr;
  *other = Other(n, v);
  return *other ? n : nullptr;
}

// Matches the trailing product x * 0.5 * one_plus starting from the Add node producing one_plus;
// appends the matched nodes to `chain` and returns true on success.
bool MatchHalfProduct(const ir::Value* x, ir::Node* add, std::vector<ir::Node*>& chain) {
  ir::Value* o1 = nullptr;
  ir::Node* m1 = SoleBinaryUse(add->output(0), "Mul", &o1);
  if (!m1) return false;
  ir::Value* o2 = nullptr;
  if (o1 == x || Near(o1, 0.5)) {  // Mul(Mul(x, a), 0.5) or Mul(Mul(a, 0.5), x)
    ir::Node* m2 = SoleBinaryUse(m1->output(0), "Mul", &o2);
    if (!m2 || !(o1 == x ? Near(o2, 0.5) : o2 == x)) return false;
    chain.push_back(m1);
    chain.push_back(m2);
    return true;
  }
  ir::Node* h = ProducerIs(o1, "Mul");  // Mul(Mul(x, 0.5), a)
  if (!h || SoleUse(o1) != m1) return false;
  ir::Value* hx = Other(h, x);
  if (!hx || !Near(hx, 0.5)) return false;
  chain.push_back(h);
  chain.push_back(m1);
  return true;
}

bool FloatOrUnknown(const ir::Value* x) {
  const DataType t = x->type().dtype;
  return t == DataType::kUndefined || t == DataType::kFloat32 || t == DataType::kFloat64;
}

// Erf form, anchored at the Erf node. Returns x, filling `chain` in order.
ir::Value* MatchErf(ir::Node* erf, std::vector<ir::Node*>& chain) {
  ir::Node* d = erf->input(0) ? erf->input(0)->producer() : nullptr;
  if (!d || SoleUse(d->output(0)) != erf || d->inputs().size() != 2) return nullptr;
  ir::Value* x = d->input(0);
  if (!((IsOp(d, "Div") && Near(d->input(1), std::numbers::sqrt2)) ||
        (IsOp(d, "Mul") && Near(d->input(1), 1.0 / std::numbers::sqrt2))))
    return nullptr;
  ir::Value* one = nullptr;
  ir::Node* add = SoleBinaryUse(erf->output(0), "Add", &one);
  if (!add || !Near(one, 1.0)) return nullptr;
  chain = {d, erf, add};
  return MatchHalfProduct(x, add, chain) ? x : nullptr;
}

// Tanh form, anchored at the Tanh node.
ir::Value* MatchTanh(ir::Node* tanh, std::vector<ir::Node*>& chain) {
  ir::Node* mo = ProducerIs(tanh->input(0), "Mul");
  if (!mo || SoleUse(mo->output(0)) != tanh) return nullptr;
  ir::Value* inner = nullptr;
  if (Near(mo->input(1), std::sqrt(2.0 / std::numbers::pi)))
    inner = mo->input(0);
  else if (Near(mo->input(0), std::sqrt(2.0 / std::numbers::pi)))
    inner = mo->input(1);
  ir::Node* sum = ProducerIs(inner, "Add");
  if (!sum || SoleUse(inner) != mo || sum->inputs().size() != 2) return nullptr;
  for (int side = 0; side < 2; ++side) {
    ir::Value* x = sum->input(side);
    ir::Value* q = sum->input(1 - side);
    ir::Node* qm = ProducerIs(q, "Mul");
    if (!qm || SoleUse(q) != sum) continue;
    ir::Node* cube = nullptr;
    for (int k = 0; k < 2 && !cube; ++k) {
      ir::Node* p = ProducerIs(qm->input(k), "Pow");
      if (p && Near(qm->input(1 - k), 0.044715) && p->input(0) == x && Near(p->input(1), 3.0) &&
          SoleUse(p->output(0)) == qm)
        cube = p;
    }
    if (!cube) continue;
    ir::Value* one = nullptr;
    ir::Node* add = SoleBinaryUse(tanh->output(0), "Add", &one);
    if (!add || !Near(one, 1.0)) return nullptr;
    chain = {cube, qm, sum, mo, tanh, add};
    return MatchHalfProduct(x, add, chain) ? x : nullptr;
  }
  return nullptr;
}

}  // namespace

Expected<bool> FuseGelu::Run(ir::Graph& graph, PassContext& ctx) {
  std::unordered_set<const ir::Node*> removed;
  bool changed = false;
  const bool onnx_gelu = ctx.OpsetFor("") >= 20;
  for (ir::Node* n : NodeList(graph)) {
    if (removed.count(n)) continue;
    std::vector<ir::Node*> chain;
    ir::Value* x = nullptr;
    const char* approximate = "none";
    if (IsOp(n, "Erf")) {
      x = MatchErf(n, chain);
    } else if (IsOp(n, "Tanh")) {
      x = MatchTanh(n, chain);
      approximate = "tanh";
    }
    if (!x || !FloatOrUnknown(x)) continue;
    ReplaceWithNode(graph, chain, "Gelu", {x}, {ir::MakeAttr("approximate", approximate)},
                    onnx_gelu ? "" : kShrinkDomain, removed);
    if (!onnx_gelu) ctx.RequireDomain(kShrinkDomain, kShrinkDomainVersion);
    changed = true;
  }
  if (changed) SHRINK_RETURN_IF_ERROR(graph.TopologicalSort());
  return changed;
}

}  // namespace shrink::passes
