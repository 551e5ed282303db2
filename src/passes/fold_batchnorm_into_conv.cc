#include "passes/fold_batchnorm_into_conv.h"

#include <cmath>
#include <unordered_set>

#include "passes/pattern_util.h"

namespace shrink::passes {

namespace {
bool IsFloat(const Tensor* t) {
  return t && (t->dtype() == DataType::kFloat32 || t->dtype() == DataType::kFloat64);
}
}  // namespace

Expected<bool> FoldBatchNormIntoConv::Run(ir::Graph& graph, PassContext& /*ctx*/) {
  std::unordered_set<const ir::Node*> removed;
  bool changed = false;
  for (ir::Node* conv : NodeList(graph)) {
    if (removed.count(conv) || !IsOp(conv, "Conv")) continue;
    ir::Node* bn = SoleUse(conv->output(0));
    if (!IsOp(bn, "BatchNormalization") || bn->input(0) != conv->output(0)) continue;
    if (bn->GetInt("training_mode", 0) != 0 || bn->GetInt("spatial", 1) != 1) continue;
    if (!OnlyFirstOutputUsed(bn)) continue;
    const Tensor* w = ConstantOf(conv->input(1));
    const Tensor* b = conv->input(2) ? ConstantOf(conv->input(2)) : nullptr;
    if (!IsFloat(w) || w->rank() < 3 || (conv->input(2) && !b)) continue;
    const int64_t m = w->dim(0);
    const Tensor* p[4];
    bool ok = true;
    for (int i = 0; i < 4; ++i) {
      p[i] = ConstantOf(bn->input(i + 1));
      ok = ok && IsFloat(p[i]) && p[i]->numel() == m && p[i]->rank() == 1;
    }
    if (!ok || (b && (b->numel() != m || b->dtype() != w->dtype()))) continue;
    const double eps = bn->GetFloat("epsilon", 1e-5f);
    const std::vector<double> scale = ToDoubles(*p[0]), bias = ToDoubles(*p[1]),
                              mean = ToDoubles(*p[2]), var = ToDoubles(*p[3]);
    std::vector<double> s(static_cast<size_t>(m)), minus_mean(static_cast<size_t>(m));
    for (size_t c = 0; c < s.size(); ++c) {
      s[c] = scale[c] / std::sqrt(var[c] + eps);
      minus_mean[c] = -mean[c];
    }
    auto [w2, b2] = ScaleConvChannels(*w, b, minus_mean, s, bias);
    const std::string base = conv->name().empty() ? "conv" : conv->name();
    ir::Value* wv = AddConstant(graph, base + ".weight_bn", std::move(w2));
    ir::Value* bv = AddConstant(graph, base + ".bias_bn", std::move(b2));
    ReplaceWithNode(graph, {conv, bn}, "Conv", {conv->input(0), wv, bv}, conv->attributes(), "",
                    removed);
    changed = true;
  }
  if (changed) SHRINK_RETURN_IF_ERROR(graph.TopologicalSort());
  return changed;
}

}  // namespace shrink::passes
