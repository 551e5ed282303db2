#include "passes/fuse_matmul_add_into_gemm.h"

#include <unordered_set>

#include "passes/pattern_util.h"

namespace shrink::passes {

Expected<bool> FuseMatMulAddIntoGemm::Run(ir::Graph& graph, PassContext& /*ctx*/) {
  std::unordered_set<const ir::Node*> removed;
  bool changed = false;
  for (ir::Node* mm : NodeList(graph)) {
    if (removed.count(mm) || !IsOp(mm, "MatMul")) continue;
    ir::Node* add = SoleUse(mm->output(0));
    if (!IsOp(add, "Add") || add->inputs().size() != 2) continue;
    const auto& a_type = mm->input(0) ? mm->input(0)->type() : ir::TypeInfo{};
    if (!a_type.shape || a_type.shape->size() != 2) continue;
    const Tensor* b = ConstantOf(mm->input(1));
    if (!b || b->rank() != 2 ||
        (b->dtype() != DataType::kFloat32 && b->dtype() != DataType::kFloat64))
      continue;
    ir::Value* c_val = add->input(0) == mm->output(0) ? add->input(1) : add->input(0);
    const Tensor* c = ConstantOf(c_val);
    const int64_t n = b->dim(1);
    if (!c || c->dtype() != b->dtype() || c->numel() != n ||
        !(c->rank() == 1 || (c->rank() == 2 && c->dim(0) == 1)))
      continue;
    ReplaceWithNode(graph, {mm, add}, "Gemm", {mm->input(0), mm->input(1), c_val}, {}, "", removed);
    changed = true;
  }
  if (changed) SHRINK_RETURN_IF_ERROR(graph.TopologicalSort());
  return changed;
}

}  // namespace shrink::passes
