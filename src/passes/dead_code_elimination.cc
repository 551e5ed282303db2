#include "passes/dead_code_elimination.h"

#include <unordered_set>

#include "passes/pattern_util.h"

namespace shrink::passes {

namespace {
// Names the subgraphs of `g`'s nodes read from enclosing scopes (uses that Value::uses misses).
std::unordered_set<std::string> ImplicitNames(const ir::Graph& g) {
  std::unordered_set<std::string> names;
  for (const auto& n : g.nodes())
    for (const std::string& s : ir::ImplicitInputs(*n)) names.insert(s);
  return names;
}
}  // namespace

Expected<bool> DeadCodeElimination::Run(ir::Graph& graph, PassContext& /*ctx*/) {
  const std::unordered_set<std::string> implicit = ImplicitNames(graph);
  auto dead = [&](const ir::Node* n) {
    for (const ir::Value* o : n->outputs())
      if (o && (!o->uses().empty() || o->is_graph_output() || implicit.count(o->name())))
        return false;
    return true;
  };
  bool changed = false;
  // Reverse order: removing a consumer exposes its producers in the same sweep when sorted.
  for (bool again = true; again;) {
    again = false;
    std::vector<ir::Node*> nodes = NodeList(graph);
    for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
      if (dead(*it) && graph.RemoveNode(*it)) again = changed = true;
    }
  }
  std::vector<ir::Value*> inits = graph.initializers();
  for (ir::Value* v : inits)
    if (v->uses().empty() && !implicit.count(v->name()) && graph.RemoveInitializer(v))
      changed = true;
  return changed;
}

}  // namespace shrink::passes
