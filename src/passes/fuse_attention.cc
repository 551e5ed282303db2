#include "passes/fuse_attention.h"

#include <unordered_set>

#include "passes/pattern_util.h"

namespace shrink::passes {

namespace {
bool SoftmaxOverLastAxis(const ir::Node* sm, int64_t opset) {
  if (sm->HasAttr("axis")) {
    const int64_t axis = sm->GetInt("axis", -1);
    if (axis == -1) return true;
    const auto& shape = sm->input(0)->type().shape;
    return shape && axis == static_cast<int64_t>(shape->size()) - 1;
  }
  return opset >= 13;
}
}  // namespace

Expected<bool> FuseAttention::Run(ir::Graph& graph, PassContext& ctx) {
  std::unordered_set<const ir::Node*> removed;
  bool changed = false;
  for (ir::Node* mm1 : NodeList(graph)) {
    if (removed.count(mm1) || !IsOp(mm1, "MatMul")) continue;
    const DataType qt = mm1->input(0) ? mm1->input(0)->type().dtype : DataType::kUndefined;
    if (qt != DataType::kUndefined && qt != DataType::kFloat32 && qt != DataType::kFloat64)
      continue;
    std::vector<ir::Node*> chain = {mm1};
    ir::Value* cur = mm1->output(0);
    ir::Node* n = SoleUse(cur);
    double scale = 1.0;
    if (IsOp(n, "Div") && n->input(0) == cur) {
      std::optional<double> c = ScalarConstantOf(n->input(1));
      if (!c || *c == 0.0) continue;
      scale = 1.0 / *c;
    } else if (IsOp(n, "Mul") && n->inputs().size() == 2) {
      std::optional<double> c = ScalarConstantOf(n->input(0) == cur ? n->input(1) : n->input(0));
      if (!c) continue;
      scale = *c;
    } else {
      n = nullptr;
    }
    if (n) {
      chain.push_back(n);
      cur = n->output(0);
    }
    ir::Value* mask = nullptr;
    n = SoleUse(cur);
    if (IsOp(n, "Add") && n->inputs().size() == 2) {
      mask = n->input(0) == cur ? n->input(1) : n->input(0);
      if (mask == cur) continue;
      chain.push_back(n);
      cur = n->output(0);
      n = SoleUse(cur);
    }
    if (!IsOp(n, "Softmax") || !SoftmaxOverLastAxis(n, ctx.OpsetFor(""))) continue;
    chain.push_back(n);
    ir::Node* mm2 = SoleUse(n->output(0));
    if (!IsOp(mm2, "MatMul") || mm2->input(0) != n->output(0)) continue;
    chain.push_back(mm2);
    std::vector<ir::Value*> inputs = {mm1->input(0), mm1->input(1), mm2->input(1)};
    if (mask) inputs.push_back(mask);
    ReplaceWithNode(graph, chain, "Attention", inputs,
                    {ir::MakeAttr("scale", static_cast<float>(scale))}, kShrinkDomain, removed);
    ctx.RequireDomain(kShrinkDomain, kShrinkDomainVersion);
    changed = true;
  }
  if (changed) SHRINK_RETURN_IF_ERROR(graph.TopologicalSort());
  return changed;
}

}  // namespace shrink::passes
