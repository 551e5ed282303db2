#include "ir/node.h"

#include <algorithm>

#include "ir/graph.h"

namespace shrink::ir {

Value* Node::input(int i) const {
  return i >= 0 && i < static_cast<int>(inputs_.size()) ? inputs_[static_cast<size_t>(i)] : nullptr;
}

Value* Node::output(int i) const {
  return i >= 0 && i < static_cast<int>(outputs_.size()) ? outputs_[static_cast<size_t>(i)]
                                                         : nullptr;
}

void Node::SetInput(int i, Value* v) {
  if (i < 0) return;
  const auto idx = static_cast<size_t>(i);
  if (idx >= inputs_.size()) inputs_.resize(idx + 1, nullptr);
  if (Value* old = inputs_[idx]) {
    auto& uses = old->uses_;
    uses.erase(std::find(uses.begin(), uses.end(), Use{this, i}));
  }
  inputs_[idx] = v;
  if (v) v->uses_.push_back(Use{this, i});
}

void Node::AddInput(Value* v) { SetInput(static_cast<int>(inputs_.size()), v); }

const Attribute* Node::FindAttr(const std::string& name) const {
  for (const auto& a : attributes_)
    if (a.name == name) return &a;
  return nullptr;
}

void Node::SetAttr(Attribute a) {
  for (auto& existing : attributes_) {
    if (existing.name == a.name) {
      existing = std::move(a);
      return;
    }
  }
  attributes_.push_back(std::move(a));
}

bool Node::RemoveAttr(const std::string& name) {
  auto it = std::find_if(attributes_.begin(), attributes_.end(),
                         [&](const Attribute& a) { return a.name == name; });
  if (it == attributes_.end()) return false;
  attributes_.erase(it);
  return true;
}

namespace {
const Attribute* Expect(const Node& n, const std::string& name, AttrKind kind) {
  const Attribute* a = n.FindAttr(name);
  if (a && a->kind != kind)
    Throw(StatusCode::kInvalidArgument, n.Describe() + ": attribute '" + name + "' is " +
                                            AttrKindName(a->kind) + ", expected " +
                                            AttrKindName(kind));
  return a;
}
}  // namespace

int64_t Node::GetInt(const std::string& name, int64_t dflt) const {
  const Attribute* a = Expect(*this, name, AttrKind::kInt);
  return a ? a->i : dflt;
}
float Node::GetFloat(const std::string& name, float dflt) const {
  const Attribute* a = FindAttr(name);
  if (a && a->kind == AttrKind::kInt) return static_cast<float>(a->i);  // lenient: ints as floats
  a = Expect(*this, name, AttrKind::kFloat);
  return a ? a->f : dflt;
}
std::string Node::GetString(const std::string& name, const std::string& dflt) const {
  const Attribute* a = Expect(*this, name, AttrKind::kString);
  return a ? a->s : dflt;
}
std::vector<int64_t> Node::GetInts(const std::string& name, std::vector<int64_t> dflt) const {
  const Attribute* a = Expect(*this, name, AttrKind::kInts);
  return a ? a->ints : dflt;
}
std::vector<float> Node::GetFloats(const std::string& name, std::vector<float> dflt) const {
  const Attribute* a = Expect(*this, name, AttrKind::kFloats);
  return a ? a->floats : dflt;
}
const Tensor* Node::GetTensor(const std::string& name) const {
  const Attribute* a = Expect(*this, name, AttrKind::kTensor);
  return a ? &a->t : nullptr;
}
const Graph* Node::GetGraph(const std::string& name) const {
  const Attribute* a = Expect(*this, name, AttrKind::kGraph);
  return a ? a->g.get() : nullptr;
}

std::vector<Graph*> Node::Subgraphs() const {
  std::vector<Graph*> result;
  for (const auto& a : attributes_) {
    if (a.kind == AttrKind::kGraph && a.g) result.push_back(a.g.get());
    if (a.kind == AttrKind::kGraphs)
      for (const auto& g : a.graphs)
        if (g) result.push_back(g.get());
  }
  return result;
}

std::string Node::Describe() const {
  const std::string op = domain_.empty() ? op_type_ : domain_ + "." + op_type_;
  return op + (name_.empty() ? " (unnamed)" : " '" + name_ + "'");
}

}  // namespace shrink::ir
