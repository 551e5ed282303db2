// Plan helper: recognises MatMul -> Add(constant bias) so that the step runs as one matmul with a
// bias (see FusibleBiasSlot in plan_step.h).
#include "runtime/fast/plan_step.h"

namespace shrink::runtime::fast {

int FusibleBiasSlot(const PlanNode& primary, const std::vector<const Tensor*>& consts,
                    const PlanNode& add, const std::vector<const Tensor*>& add_consts, int cur) {
  const ir::Node& mm = *primary.node;
  const ir::Node& a = *add.node;
  if (mm.op_type() != "MatMul" || !mm.domain().empty() || a.op_type() != "Add" ||
      !(a.domain().empty() || a.domain() == "ai.onnx") || add.in_slots.size() != 2 ||
      consts.size() != 2 || add_consts.size() != 2)
    return -1;
  const Tensor* w = consts[1];
  if (!w || w->dtype() != DataType::kFloat32 || w->shape().size() != 2) return -1;
  const size_t other = add.in_slots[0] == cur ? 1 : 0;
  if (add.in_slots[1 - other] != cur || add.in_slots[other] == cur) return -1;
  const Tensor* b = add_consts[other];
  if (!b || b->dtype() != DataType::kFloat32 || b->shape() != Shape{w->shape()[1]}) return -1;
  bool any = false;
  for (const auto& def : FastRegistry::Global().all())
    any = any || (def.op_type == "MatMul" && def.domain.empty() && def.takes_bias);
  return any ? add.in_slots[other] : -1;
}

}  // namespace shrink::runtime::fast
