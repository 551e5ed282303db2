#include "passes/fuse_qdq.h"

#include <cmath>
#include <optional>
#include <unordered_set>

#include "passes/pattern_util.h"

namespace shrink::passes {

namespace {

bool IsInt8(DataType t) { return t == DataType::kInt8 || t == DataType::kUInt8; }

// Declared dtype of a quantized value, or the dtype its QuantizeLinear producer yields.
DataType QuantDtype(const ir::Value* v) {
  if (!v) return DataType::kUndefined;
  if (v->type().dtype != DataType::kUndefined) return v->type().dtype;
  const ir::Node* q = ProducerIs(v, "QuantizeLinear");
  if (!q) return DataType::kUndefined;
  if (!q->input(2)) return DataType::kUInt8;
  const Tensor* zp = ConstantOf(q->input(2));
  return zp ? zp->dtype() : DataType::kUndefined;
}

bool PlainQdqAttrs(const ir::Node* n) {
  return !n->HasAttr("block_size") && n->GetInt("saturate", 1) == 1 &&
         (!n->HasAttr("output_dtype") || n->GetInt("output_dtype", 0) == 0);
}

struct Dq {
  ir::Value* q = nullptr;
  ir::Value* scale = nullptr;
  ir::Value* zp = nullptr;  // nullptr when absent
  int64_t channels = 1;     // 1: per tensor
};

// Matches DequantizeLinear producing `v`; `per_channel_len` > 0 allows axis-0 per-channel params.
std::optional<Dq> MatchDq(const ir::Value* v, int64_t per_channel_len) {
  ir::Node* n = ProducerIs(v, "DequantizeLinear");
  if (!n || !PlainQdqAttrs(n) || !IsInt8(QuantDtype(n->input(0)))) return std::nullopt;
  const Tensor* s = ConstantOf(n->input(1));
  if (!s || s->dtype() != DataType::kFloat32) return std::nullopt;
  const Tensor* zp = n->input(2) ? ConstantOf(n->input(2)) : nullptr;
  if (n->input(2) && (!zp || zp->dtype() != QuantDtype(n->input(0)))) return std::nullopt;
  Dq dq{n->input(0), n->input(1), n->input(2), 1};
  if (s->numel() == 1 && s->rank() <= 1 && (!zp || zp->numel() == 1)) return dq;
  if (per_channel_len > 0 && s->rank() == 1 && s->numel() == per_channel_len &&
      n->GetInt("axis", 1) == 0 && (!zp || zp->numel() == per_channel_len)) {
    dq.channels = per_channel_len;
    return dq;
  }
  return std::nullopt;
}

ir::Value* ZeroPoint(ir::Graph& g, ir::Value* zp, DataType dtype, const std::string& hint) {
  return zp ? zp : AddConstant(g, hint, Tensor(dtype, {}));
}

}  // namespace

Expected<bool> FuseQdq::Run(ir::Graph& graph, PassContext& /*ctx*/) {
  std::unordered_set<const ir::Node*> removed;
  bool changed = false;
  for (ir::Node* op : NodeList(graph)) {
    if (removed.count(op)) continue;
    const bool conv = IsOp(op, "Conv");
    if (!conv && !IsOp(op, "MatMul")) continue;
    ir::Node* q = SoleUse(op->output(0));
    if (!IsOp(q, "QuantizeLinear") || q->input(0) != op->output(0) || !PlainQdqAttrs(q)) continue;
    const Tensor* ys = ConstantOf(q->input(1));
    const Tensor* yzp = q->input(2) ? ConstantOf(q->input(2)) : nullptr;
    if (!ys || ys->numel() != 1 || ys->dtype() != DataType::kFloat32) continue;
    if (q->input(2) && (!yzp || yzp->numel() != 1 || !IsInt8(yzp->dtype()))) continue;
    std::optional<Dq> x = MatchDq(op->input(0), 0);
    if (!x) continue;
    const ir::Node* w_dq = ProducerIs(op->input(1), "DequantizeLinear");
    const Tensor* wq = w_dq ? ConstantOf(w_dq->input(0)) : nullptr;
    if (!wq || !IsInt8(wq->dtype()) || (conv ? wq->rank() < 3 : wq->rank() != 2)) continue;
    const int64_t m = wq->dim(0);
    std::optional<Dq> w = MatchDq(op->input(1), conv ? m : 0);
    if (!w) continue;
    std::optional<Tensor> bias;  // checked before anything is added to the graph
    if (conv && op->input(2)) {
      const Tensor* b = ConstantOf(op->input(2));
      if (!b || b->dtype() != DataType::kFloat32 || b->numel() != m) continue;
      const double xs = ConstantOf(x->scale)->GetAsDouble(0);
      const Tensor* ws = ConstantOf(w->scale);
      Tensor bq(DataType::kInt32, {m});
      for (int64_t c = 0; c < m; ++c) {
        const double s = xs * ws->GetAsDouble(w->channels == 1 ? 0 : c);
        bq.data<int32_t>()[c] = static_cast<int32_t>(std::nearbyint(b->GetAsDouble(c) / s));
      }
      bias = std::move(bq);
    }
    const std::string base = op->name().empty() ? op->op_type() : op->name();
    std::vector<ir::Value*> inputs = {
        x->q,
        x->scale,
        ZeroPoint(graph, x->zp, QuantDtype(x->q), base + ".x_zero_point"),
        w->q,
        w->scale,
        ZeroPoint(graph, w->zp, wq->dtype(), base + ".w_zero_point"),
        q->input(1),
        ZeroPoint(graph, q->input(2), DataType::kUInt8, base + ".y_zero_point")};
    if (bias) inputs.push_back(AddConstant(graph, base + ".bias_quantized", std::move(*bias)));
    ReplaceWithNode(graph, {op, q}, conv ? "QLinearConv" : "QLinearMatMul", inputs,
                    conv ? op->attributes() : std::vector<ir::Attribute>{}, "", removed);
    changed = true;
  }
  if (changed) SHRINK_RETURN_IF_ERROR(graph.TopologicalSort());
  return changed;
}

}  // namespace shrink::passes
