#include "passes/activation_match.h"

#include <limits>
#include <unordered_set>

#include "passes/pattern_util.h"

namespace shrink::passes {

std::vector<ir::Attribute> ActivationSpec::Attributes() const {
  std::vector<ir::Attribute> attrs = {ir::MakeAttr("activation", activation)};
  if (!params.empty()) attrs.push_back(ir::MakeAttr("activation_params", params));
  return attrs;
}

std::optional<ActivationSpec> MatchActivation(const ir::Node* n, const PassContext& ctx) {
  if (!n) return std::nullopt;
  if (IsOp(n, "Relu")) return ActivationSpec{"Relu", {}};
  if (IsOp(n, "Sigmoid")) return ActivationSpec{"Sigmoid", {}};
  if (IsOp(n, "HardSwish") || IsOp(n, "HardSwish", kShrinkDomain))
    return ActivationSpec{"HardSwish", {}};
  if (IsOp(n, "LeakyRelu")) return ActivationSpec{"LeakyRelu", {n->GetFloat("alpha", 0.01f)}};
  if (IsOp(n, "Gelu") || IsOp(n, "Gelu", kShrinkDomain)) {
    const std::string approx = n->GetString("approximate", "none");
    if (approx == "none") return ActivationSpec{"Gelu", {}};
    if (approx == "tanh") return ActivationSpec{"GeluTanh", {}};
    return std::nullopt;
  }
  if (IsOp(n, "Clip")) {
    float lo = std::numeric_limits<float>::lowest(), hi = std::numeric_limits<float>::max();
    if (ctx.OpsetFor("") > 0 && ctx.OpsetFor("") < 11) {
      lo = n->GetFloat("min", lo);
      hi = n->GetFloat("max", hi);
    } else {
      for (int i = 1; i <= 2; ++i) {
        if (!n->input(i)) continue;
        std::optional<double> v = ScalarConstantOf(n->input(i));
        if (!v) return std::nullopt;
        (i == 1 ? lo : hi) = static_cast<float>(*v);
      }
    }
    return ActivationSpec{"Clip", {lo, hi}};
  }
  return std::nullopt;
}

Expected<bool> FuseBaseWithActivation(ir::Graph& graph, PassContext& ctx, const char* base_op,
                                      const char* fused_op) {
  std::unordered_set<const ir::Node*> removed;
  bool changed = false;
  for (ir::Node* base : NodeList(graph)) {
    if (removed.count(base) || !IsOp(base, base_op)) continue;
    const ir::Value* w = base->input(1);
    if (!w || (w->type().dtype != DataType::kFloat32 && w->type().dtype != DataType::kFloat64))
      continue;
    ir::Node* act = SoleUse(base->output(0));
    if (!act || act->input(0) != base->output(0) || !OnlyFirstOutputUsed(act)) continue;
    std::optional<ActivationSpec> spec = MatchActivation(act, ctx);
    if (!spec) continue;
    std::vector<ir::Attribute> attrs = base->attributes();
    for (ir::Attribute& a : spec->Attributes()) attrs.push_back(std::move(a));
    ReplaceWithNode(graph, {base, act}, fused_op, base->inputs(), std::move(attrs), kShrinkDomain,
                    removed);
    ctx.RequireDomain(kShrinkDomain, kShrinkDomainVersion);
    changed = true;
  }
  if (changed) SHRINK_RETURN_IF_ERROR(graph.TopologicalSort());
  return changed;
}

}  // namespace shrink::passes
