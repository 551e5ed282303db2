#include "ir/graph.h"

#include <algorithm>
#include <queue>
#include <unordered_set>

namespace shrink::ir {

Graph::Graph(std::string name, Graph* parent) : name_(std::move(name)), parent_(parent) {}

Value* Graph::FindValue(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

std::string Graph::UniqueName(const std::string& hint) {
  const std::string base = hint.empty() ? "v" : hint;
  if (!by_name_.count(base)) return base;
  std::string candidate;
  do {
    candidate = base + "_" + std::to_string(++unique_counter_);
  } while (by_name_.count(candidate));
  return candidate;
}

Value* Graph::NewValue(const std::string& name, Value::Kind kind) {
  const std::string n = name.empty() ? UniqueName("v") : name;
  if (by_name_.count(n))
    Throw(StatusCode::kInvalidArgument, "graph '" + name_ + "': duplicate value name '" + n + "'");
  auto v = std::make_unique<Value>();
  v->name_ = n;
  v->kind_ = kind;
  v->owner_ = this;
  Value* raw = v.get();
  values_.push_back(std::move(v));
  by_name_[n] = raw;
  return raw;
}

void Graph::RenameValue(Value* v, const std::string& name) {
  if (v->name_ == name) return;
  if (by_name_.count(name))
    Throw(StatusCode::kInvalidArgument,
          "graph '" + name_ + "': value name '" + name + "' is taken");
  by_name_.erase(v->name_);
  v->name_ = name;
  by_name_[name] = v;
}

Value* Graph::AddInput(const std::string& name, TypeInfo type) {
  Value* v = NewValue(name, Value::Kind::kInput);
  v->type_ = std::move(type);
  inputs_.push_back(v);
  declared_inputs_.push_back(v);
  return v;
}

Value* Graph::AddInitializer(const std::string& name, Tensor data) {
  Value* v = NewValue(name, Value::Kind::kInitializer);
  v->type_ = TypeInfo::Tensor(data.dtype(), data.shape());
  v->data_ = std::move(data);
  initializers_.push_back(v);
  return v;
}

void Graph::MarkInitializerAsInput(Value* v) {
  if (!v || v->kind_ != Value::Kind::kInitializer || v->also_input_) return;
  v->also_input_ = true;
  declared_inputs_.push_back(v);
}

Value* Graph::AddOuterReference(const std::string& name) {
  if (Value* existing = FindValue(name)) return existing;
  Value* v = NewValue(name, Value::Kind::kOuter);
  outer_refs_.push_back(v);
  return v;
}

void Graph::AddOutput(Value* v) {
  outputs_.push_back(v);
  if (v) ++v->output_count_;
}

void Graph::SetOutputs(std::vector<Value*> outs) {
  for (Value* v : outputs_)
    if (v) --v->output_count_;
  outputs_.clear();
  for (Value* v : outs) AddOutput(v);
}

std::vector<Value*> Graph::values() const {
  std::vector<Value*> result;
  result.reserve(values_.size());
  for (const auto& v : values_) result.push_back(v.get());
  return result;
}

Node* Graph::AddNode(const std::string& op_type, const std::vector<Value*>& inputs,
                     const std::vector<std::string>& output_names, std::vector<Attribute> attrs,
                     const std::string& name, const std::string& domain) {
  for (const auto& out : output_names)
    if (!out.empty() && by_name_.count(out))
      Throw(StatusCode::kInvalidArgument,
            op_type + " '" + name + "': output name '" + out + "' is already defined");
  auto node = std::make_unique<Node>();
  Node* n = node.get();
  n->op_type_ = op_type;
  n->domain_ = domain == "ai.onnx" ? "" : domain;
  n->name_ = name;
  n->owner_ = this;
  n->attributes_ = std::move(attrs);
  for (Value* in : inputs) n->AddInput(in);
  for (size_t i = 0; i < output_names.size(); ++i) {
    if (output_names[i].empty()) {
      n->outputs_.push_back(nullptr);
      continue;
    }
    Value* v = NewValue(output_names[i], Value::Kind::kIntermediate);
    v->producer_ = n;
    v->producer_index_ = static_cast<int>(i);
    n->outputs_.push_back(v);
  }
  nodes_.push_back(std::move(node));
  return n;
}

bool Graph::RemoveNode(Node* node) {
  for (Value* out : node->outputs_)
    if (out && (!out->uses_.empty() || out->is_graph_output())) return false;
  for (size_t i = 0; i < node->inputs_.size(); ++i) node->SetInput(static_cast<int>(i), nullptr);
  for (Value* out : node->outputs_) {
    if (!out) continue;
    by_name_.erase(out->name_);
    values_.erase(std::find_if(values_.begin(), values_.end(),
                               [&](const auto& p) { return p.get() == out; }));
  }
  nodes_.erase(
      std::find_if(nodes_.begin(), nodes_.end(), [&](const auto& p) { return p.get() == node; }));
  return true;
}

bool Graph::RemoveInitializer(Value* v) {
  if (!v || !v->is_initializer() || v->also_input_ || !v->uses_.empty() || v->is_graph_output())
    return false;
  auto it = std::find(initializers_.begin(), initializers_.end(), v);
  if (it == initializers_.end()) return false;
  initializers_.erase(it);
  by_name_.erase(v->name_);
  values_.erase(
      std::find_if(values_.begin(), values_.end(), [&](const auto& p) { return p.get() == v; }));
  return true;
}

void Graph::ReplaceAllUsesWith(Value* from, Value* to) {
  if (from == to) return;
  const std::vector<Use> uses = from->uses_;
  for (const Use& u : uses) u.node->SetInput(u.index, to);
  for (Value*& out : outputs_) {
    if (out == from) {
      --from->output_count_;
      out = to;
      ++to->output_count_;
    }
  }
}

namespace {
// Names a subgraph (and its nested subgraphs) takes from enclosing scopes.
void CollectOuterNames(const Graph& g, std::unordered_set<std::string>& names) {
  for (const Value* v : g.outer_references()) names.insert(v->name());
  for (const auto& n : g.nodes())
    for (const Graph* sub : n->Subgraphs()) {
      std::unordered_set<std::string> inner;
      CollectOuterNames(*sub, inner);
      for (const auto& name : inner)
        if (!g.FindValue(name) || g.FindValue(name)->is_outer()) names.insert(name);
    }
}
}  // namespace

std::vector<std::string> ImplicitInputs(const Node& node) {
  std::unordered_set<std::string> names;
  for (const Graph* sub : node.Subgraphs()) CollectOuterNames(*sub, names);
  std::vector<std::string> sorted(names.begin(), names.end());
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

Status Graph::TopologicalSort() {
  const size_t n = nodes_.size();
  std::unordered_map<const Node*, size_t> index;
  for (size_t i = 0; i < n; ++i) index[nodes_[i].get()] = i;

  std::vector<std::vector<size_t>> consumers(n);
  std::vector<size_t> pending(n, 0);
  for (size_t i = 0; i < n; ++i) {
    std::unordered_set<size_t> deps;
    auto add_dep = [&](const Value* v) {
      if (v && v->producer_ && v->owner_ == this) deps.insert(index.at(v->producer_));
    };
    for (const Value* in : nodes_[i]->inputs_) add_dep(in);
    for (const auto& name : ImplicitInputs(*nodes_[i])) add_dep(FindValue(name));
    deps.erase(i);  // self-reference is reported by the verifier as use-before-def
    pending[i] = deps.size();
    for (size_t d : deps) consumers[d].push_back(i);
  }

  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;  // stable order
  for (size_t i = 0; i < n; ++i)
    if (pending[i] == 0) ready.push(i);
  std::vector<size_t> order;
  order.reserve(n);
  while (!ready.empty()) {
    const size_t i = ready.top();
    ready.pop();
    order.push_back(i);
    for (size_t c : consumers[i])
      if (--pending[c] == 0) ready.push(c);
  }
  if (order.size() != n) {
    for (size_t i = 0; i < n; ++i)
      if (pending[i] > 0)
        return InvalidArgument("graph '" + name_ + "' has a cycle through node " +
                               nodes_[i]->Describe());
  }
  std::vector<std::unique_ptr<Node>> sorted;
  sorted.reserve(n);
  for (size_t i : order) sorted.push_back(std::move(nodes_[i]));
  nodes_ = std::move(sorted);
  return Status::Ok();
}

}  // namespace shrink::ir
