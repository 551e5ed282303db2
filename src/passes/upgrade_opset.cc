#include "passes/upgrade_opset.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "passes/pattern_util.h"
#include "passes/rank_inference.h"
#include "passes/upgrade_opset_rules.h"

namespace shrink::passes {
namespace {

using upgrade::OpChange;
using upgrade::RuleContext;

bool DefaultDomain(const ir::Node& n) { return n.domain().empty() || n.domain() == "ai.onnx"; }

// The changes of `op` that apply between `from` (exclusive) and `to` (inclusive), in order.
std::vector<const OpChange*> ChangesFor(const std::string& op, int64_t from, int64_t to) {
  std::vector<const OpChange*> out;
  for (const OpChange& c : upgrade::OpChanges())
    if (op == c.op && c.version > from && c.version <= to) out.push_back(&c);
  return out;
}

void CollectGraphs(ir::Graph& g, std::vector<ir::Graph*>& out) {
  out.push_back(&g);
  for (const auto& n : g.nodes())
    for (ir::Graph* sub : n->Subgraphs()) CollectGraphs(*sub, out);
}

// Runs every applicable rule on every node of `g` in check (apply = false) or rewrite mode.
// Check mode collects problems instead of stopping at the first.
Status RunRules(ir::Graph& g, int64_t from, int64_t to, bool apply, const RankMap& ranks,
                std::map<std::string, std::vector<std::string>>* problems) {
  RuleContext ctx{&g, from, to, apply, &ranks};
  for (ir::Node* node : NodeList(g)) {
    if (!DefaultDomain(*node)) continue;
    const std::string op = node->op_type();
    for (const OpChange* c : ChangesFor(op, from, to)) {
      Status s = c->rule ? c->rule(ctx, node)
                         : Unimplemented(node->Describe() + ": signature changed at opset " +
                                         std::to_string(c->version) + " (not translated)");
      if (s.ok()) continue;
      if (apply) return s;
      (*problems)[op].push_back(s.message());
      break;
    }
  }
  return Status::Ok();
}

// Checks every node of every graph, then (when all can be translated) rewrites them.
Status Upgrade(ir::Model& model, int64_t from, int64_t to) {
  std::vector<ir::Graph*> graphs;
  CollectGraphs(*model.graph, graphs);
  // Ranks are taken before any rewrite, per graph (subgraphs see only their own values).
  std::vector<RankMap> ranks;
  for (ir::Graph* g : graphs) ranks.push_back(InferRanks(*g));

  std::map<std::string, std::vector<std::string>> problems;
  for (size_t i = 0; i < graphs.size(); ++i)
    SHRINK_RETURN_IF_ERROR(RunRules(*graphs[i], from, to, false, ranks[i], &problems));
  if (!problems.empty()) {
    std::string ops, details;
    for (const auto& [op, msgs] : problems) {
      ops += (ops.empty() ? "" : ", ") + op;
      details += "\n  " + msgs.front();
      if (msgs.size() > 1) details += " (and " + std::to_string(msgs.size() - 1) + " more)";
    }
    return Unimplemented("upgrade opset " + std::to_string(from) + " -> " + std::to_string(to) +
                         ": cannot translate " + ops + details);
  }
  for (size_t i = 0; i < graphs.size(); ++i) {
    SHRINK_RETURN_IF_ERROR(RunRules(*graphs[i], from, to, true, ranks[i], nullptr));
    SHRINK_RETURN_IF_ERROR(graphs[i]->TopologicalSort());
  }
  return Status::Ok();
}

}  // namespace

int64_t MinIrVersionForOpset(int64_t opset) {
  if (opset >= 21) return 10;
  if (opset >= 19) return 9;
  if (opset >= 15) return 8;
  if (opset >= 12) return 7;
  if (opset >= 11) return 6;
  if (opset >= 10) return 5;
  if (opset >= 9) return 4;
  return 3;
}

Status UpgradeOpset(ir::Model& model, int64_t target_opset) {
  const int64_t from = model.OpsetFor("");
  if (from == 0)
    return InvalidArgument("upgrade opset: the model does not import the ai.onnx domain");
  if (target_opset < from)
    return InvalidArgument("upgrade opset: cannot lower the opset from " + std::to_string(from) +
                           " to " + std::to_string(target_opset));
  if (target_opset > kMaxUpgradeOpset)
    return InvalidArgument("upgrade opset: target " + std::to_string(target_opset) +
                           " is above the highest supported opset " +
                           std::to_string(kMaxUpgradeOpset));
  if (target_opset == from) return Status::Ok();
  if (from < 7)
    return Unimplemented("upgrade opset: models below opset 7 (this one: " + std::to_string(from) +
                         ") are not supported");

  try {
    SHRINK_RETURN_IF_ERROR(Upgrade(model, from, target_opset));
  } catch (const Error& e) {
    return e.ToStatus().WithContext("upgrade opset");
  }
  model.SetOpset("", target_opset);
  model.ir_version = std::max(model.ir_version, MinIrVersionForOpset(target_opset));
  return Status::Ok();
}

}  // namespace shrink::passes
