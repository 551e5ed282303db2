#include "passes/pattern_util.h"

#include <algorithm>
#include <limits>

namespace shrink::passes {

bool IsOp(const ir::Node* n, const char* op_type, const char* domain) {
  if (!n || n->op_type() != op_type) return false;
  const std::string& d = n->domain();
  const std::string want = domain;
  if (want.empty()) return d.empty() || d == "ai.onnx";
  return d == want;
}

const Tensor* ConstantOf(const ir::Value* v) {
  if (!v) return nullptr;
  if (v->is_initializer()) return v->is_graph_input() ? nullptr : &v->data();
  const ir::Node* p = v->producer();
  if (!IsOp(p, "Constant")) return nullptr;
  for (const auto& a : p->attributes())
    if (a.name == "value" && a.kind == ir::AttrKind::kTensor) return &a.t;
  return nullptr;  // value_float & co. are left to constant folding
}

std::optional<double> ScalarConstantOf(const ir::Value* v) {
  const Tensor* t = ConstantOf(v);
  if (!t || !t->defined() || t->numel() != 1 || t->dtype() == DataType::kString)
    return std::nullopt;
  return t->GetAsDouble(0);
}

std::optional<std::pair<double, double>> ClipBounds(const ir::Node& clip) {
  double lo = clip.GetFloat("min", -std::numeric_limits<float>::max());
  double hi = clip.GetFloat("max", std::numeric_limits<float>::max());
  for (int i : {1, 2}) {
    if (!clip.input(i)) continue;
    const auto v = ScalarConstantOf(clip.input(i));
    if (!v) return std::nullopt;
    (i == 1 ? lo : hi) = *v;
  }
  return std::make_pair(lo, hi);
}

std::pair<Tensor, Tensor> ScaleConvChannels(const Tensor& w, const Tensor* b,
                                            const std::vector<double>& pre,
                                            const std::vector<double>& s,
                                            const std::vector<double>& post) {
  const int64_t m = w.dim(0);
  Tensor w2(w.dtype(), w.shape());
  const int64_t per = w.numel() / m;
  for (int64_t i = 0; i < w.numel(); ++i)
    w2.SetFromDouble(i, w.GetAsDouble(i) * s[static_cast<size_t>(i / per)]);
  Tensor b2(w.dtype(), {m});
  for (int64_t c = 0; c < m; ++c) {
    const size_t k = static_cast<size_t>(c);
    const double shifted = (b ? b->GetAsDouble(c) : 0.0) + (pre.empty() ? 0.0 : pre[k]);
    b2.SetFromDouble(c, shifted * s[k] + post[k]);
  }
  return {std::move(w2), std::move(b2)};
}

bool ImplicitlyUsed(const ir::Value* v) {
  const ir::Graph* g = v->owner();
  if (!g) return false;
  for (const auto& n : g->nodes()) {
    if (n->Subgraphs().empty()) continue;
    for (const std::string& name : ir::ImplicitInputs(*n))
      if (name == v->name()) return true;
  }
  return false;
}

ir::Node* SoleUse(const ir::Value* v) {
  if (!v || v->is_graph_output() || v->uses().size() != 1 || ImplicitlyUsed(v)) return nullptr;
  return v->uses()[0].node;
}

ir::Node* ProducerIs(const ir::Value* v, const char* op_type) {
  if (!v) return nullptr;
  ir::Node* p = v->producer();
  return IsOp(p, op_type) ? p : nullptr;
}

bool OnlyFirstOutputUsed(const ir::Node* n) {
  for (size_t i = 1; i < n->outputs().size(); ++i) {
    const ir::Value* o = n->outputs()[i];
    if (o && (!o->uses().empty() || o->is_graph_output())) return false;
  }
  return true;
}

std::vector<ir::Node*> NodeList(const ir::Graph& g) {
  std::vector<ir::Node*> out;
  out.reserve(g.nodes().size());
  for (const auto& n : g.nodes()) out.push_back(n.get());
  return out;
}

ir::Node* ReplaceWithNode(ir::Graph& g, const std::vector<ir::Node*>& matched,
                          const std::string& op_type, const std::vector<ir::Value*>& inputs,
                          std::vector<ir::Attribute> attrs, const std::string& domain,
                          std::unordered_set<const ir::Node*>& removed) {
  ir::Value* old_out = matched.back()->output(0);
  const std::string out_name = old_out->name();
  std::string node_name = matched.front()->name();
  ir::Node* n =
      g.AddNode(op_type, inputs, {g.UniqueName(out_name + "_fused")}, std::move(attrs), "", domain);
  n->output(0)->type() = old_out->type();
  g.ReplaceAllUsesWith(old_out, n->output(0));
  for (auto it = matched.rbegin(); it != matched.rend(); ++it) {
    if (g.RemoveNode(*it)) removed.insert(*it);
  }
  if (!g.FindValue(out_name)) g.RenameValue(n->output(0), out_name);
  if (!node_name.empty() && removed.count(matched.front())) n->set_name(node_name);
  return n;
}

ir::Value* AddConstant(ir::Graph& g, const std::string& hint, Tensor data) {
  return g.AddInitializer(g.UniqueName(hint), std::move(data));
}

std::vector<double> ToDoubles(const Tensor& t) {
  std::vector<double> out(static_cast<size_t>(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) out[static_cast<size_t>(i)] = t.GetAsDouble(i);
  return out;
}

}  // namespace shrink::passes
