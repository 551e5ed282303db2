#include "quant/smoothquant.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_set>

#include "passes/pattern_util.h"
#include "quant/channel_stats.h"
#include "quant/weight_channels.h"

namespace shrink::quant {

namespace {

struct Group {
  ir::Value* x = nullptr;
  std::vector<ir::Node*> consumers;
  int64_t k = 0;
};

bool Eligible(const ir::Node& n) {
  if (!passes::IsOp(&n, "MatMul") && !passes::IsOp(&n, "Gemm")) return false;
  if (n.GetInt("transA", 0) || !n.input(0) || passes::ConstantOf(n.input(0))) return false;
  ir::Value* w = OwnedWeight(n, 1);
  return w && w->data().rank() == 2 && InChannels(n, w->data().shape()) > 0;
}

// Divides output channel j of `p` by s_j when `p` allows folding; returns whether it did.
bool FoldIntoProducer(ir::Node* p, const std::vector<double>& inv) {
  const int64_t k = static_cast<int64_t>(inv.size());
  if (passes::IsOp(p, "LayerNormalization")) {
    ir::Value* scale = OwnedWeight(*p, 1);
    ir::Value* bias = p->input(2) ? OwnedWeight(*p, 2) : nullptr;
    const int64_t axis = p->GetInt("axis", -1);
    const auto& shape = p->input(0)->type().shape;
    const bool last = axis == -1 || (shape && axis == static_cast<int64_t>(shape->size()) - 1);
    if (!scale || scale->data().numel() != k || !last || (p->input(2) && !bias) ||
        (bias && bias->data().numel() != k) || !passes::OnlyFirstOutputUsed(p))
      return false;
    ScaleVector(scale, inv);
    if (bias) ScaleVector(bias, inv);
    return true;
  }
  if (!passes::IsOp(p, "MatMul") && !passes::IsOp(p, "Gemm")) return false;
  ir::Value* w = OwnedWeight(*p, 1);
  if (!w || w->data().rank() != 2 || OutChannels(*p, w->data().shape()) != k) return false;
  ir::Value* b = p->op_type() == "Gemm" && p->input(2) ? OwnedWeight(*p, 2) : nullptr;
  if (p->op_type() == "Gemm" && p->input(2) && (!b || b->data().numel() != k)) return false;
  ScaleOutChannels(*p, w, inv);
  if (b) ScaleVector(b, inv);
  return true;
}

}  // namespace

Expected<SmoothQuantStats> SmoothQuant(ir::Model& model, const std::vector<std::string>& nodes,
                                       CalibrationSource& source, double alpha, int threads) {
  if (!(alpha >= 0 && alpha <= 1))
    return InvalidArgument("smoothquant alpha must be in [0, 1], got " + std::to_string(alpha));
  ir::Graph& g = *model.graph;
  const std::unordered_set<std::string> wanted(nodes.begin(), nodes.end());
  std::map<std::string, Group> groups;
  for (ir::Node* n : passes::NodeList(g)) {
    if (!wanted.count(n->name()) || !Eligible(*n)) continue;
    const int64_t k = InChannels(*n, n->input(1)->data().shape());
    Group& grp = groups[n->input(0)->name()];
    if (grp.x && grp.k != k) continue;
    grp.x = n->input(0);
    grp.k = k;
    grp.consumers.push_back(n);
  }
  SmoothQuantStats stats;
  if (groups.empty()) return stats;
  std::vector<ChannelRequest> requests;
  for (const auto& [name, grp] : groups) requests.push_back({name, -1});
  SHRINK_ASSIGN_OR_RETURN(
      auto act_max, CollectChannelStats(model, requests, ChannelStat::kAbsMax, source, threads));
  for (auto& [name, grp] : groups) {
    auto it = act_max.find(name);
    if (it == act_max.end() || static_cast<int64_t>(it->second.size()) != grp.k) continue;
    const std::vector<double>& a = it->second;
    std::vector<double> w(a.size(), 0.0), s(a.size(), 1.0), inv(a.size(), 1.0);
    for (ir::Node* n : grp.consumers) {
      const std::vector<double> m = InChannelAbsMax(*n, n->input(1)->data());
      for (size_t j = 0; j < w.size(); ++j) w[j] = std::max(w[j], m[j]);
    }
    for (size_t j = 0; j < s.size(); ++j) {
      if (a[j] > 0 && w[j] > 0)
        s[j] = std::clamp(std::pow(a[j], alpha) / std::pow(w[j], 1 - alpha), 1e-4, 1e4);
      inv[j] = 1.0 / s[j];
    }
    std::vector<double> sorted = a;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    const double median = sorted[sorted.size() / 2];
    if (median > 0)
      stats.max_outlier_ratio =
          std::max(stats.max_outlier_ratio, *std::max_element(a.begin(), a.end()) / median);
    for (ir::Node* n : grp.consumers) ScaleInChannels(*n, n->input(1), s);
    ir::Value* x = grp.x;
    const bool all_uses = x->uses().size() == grp.consumers.size() && !x->is_graph_output() &&
                          !passes::ImplicitlyUsed(x);
    ++stats.groups;
    if (all_uses && x->producer() && FoldIntoProducer(x->producer(), inv)) {
      ++stats.folded;
      continue;
    }
    Tensor t(DataType::kFloat32, {grp.k});
    for (size_t j = 0; j < inv.size(); ++j) t.data<float>()[j] = static_cast<float>(inv[j]);
    ir::Value* c = passes::AddConstant(g, name + ".smooth_scale", std::move(t));
    ir::Node* mul = g.AddNode("Mul", {x, c}, {g.UniqueName(name + ".smoothed")}, {},
                              g.UniqueName(name + "_smooth_Mul"));
    mul->output(0)->type() = x->type();
    for (ir::Node* n : grp.consumers) n->SetInput(0, mul->output(0));
    ++stats.inserted;
  }
  SHRINK_RETURN_IF_ERROR(g.TopologicalSort());
  return stats;
}

}  // namespace shrink::quant
