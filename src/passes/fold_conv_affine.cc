#include "passes/fold_conv_affine.h"

#include <algorithm>
#include <optional>
#include <unordered_set>

#include "passes/pattern_util.h"

namespace shrink::passes {

namespace {

bool IsFloat(const Tensor* t) {
  return t && (t->dtype() == DataType::kFloat32 || t->dtype() == DataType::kFloat64);
}

// The constant operand of binary `n` other than `y`, when `y` is one operand; else nullptr.
const Tensor* ConstOperand(const ir::Node* n, const ir::Value* y) {
  if (n->inputs().size() != 2) return nullptr;
  if (n->input(0) == y) return ConstantOf(n->input(1));
  if (n->input(1) == y) return ConstantOf(n->input(0));
  return nullptr;
}

// Per-output-channel values of `t` for an output of rank `rank` with `m` channels: one element
// broadcast, or [M, 1, ...] (rank - 1) / [1, M, 1, ...] (rank); empty when neither.
std::vector<double> PerChannel(const Tensor* t, int64_t rank, int64_t m) {
  if (!IsFloat(t)) return {};
  const int64_t r = t->rank();
  std::vector<double> v = ToDoubles(*t);
  if (t->numel() == 1 && r <= rank) return std::vector<double>(static_cast<size_t>(m), v[0]);
  if (t->numel() != m) return {};
  const int64_t axis = r == rank ? 1 : (r == rank - 1 ? 0 : -1);
  if (axis < 0 || t->dim(axis) != m) return {};
  return v;
}

// The one-element float constant operand of binary `n` (the other operand in `*other`); nullopt
// when `n` has no such operand.
std::optional<double> ScalarOperand(const ir::Node* n, ir::Value** other) {
  if (n->inputs().size() != 2) return std::nullopt;
  for (int i = 0; i < 2; ++i) {
    const Tensor* c = ConstantOf(n->input(i));
    if (IsFloat(c) && c->numel() == 1 && c->rank() <= 1 && !ConstantOf(n->input(1 - i))) {
      *other = n->input(1 - i);
      return c->GetAsDouble(0);
    }
  }
  return std::nullopt;
}

bool Unpadded(const ir::Node* conv) {
  const std::string ap = conv->GetString("auto_pad", "NOTSET");
  if (ap != "NOTSET" && ap != "VALID") return false;
  const std::vector<int64_t> pads = conv->GetInts("pads", {});
  return std::all_of(pads.begin(), pads.end(), [](int64_t p) { return p == 0; });
}

// Pattern B, anchored at the Conv: folds Mul(u, s) [-> Add(., t)] feeding its input 0.
bool FoldInput(ir::Graph& graph, ir::Node* conv, std::unordered_set<const ir::Node*>& removed) {
  const Tensor* w = ConstantOf(conv->input(1));
  const bool has_b = conv->inputs().size() > 2 && conv->input(2);
  const Tensor* b = has_b ? ConstantOf(conv->input(2)) : nullptr;
  if (!IsFloat(w) || w->rank() < 3 || (has_b && (!b || b->dtype() != w->dtype()))) return false;
  const int64_t m = w->dim(0);
  if (b && b->numel() != m) return false;
  std::vector<ir::Node*> chain = {conv};
  ir::Value* u = conv->input(0);
  double s = 1.0, t = 0.0;
  ir::Node* p = u ? u->producer() : nullptr;
  ir::Value* other = nullptr;
  if (IsOp(p, "Add") && SoleUse(u) == conv && Unpadded(conv)) {
    std::optional<double> v = ScalarOperand(p, &other);
    if (v) {
      t = *v;
      chain.insert(chain.begin(), p);
      u = other;
      p = u->producer();
    }
  }
  if (IsOp(p, "Mul") && SoleUse(u) == chain.front()) {
    std::optional<double> v = ScalarOperand(p, &other);
    if (v) {
      s = *v;
      chain.insert(chain.begin(), p);
      u = other;
    }
  }
  if (chain.size() == 1) return false;
  Tensor w2(w->dtype(), w->shape());
  Tensor b2(w->dtype(), {m});
  const int64_t per = w->numel() / m;
  for (int64_t c = 0; c < m; ++c) {
    double sum = 0;
    for (int64_t i = c * per; i < (c + 1) * per; ++i) {
      sum += w->GetAsDouble(i);
      w2.SetFromDouble(i, w->GetAsDouble(i) * s);
    }
    b2.SetFromDouble(c, (b ? b->GetAsDouble(c) : 0.0) + t * sum);
  }
  const std::string base = conv->name().empty() ? "conv" : conv->name();
  ir::Value* wv = AddConstant(graph, base + ".weight_affine_in", std::move(w2));
  ir::Value* bv = AddConstant(graph, base + ".bias_affine_in", std::move(b2));
  ReplaceWithNode(graph, chain, "Conv", {u, wv, bv}, conv->attributes(), "", removed);
  return true;
}

}  // namespace

Expected<bool> FoldConvAffine::Run(ir::Graph& graph, PassContext& /*ctx*/) {
  std::unordered_set<const ir::Node*> removed;
  bool changed = false;
  for (ir::Node* conv : NodeList(graph)) {
    if (removed.count(conv) || !IsOp(conv, "Conv") || conv->outputs().size() != 1) continue;
    ir::Node* n1 = SoleUse(conv->output(0));
    if (!IsOp(n1, "Mul") && !IsOp(n1, "Add")) continue;
    const Tensor* w = ConstantOf(conv->input(1));
    const Tensor* b =
        conv->inputs().size() > 2 && conv->input(2) ? ConstantOf(conv->input(2)) : nullptr;
    const bool has_b = conv->inputs().size() > 2 && conv->input(2);
    if (!IsFloat(w) || w->rank() < 3 || (has_b && (!b || b->dtype() != w->dtype()))) continue;
    const int64_t m = w->dim(0), rank = w->rank();
    if (b && b->numel() != m) continue;
    std::vector<double> s(static_cast<size_t>(m), 1.0), t(static_cast<size_t>(m), 0.0);
    std::vector<ir::Node*> chain = {conv};
    ir::Node* add = IsOp(n1, "Add") ? n1 : nullptr;
    if (IsOp(n1, "Mul")) {
      s = PerChannel(ConstOperand(n1, conv->output(0)), rank, m);
      if (s.empty()) continue;
      chain.push_back(n1);
      ir::Node* n2 = SoleUse(n1->output(0));
      if (IsOp(n2, "Add") && !PerChannel(ConstOperand(n2, n1->output(0)), rank, m).empty())
        add = n2;
    }
    if (add) {
      t = PerChannel(ConstOperand(add, chain.back()->output(0)), rank, m);
      if (t.empty()) continue;
      chain.push_back(add);
    }
    auto [w2, b2] = ScaleConvChannels(*w, b, {}, s, t);
    const std::string base = conv->name().empty() ? "conv" : conv->name();
    ir::Value* wv = AddConstant(graph, base + ".weight_affine", std::move(w2));
    ir::Value* bv = AddConstant(graph, base + ".bias_affine", std::move(b2));
    ReplaceWithNode(graph, chain, "Conv", {conv->input(0), wv, bv}, conv->attributes(), "",
                    removed);
    changed = true;
  }
  for (ir::Node* conv : NodeList(graph))
    if (!removed.count(conv) && IsOp(conv, "Conv") && conv->outputs().size() == 1)
      changed = FoldInput(graph, conv, removed) || changed;
  if (changed) SHRINK_RETURN_IF_ERROR(graph.TopologicalSort());
  return changed;
}

}  // namespace shrink::passes
