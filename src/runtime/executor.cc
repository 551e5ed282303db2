#include "runtime/executor.h"

#include <unordered_set>

namespace shrink::runtime {

namespace {

std::string Canon(const std::string& domain) { return domain == "ai.onnx" ? "" : domain; }

void CollectUnsupported(const ir::Graph& g, const std::unordered_map<std::string, int64_t>& opsets,
                        std::vector<std::string>& out,
                        std::unordered_map<const ir::Node*, const KernelDef*>* bind) {
  for (const auto& n : g.nodes()) {
    auto it = opsets.find(Canon(n->domain()));
    const int64_t opset = it == opsets.end() ? 0 : it->second;
    const KernelDef* def = KernelRegistry::Global().Find(n->domain(), n->op_type(), opset);
    if (!def) {
      const std::string msg = n->Describe() + " (domain '" +
                              (n->domain().empty() ? std::string("ai.onnx") : n->domain()) +
                              "', opset " + std::to_string(opset) + ")";
      out.push_back(msg);
    } else if (bind) {
      (*bind)[n.get()] = def;
    }
    for (const ir::Graph* sub : n->Subgraphs()) CollectUnsupported(*sub, opsets, out, bind);
  }
}

std::unordered_map<std::string, int64_t> OpsetMap(const ir::Model& model) {
  std::unordered_map<std::string, int64_t> m;
  for (const auto& op : model.opset_imports) m[Canon(op.domain)] = op.version;
  return m;
}

// Checks a fed tensor against the declared input type.
void CheckFeed(const ir::Value& v, const Tensor& t) {
  const ir::TypeInfo& type = v.type();
  if (type.dtype != DataType::kUndefined && type.dtype != t.dtype())
    Throw(StatusCode::kInvalidArgument, "input '" + v.name() + "' expects " +
                                            DataTypeName(type.dtype) + ", got " +
                                            DataTypeName(t.dtype()));
  if (!type.shape) return;
  const auto& dims = *type.shape;
  bool ok = dims.size() == t.shape().size();
  for (size_t i = 0; ok && i < dims.size(); ++i)
    ok = !dims[i].is_known() || dims[i].value == t.shape()[i];
  if (!ok)
    Throw(StatusCode::kInvalidArgument, "input '" + v.name() + "' expects shape " +
                                            ir::TypeInfoToString(type) + ", got " +
                                            ShapeToString(t.shape()));
}

}  // namespace

// Values visible while running one graph: its own plus, through `parent`, the enclosing ones.
struct Executor::Scope {
  const Scope* parent = nullptr;
  std::unordered_map<std::string, Tensor> values;
  const Tensor* Find(const std::string& name) const {
    for (const Scope* s = this; s; s = s->parent) {
      auto it = s->values.find(name);
      if (it != s->values.end()) return &it->second;
    }
    return nullptr;
  }
};

std::vector<std::string> UnsupportedOps(const ir::Model& model) {
  std::vector<std::string> out;
  CollectUnsupported(*model.graph, OpsetMap(model), out, nullptr);
  return out;
}

Expected<std::unique_ptr<Executor>> Executor::Create(const ir::Model& model) {
  std::unique_ptr<Executor> ex(new Executor(model));
  ex->opsets_ = OpsetMap(model);
  std::vector<std::string> missing;
  CollectUnsupported(*model.graph, ex->opsets_, missing, &ex->kernels_);
  if (!missing.empty()) {
    std::string msg = "no kernel for " + missing[0];
    if (missing.size() > 1) msg += " and " + std::to_string(missing.size() - 1) + " more";
    return Unimplemented(msg);
  }
  return ex;
}

std::vector<Tensor> Executor::RunGraph(const ir::Graph& g, const Scope* parent,
                                       std::unordered_map<std::string, Tensor> bound,
                                       std::unordered_map<std::string, Tensor>* keep_all) const {
  Scope scope;
  scope.parent = parent;
  scope.values = std::move(bound);
  for (const ir::Value* init : g.initializers())
    if (!scope.values.count(init->name())) scope.values[init->name()] = init->data();

  // Last use of each value (direct inputs and subgraph implicit inputs), to free intermediates.
  std::unordered_map<std::string, size_t> last_use;
  std::unordered_set<std::string> graph_outputs;
  for (const ir::Value* v : g.outputs()) graph_outputs.insert(v->name());
  std::vector<std::vector<std::string>> implicit(g.nodes().size());
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    for (const ir::Value* in : g.nodes()[i]->inputs())
      if (in) last_use[in->name()] = i;
    implicit[i] = ir::ImplicitInputs(*g.nodes()[i]);
    for (const auto& name : implicit[i]) last_use[name] = i;
  }

  for (size_t i = 0; i < g.nodes().size(); ++i) {
    const ir::Node& node = *g.nodes()[i];
    std::vector<const Tensor*> inputs;
    for (const ir::Value* in : node.inputs()) {
      if (!in) {
        inputs.push_back(nullptr);
        continue;
      }
      const Tensor* t = scope.Find(in->name());
      if (!t || !t->defined())
        Throw(StatusCode::kInvalidArgument,
              node.Describe() + ": input '" + in->name() + "' has no value (missing feed?)");
      inputs.push_back(t);
    }
    auto opset_it = opsets_.find(Canon(node.domain()));
    const int64_t opset = opset_it == opsets_.end() ? 0 : opset_it->second;
    SubgraphRunner runner = [this, &scope](const ir::Graph& sub, const std::vector<Tensor>& ins) {
      std::unordered_map<std::string, Tensor> b;
      const auto& declared = sub.inputs();
      for (size_t k = 0; k < declared.size() && k < ins.size(); ++k)
        b[declared[k]->name()] = ins[k];
      return RunGraph(sub, &scope, std::move(b), nullptr);
    };
    KernelContext ctx(node, opset, std::move(inputs), std::move(runner));
    kernels_.at(&node)->fn(ctx);
    for (int k = 0; k < ctx.num_outputs(); ++k) {
      const ir::Value* out = node.output(k);
      if (!out) continue;
      Tensor& t = ctx.outputs()[static_cast<size_t>(k)];
      if (!t.defined())
        Throw(StatusCode::kInternal, node.Describe() + ": kernel did not set output " +
                                         std::to_string(k) + " ('" + out->name() + "')");
      if (keep_all) (*keep_all)[out->name()] = t;
      scope.values[out->name()] = std::move(t);
    }
    // Free local values whose last use was this node (never graph outputs or initializers).
    auto release = [&](const std::string& name) {
      if (graph_outputs.count(name)) return;
      auto it = last_use.find(name);
      if (it == last_use.end() || it->second != i) return;
      const ir::Value* v = g.FindValue(name);
      if (v && !v->is_initializer()) scope.values.erase(name);
    };
    for (const ir::Value* in : node.inputs())
      if (in) release(in->name());
    for (const auto& name : implicit[i]) release(name);
  }

  std::vector<Tensor> outputs;
  for (const ir::Value* v : g.outputs()) {
    const Tensor* t = scope.Find(v->name());
    if (!t) Throw(StatusCode::kInternal, "graph output '" + v->name() + "' was not computed");
    outputs.push_back(*t);
  }
  return outputs;
}

std::unordered_map<std::string, Tensor> Executor::BindFeeds(const Feeds& feeds) const {
  const ir::Graph& g = *model_.graph;
  std::unordered_map<std::string, Tensor> bound;
  for (const auto& [name, t] : feeds) {
    const ir::Value* v = g.FindValue(name);
    if (!v || !v->is_graph_input())
      Throw(StatusCode::kInvalidArgument, "model has no input named '" + name + "'");
    CheckFeed(*v, t);
    bound[name] = t;
  }
  for (const ir::Value* v : g.inputs())
    if (!bound.count(v->name()))
      Throw(StatusCode::kInvalidArgument,
            "missing input '" + v->name() + "' (" + ir::TypeInfoToString(v->type()) + ")");
  return bound;
}

template <typename F>
auto Guarded(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Error& e) {
    return e.ToStatus();
  } catch (const std::bad_alloc&) {
    return ResourceExhausted("out of memory while running the model");
  } catch (const std::exception& e) {
    return Internal(std::string("unexpected error: ") + e.what());
  }
}

Expected<std::vector<Tensor>> Executor::Run(const Feeds& feeds) const {
  return Guarded([&]() -> Expected<std::vector<Tensor>> {
    return RunGraph(*model_.graph, nullptr, BindFeeds(feeds), nullptr);
  });
}

Expected<std::unordered_map<std::string, Tensor>> Executor::RunAll(const Feeds& feeds) const {
  return Guarded([&]() -> Expected<std::unordered_map<std::string, Tensor>> {
    auto bound = BindFeeds(feeds);
    std::unordered_map<std::string, Tensor> all = bound;
    RunGraph(*model_.graph, nullptr, std::move(bound), &all);
    return all;
  });
}

}  // namespace shrink::runtime
