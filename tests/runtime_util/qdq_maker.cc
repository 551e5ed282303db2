#include "runtime_util/qdq_maker.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace shrink::testing {
namespace {

bool IsDefaultOp(const ir::Node* n, const char* op) {
  return n && n->op_type() == op && (n->domain().empty() || n->domain() == "ai.onnx");
}

// Values whose uses make them worth quantizing (see the header).
bool WantsQuant(const ir::Value* v) {
  if (IsDefaultOp(v->producer(), "MaxPool")) return true;
  for (const ir::Use& u : v->uses())
    if ((IsDefaultOp(u.node, "Conv") && u.index == 0) || IsDefaultOp(u.node, "Add") ||
        (IsDefaultOp(u.node, "MaxPool") && u.index == 0))
      return true;
  return false;
}

void InsertQdq(ir::Graph& g, ir::Value* v, float lo, float hi) {
  lo = std::min(lo, 0.0f);
  hi = std::max(hi, 0.0f);
  float scale = (hi - lo) / 255.0f;
  if (!(scale > 0.0f)) scale = 1.0f;
  const float zp = std::clamp(std::nearbyint(-lo / scale), 0.0f, 255.0f);
  const std::vector<ir::Use> uses = v->uses();
  ir::Value* s = g.AddInitializer(g.UniqueName(v->name() + ".scale"), Tensor::Scalar<float>(scale));
  ir::Value* z = g.AddInitializer(g.UniqueName(v->name() + ".zero_point"),
                                  Tensor::Scalar<uint8_t>(static_cast<uint8_t>(zp)));
  ir::Node* q = g.AddNode("QuantizeLinear", {v, s, z}, {g.UniqueName(v->name() + ".q")});
  ir::Node* d =
      g.AddNode("DequantizeLinear", {q->output(0), s, z}, {g.UniqueName(v->name() + ".dq")});
  for (const ir::Use& u : uses) u.node->SetInput(u.index, d->output(0));
}

void QuantizeWeight(ir::Graph& g, ir::Node* conv) {
  ir::Value* wv = conv->input(1);
  if (!wv || !wv->is_initializer() || wv->is_graph_input()) return;
  const Tensor& w = wv->data();
  if (w.dtype() != DataType::kFloat32 || w.rank() < 3) return;
  const int64_t m = w.dim(0), per = w.numel() / m;
  Tensor wq(DataType::kInt8, w.shape()), ws(DataType::kFloat32, {m}), wz(DataType::kInt8, {m});
  for (int64_t c = 0; c < m; ++c) {
    float amax = 0.0f;
    for (int64_t i = 0; i < per; ++i) amax = std::max(amax, std::abs(w.data<float>()[c * per + i]));
    const float s = amax > 0.0f ? amax / 127.0f : 1.0f;
    ws.data<float>()[c] = s;
    for (int64_t i = 0; i < per; ++i)
      wq.data<int8_t>()[c * per + i] = static_cast<int8_t>(
          std::clamp(std::nearbyint(w.data<float>()[c * per + i] / s), -127.0f, 127.0f));
  }
  const std::string base = wv->name();
  ir::Node* d = g.AddNode("DequantizeLinear",
                          {g.AddInitializer(g.UniqueName(base + ".q"), std::move(wq)),
                           g.AddInitializer(g.UniqueName(base + ".scale"), std::move(ws)),
                           g.AddInitializer(g.UniqueName(base + ".zero_point"), std::move(wz))},
                          {g.UniqueName(base + ".dq")}, {ir::MakeAttr("axis", int64_t{0})});
  conv->SetInput(1, d->output(0));
  if (wv->uses().empty()) g.RemoveInitializer(wv);
}

}  // namespace

Expected<int> MakeQdq(ir::Model& model, const runtime::Feeds& calib) {
  SHRINK_ASSIGN_OR_RETURN(auto ex, runtime::Executor::Create(model));
  SHRINK_ASSIGN_OR_RETURN(auto values, ex->RunAll(calib));
  ir::Graph& g = *model.graph;
  std::unordered_set<const ir::Value*> outputs(g.outputs().begin(), g.outputs().end());
  std::vector<ir::Value*> todo;
  for (ir::Value* v : g.values()) {
    if (v->is_initializer() || outputs.count(v) || !WantsQuant(v)) continue;
    auto it = values.find(v->name());
    if (it == values.end() || it->second.dtype() != DataType::kFloat32) continue;
    todo.push_back(v);
  }
  auto range = [&](const ir::Value* v) {
    const Tensor& t = values.at(v->name());
    const float* p = t.data<float>();
    auto [lo, hi] = std::minmax_element(p, p + t.numel());
    return std::pair<float, float>{t.numel() ? *lo : 0.0f, t.numel() ? *hi : 0.0f};
  };
  std::vector<ir::Node*> convs;
  for (const auto& n : g.nodes())
    if (IsDefaultOp(n.get(), "Conv")) convs.push_back(n.get());
  // Ranges first: inserting nodes rewires MaxPool inputs.
  std::vector<std::pair<float, float>> ranges;
  for (ir::Value* v : todo) {
    const ir::Node* p = v->producer();
    // A MaxPool output keeps its input's parameters (the pool then runs in 8-bit exactly).
    const bool pool = IsDefaultOp(p, "MaxPool") && values.count(p->input(0)->name());
    ranges.push_back(range(pool ? p->input(0) : v));
  }
  for (size_t i = 0; i < todo.size(); ++i) InsertQdq(g, todo[i], ranges[i].first, ranges[i].second);
  for (ir::Node* c : convs) QuantizeWeight(g, c);
  SHRINK_RETURN_IF_ERROR(g.TopologicalSort());
  if (model.OpsetFor("") < 13) model.SetOpset("", 13);
  return static_cast<int>(todo.size());
}

}  // namespace shrink::testing
