#include "quant/cross_layer_equalization.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "passes/pattern_util.h"
#include "quant/weight_channels.h"

namespace shrink::quant {

namespace {

struct Pair {
  ir::Node* a = nullptr;
  ir::Node* act = nullptr;  // the Clip(0, clip_max) on the way, if any
  ir::Node* b = nullptr;
  double clip_max = 0;
  std::vector<double> total;  // accumulated scale per channel
};

bool IsLinear(const ir::Node* n) {
  return passes::IsOp(n, "Conv") || passes::IsOp(n, "Gemm") || passes::IsOp(n, "MatMul");
}

// Upper bound of a Clip whose lower bound is exactly 0, or nullopt.
std::optional<double> ClipZeroMax(const ir::Node& clip) {
  const auto b = passes::ClipBounds(clip);
  if (!b || b->first != 0.0 || !(b->second > 0) || !std::isfinite(b->second)) return std::nullopt;
  return b->second;
}

// Output channels of `a` when it can be the first layer of a pair, else 0.
int64_t FirstLayerChannels(const ir::Node& a) {
  if (!IsLinear(&a) || !OwnedWeight(a, 1)) return 0;
  const int64_t c = OutChannels(a, a.input(1)->data().shape());
  if (c <= 0) return 0;
  if (a.input(2)) {
    ir::Value* b = OwnedWeight(a, 2);
    if (!b || b->data().rank() != 1 || b->data().numel() != c) return 0;
  }
  return c;
}

// Ops between A and B that commute with a positive per-channel scale of their input.
bool ScaleTransparent(const ir::Node* n) {
  if (passes::IsOp(n, "Relu") || passes::IsOp(n, "MaxPool") || passes::IsOp(n, "Identity"))
    return passes::OnlyFirstOutputUsed(n);  // MaxPool's indices output would not commute
  return passes::IsOp(n, "Dropout") && passes::OnlyFirstOutputUsed(n) &&
         !n->input(2);  // inference: identity unless training_mode is given
}

std::optional<Pair> MatchPair(ir::Node* a, bool through_clip) {
  const int64_t c = FirstLayerChannels(*a);
  if (c == 0 || !a->output(0)) return std::nullopt;
  Pair p{a, nullptr, nullptr, 0, std::vector<double>(static_cast<size_t>(c), 1.0)};
  ir::Value* x = a->output(0);
  ir::Node* next = passes::SoleUse(x);
  while (next && next->input(0) == x && next->output(0) &&
         (ScaleTransparent(next) || (passes::IsOp(next, "Clip") && !p.act))) {
    if (passes::IsOp(next, "Clip")) {
      const auto m = ClipZeroMax(*next);
      if (!m || !through_clip) return std::nullopt;
      p.clip_max = *m;
      p.act = next;
    }
    x = next->output(0);
    next = passes::SoleUse(x);
  }
  if (!next || next->input(0) != x || !IsLinear(next) || !OwnedWeight(*next, 1))
    return std::nullopt;
  if ((a->op_type() == "Conv") != (next->op_type() == "Conv")) return std::nullopt;
  if (InChannels(*next, next->input(1)->data().shape()) != c) return std::nullopt;
  p.b = next;
  return p;
}

// One equalization step of a pair; returns the largest relative scale change.
double Equalize(Pair& p) {
  const std::vector<double> r1 = OutChannelAbsMax(*p.a, p.a->input(1)->data());
  const std::vector<double> r2 = InChannelAbsMax(*p.b, p.b->input(1)->data());
  std::vector<double> s(r1.size(), 1.0), inv(r1.size(), 1.0);
  double moved = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (r1[i] > 0 && r2[i] > 0) s[i] = std::sqrt(r1[i] / r2[i]);
    inv[i] = 1.0 / s[i];
    p.total[i] *= s[i];
    moved = std::max(moved, std::abs(s[i] - 1.0));
  }
  if (moved == 0) return 0;
  ScaleOutChannels(*p.a, p.a->input(1), inv);
  if (p.a->input(2)) ScaleVector(p.a->input(2), inv);
  ScaleInChannels(*p.b, p.b->input(1), s);
  return moved;
}

// Clip(0, M) -> Clip(0, max bound) -> Min(bound per channel) after the accumulated scales.
void RewriteClip(ir::Graph& g, const Pair& p, int64_t opset) {
  std::vector<float> bound(p.total.size());
  float top = 0;
  for (size_t i = 0; i < bound.size(); ++i) {
    bound[i] = static_cast<float>(p.clip_max / p.total[i]);
    top = std::max(top, bound[i]);
  }
  if (opset >= 11) {
    p.act->SetInput(2, passes::AddConstant(g, p.act->name() + ".max", Tensor::Scalar<float>(top)));
  } else {
    p.act->SetAttr(ir::MakeAttr("max", top));
  }
  Shape shape = {static_cast<int64_t>(bound.size())};
  if (p.a->op_type() == "Conv") shape.resize(p.a->input(1)->data().rank() - 1, 1);
  ir::Value* limit = passes::AddConstant(g, p.act->name() + ".channel_max",
                                         Tensor::FromVector<float>(shape, bound));
  ir::Value* y = p.act->output(0);
  ir::Node* user = passes::SoleUse(y);  // the next op of the chain (MatchPair checked it)
  ir::Node* min = g.AddNode("Min", {y, limit}, {g.UniqueName(y->name() + ".channel_clip")}, {},
                            g.UniqueName(p.act->name() + "_channel_min"));
  min->output(0)->type() = y->type();
  user->SetInput(0, min->output(0));
}

}  // namespace

Expected<CleStats> EqualizeCrossLayers(ir::Model& model, const CleOptions& options) {
  if (options.max_iterations < 1 || !(options.tolerance > 0))
    return InvalidArgument("cross-layer equalization: max_iterations >= 1 and tolerance > 0");
  ir::Graph& g = *model.graph;
  std::vector<Pair> pairs;
  for (ir::Node* n : passes::NodeList(g))
    if (auto p = MatchPair(n, options.through_clip)) pairs.push_back(std::move(*p));
  CleStats stats;
  stats.pairs = static_cast<int64_t>(pairs.size());
  if (pairs.empty()) return stats;
  for (int it = 0; it < options.max_iterations; ++it) {
    double moved = 0;
    for (Pair& p : pairs) moved = std::max(moved, Equalize(p));
    ++stats.iterations;
    if (moved < options.tolerance) break;
  }
  const int64_t opset = model.OpsetFor("");
  for (const Pair& p : pairs) {
    if (p.clip_max <= 0) continue;
    const bool unchanged = std::all_of(p.total.begin(), p.total.end(),
                                       [](double s) { return std::abs(s - 1.0) < 1e-6; });
    if (unchanged) continue;
    RewriteClip(g, p, opset);
    ++stats.clip_rewrites;
  }
  SHRINK_RETURN_IF_ERROR(g.TopologicalSort());
  return stats;
}

}  // namespace shrink::quant
