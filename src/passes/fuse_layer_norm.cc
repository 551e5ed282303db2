#include "passes/fuse_layer_norm.h"

#include <unordered_set>

#include "passes/pattern_util.h"

namespace shrink::passes {

namespace {

// True when the ReduceMean `r` reduces exactly the last axis of `x` with keepdims = 1.
bool ReducesLastAxis(const ir::Node* r, const ir::Value* x) {
  if (r->GetInt("keepdims", 1) != 1) return false;
  std::vector<int64_t> axes;
  if (r->HasAttr("axes")) {
    axes = r->GetInts("axes");
  } else if (r->input(1)) {
    const Tensor* t = ConstantOf(r->input(1));
    if (!t || t->numel() != 1) return false;
    axes = {static_cast<int64_t>(t->GetAsDouble(0))};
  }
  if (axes.size() != 1) return false;
  if (axes[0] == -1) return true;
  const auto& shape = x->type().shape;
  return shape && axes[0] == static_cast<int64_t>(shape->size()) - 1;
}

// The constant 1-D operand of binary `n` other than `v`, or nullptr.
ir::Value* ConstOperand(const ir::Node* n, const ir::Value* v) {
  if (n->inputs().size() != 2) return nullptr;
  ir::Value* o = n->input(0) == v ? n->input(1) : (n->input(1) == v ? n->input(0) : nullptr);
  const Tensor* t = ConstantOf(o);
  return t && t->rank() == 1 ? o : nullptr;
}

}  // namespace

Expected<bool> FuseLayerNorm::Run(ir::Graph& graph, PassContext& ctx) {
  if (ctx.OpsetFor("") < 17) return false;
  std::unordered_set<const ir::Node*> removed;
  bool changed = false;
  for (ir::Node* r1 : NodeList(graph)) {
    if (removed.count(r1) || !IsOp(r1, "ReduceMean")) continue;
    ir::Value* x = r1->input(0);
    if (!x || !ReducesLastAxis(r1, x)) continue;
    ir::Node* sub = SoleUse(r1->output(0));
    if (!IsOp(sub, "Sub") || sub->input(0) != x || sub->input(1) != r1->output(0)) continue;
    ir::Value* d = sub->output(0);
    if (d->is_graph_output() || d->uses().size() != 2 || ImplicitlyUsed(d)) continue;
    ir::Node* pw = nullptr;
    ir::Node* div = nullptr;
    for (const ir::Use& u : d->uses()) {
      if (IsOp(u.node, "Pow") && u.index == 0) pw = u.node;
      if (IsOp(u.node, "Div") && u.index == 0) div = u.node;
    }
    if (!pw || !div) continue;
    std::optional<double> two = ScalarConstantOf(pw->input(1));
    if (!two || *two != 2.0) continue;
    ir::Node* r2 = SoleUse(pw->output(0));
    if (!IsOp(r2, "ReduceMean") || r2->input(0) != pw->output(0) || !ReducesLastAxis(r2, x))
      continue;
    ir::Node* add_eps = SoleUse(r2->output(0));
    if (!IsOp(add_eps, "Add") || add_eps->inputs().size() != 2) continue;
    ir::Value* eps_v = add_eps->input(0) == r2->output(0) ? add_eps->input(1) : add_eps->input(0);
    std::optional<double> eps = ScalarConstantOf(eps_v);
    if (!eps || *eps < 0) continue;
    ir::Node* sq = SoleUse(add_eps->output(0));
    if (!IsOp(sq, "Sqrt") || SoleUse(sq->output(0)) != div || div->input(1) != sq->output(0))
      continue;
    ir::Node* mul = SoleUse(div->output(0));
    if (!IsOp(mul, "Mul")) continue;
    ir::Value* gamma = ConstOperand(mul, div->output(0));
    if (!gamma) continue;
    std::vector<ir::Node*> chain = {r1, sub, pw, r2, add_eps, sq, div, mul};
    std::vector<ir::Value*> inputs = {x, gamma};
    ir::Node* add_b = SoleUse(mul->output(0));
    ir::Value* beta = IsOp(add_b, "Add") ? ConstOperand(add_b, mul->output(0)) : nullptr;
    const int64_t len = ConstantOf(gamma)->numel();
    if (beta && ConstantOf(beta)->numel() == len &&
        ConstantOf(beta)->dtype() == ConstantOf(gamma)->dtype()) {
      chain.push_back(add_b);
      inputs.push_back(beta);
    }
    const auto& shape = x->type().shape;
    if (shape && !shape->empty() && shape->back().is_known() && shape->back().value != len)
      continue;
    ReplaceWithNode(
        graph, chain, "LayerNormalization", inputs,
        {ir::MakeAttr("axis", int64_t{-1}), ir::MakeAttr("epsilon", static_cast<float>(*eps))}, "",
        removed);
    changed = true;
  }
  if (changed) SHRINK_RETURN_IF_ERROR(graph.TopologicalSort());
  return changed;
}

}  // namespace shrink::passes
