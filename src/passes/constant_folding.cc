#include "passes/constant_folding.h"

#include <unordered_set>

#include "passes/pattern_util.h"

namespace shrink::passes {

namespace {
bool NonDeterministic(const ir::Node& n) {
  static const std::unordered_set<std::string> kOps = {"RandomNormal",     "RandomUniform",
                                                       "RandomNormalLike", "RandomUniformLike",
                                                       "Multinomial",      "Bernoulli"};
  return kOps.count(n.op_type()) > 0;
}
}  // namespace

Expected<bool> ConstantFolding::Run(ir::Graph& graph, PassContext& ctx) {
  if (!ctx.evaluator) return false;
  bool changed = false;
  for (ir::Node* n : NodeList(graph)) {  // topological order: folds chains in one sweep
    if (!n->Subgraphs().empty() || NonDeterministic(*n)) continue;
    std::vector<Tensor> inputs;
    bool all_const = true;
    for (const ir::Value* in : n->inputs()) {
      if (!in) {
        inputs.emplace_back();
        continue;
      }
      const Tensor* t = ConstantOf(in);
      if (!t || !t->defined()) {
        all_const = false;
        break;
      }
      inputs.push_back(*t);
    }
    if (!all_const) continue;
    bool any_output = false;
    for (const ir::Value* o : n->outputs()) any_output = any_output || o != nullptr;
    if (!any_output) continue;
    Expected<std::vector<Tensor>> outs = ctx.evaluator(*n, inputs, ctx.opsets());
    if (!outs.ok()) continue;  // not foldable here (unsupported op, bad data): leave it
    int64_t total = 0;
    for (const Tensor& t : *outs) total += t.defined() ? t.numel() : 0;
    if (total > ctx.options.max_folded_elements) continue;
    // Replace each output by an initializer, then drop the node and take over the names.
    std::vector<std::pair<ir::Value*, std::string>> renames;
    bool ok = outs->size() == n->outputs().size();
    for (size_t i = 0; ok && i < n->outputs().size(); ++i)
      ok = !n->outputs()[i] || (*outs)[i].defined();
    if (!ok) continue;
    for (size_t i = 0; i < n->outputs().size(); ++i) {
      ir::Value* o = n->outputs()[i];
      if (!o) continue;
      ir::Value* c = AddConstant(graph, o->name() + "_folded", (*outs)[i]);
      graph.ReplaceAllUsesWith(o, c);
      renames.emplace_back(c, o->name());
    }
    if (!graph.RemoveNode(n))
      return Internal("constant_folding: could not remove " + n->Describe());
    for (auto& [v, name] : renames) graph.RenameValue(v, name);
    changed = true;
  }
  return changed;
}

}  // namespace shrink::passes
