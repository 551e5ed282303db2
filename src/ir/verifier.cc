#include "ir/verifier.h"

#include <algorithm>
#include <unordered_set>
#include <vector>

namespace shrink::ir {

namespace {

using NameSet = std::unordered_set<std::string>;

Status VerifyGraph(const Graph& g, const std::vector<const NameSet*>& enclosing) {
  const std::string where = "graph '" + g.name() + "'";
  NameSet defined;
  auto define = [&](const Value* v, const std::string& what) -> Status {
    if (!defined.insert(v->name()).second)
      return InvalidArgument(where + ": value '" + v->name() + "' defined twice (" + what + ")");
    if (v->owner() != &g)
      return Internal(where + ": value '" + v->name() + "' belongs to another graph");
    return Status::Ok();
  };
  for (const Value* v : g.inputs()) SHRINK_RETURN_IF_ERROR(define(v, "graph input"));
  for (const Value* v : g.initializers()) {
    SHRINK_RETURN_IF_ERROR(define(v, "initializer"));
    const Tensor& t = v->data();
    if (t.defined()) {
      if (v->type().dtype != t.dtype())
        return InvalidArgument(where + ": initializer '" + v->name() + "' declared " +
                               TypeInfoToString(v->type()) + " but holds " +
                               DataTypeName(t.dtype()));
      if (v->type().has_static_shape() && v->type().static_shape() != t.shape())
        return InvalidArgument(where + ": initializer '" + v->name() + "' declared " +
                               TypeInfoToString(v->type()) + " but holds shape " +
                               ShapeToString(t.shape()));
    }
  }
  for (const Value* v : g.outer_references()) {
    SHRINK_RETURN_IF_ERROR(define(v, "outer reference"));
    const bool found = std::any_of(enclosing.begin(), enclosing.end(),
                                   [&](const NameSet* s) { return s->count(v->name()) > 0; });
    if (!found)
      return InvalidArgument(where + ": '" + v->name() + "' is not defined in any enclosing graph");
  }

  NameSet node_names;
  for (const auto& node_ptr : g.nodes()) {
    const Node& n = *node_ptr;
    if (n.owner() != &g) return Internal(where + ": " + n.Describe() + " has a wrong owner");
    if (!n.name().empty() && !node_names.insert(n.name()).second)
      return InvalidArgument(where + ": two nodes are named '" + n.name() + "'");
    for (size_t i = 0; i < n.inputs().size(); ++i) {
      const Value* in = n.inputs()[i];
      if (!in) continue;
      if (!defined.count(in->name()))
        return InvalidArgument(where + ": " + n.Describe() + " uses '" + in->name() +
                               "' before it is produced (dangling value or cycle)");
      const auto& uses = in->uses();
      if (std::find(uses.begin(), uses.end(), Use{const_cast<Node*>(&n), static_cast<int>(i)}) ==
          uses.end())
        return Internal(where + ": use list of '" + in->name() + "' misses " + n.Describe());
    }
    // Subgraphs see everything defined so far in this graph and in the enclosing ones.
    std::vector<const NameSet*> inner = enclosing;
    inner.push_back(&defined);
    for (const Graph* sub : n.Subgraphs())
      SHRINK_RETURN_IF_ERROR(VerifyGraph(*sub, inner).WithContext(n.Describe()));
    for (const Value* out : n.outputs()) {
      if (!out) continue;
      if (out->producer() != &n)
        return Internal(where + ": '" + out->name() + "' has a wrong producer");
      SHRINK_RETURN_IF_ERROR(define(out, "output of " + n.Describe()));
    }
  }
  for (const Value* out : g.outputs()) {
    if (!out) return InvalidArgument(where + ": null graph output");
    const bool outer = std::any_of(enclosing.begin(), enclosing.end(),
                                   [&](const NameSet* s) { return s->count(out->name()) > 0; });
    if (!defined.count(out->name()) && !outer)
      return InvalidArgument(where + ": graph output '" + out->name() + "' is never produced");
  }
  return Status::Ok();
}

}  // namespace

Status Verify(const Graph& graph) { return VerifyGraph(graph, {}); }

Status Verify(const Model& model) {
  if (!model.graph) return InvalidArgument("model has no graph");
  return Verify(*model.graph);
}

}  // namespace shrink::ir
