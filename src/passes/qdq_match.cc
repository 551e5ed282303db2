#include "passes/qdq_match.h"

#include <cmath>

#include "passes/pattern_util.h"

namespace shrink::passes {

bool IsInt8(DataType t) { return t == DataType::kInt8 || t == DataType::kUInt8; }

// Declared dtype of a quantized value, or the dtype its producer yields: QuantizeLinear (zero
// point's, uint8 when absent), an 8-bit op this pass family introduced (QLinearConv /
// QLinearMatMul / QLinearAdd: y_zero_point's), or an 8-bit MaxPool (its input's).
DataType QuantDtype(const ir::Value* v) {
  if (!v) return DataType::kUndefined;
  if (v->type().dtype != DataType::kUndefined) return v->type().dtype;
  const ir::Node* p = v->producer();
  if (!p) return DataType::kUndefined;
  if (IsOp(p, "MaxPool")) return QuantDtype(p->input(0));
  int zp_index = -1;
  if (IsOp(p, "QuantizeLinear")) zp_index = 2;
  if (IsOp(p, "QLinearConv") || IsOp(p, "QLinearMatMul") || IsOp(p, "QLinearAdd", "com.microsoft"))
    zp_index = 7;
  if (IsOp(p, "QGemm", "com.microsoft")) zp_index = 8;  // absent: float output
  if (zp_index < 0) return DataType::kUndefined;
  if (!p->input(zp_index)) return zp_index == 2 ? DataType::kUInt8 : DataType::kUndefined;
  const Tensor* zp = ConstantOf(p->input(zp_index));
  return zp ? zp->dtype() : DataType::kUndefined;
}

bool PlainQdqAttrs(const ir::Node* n) {
  return !n->HasAttr("block_size") && n->GetInt("saturate", 1) == 1 &&
         (!n->HasAttr("output_dtype") || n->GetInt("output_dtype", 0) == 0);
}

// Matches DequantizeLinear producing `v`; `per_channel_len` > 0 allows per-channel params along
// `axis`.
std::optional<Dq> MatchDq(const ir::Value* v, int64_t per_channel_len, int64_t axis) {
  ir::Node* n = ProducerIs(v, "DequantizeLinear");
  if (!n || !PlainQdqAttrs(n) || !IsInt8(QuantDtype(n->input(0)))) return std::nullopt;
  const Tensor* s = ConstantOf(n->input(1));
  if (!s || s->dtype() != DataType::kFloat32) return std::nullopt;
  const Tensor* zp = n->input(2) ? ConstantOf(n->input(2)) : nullptr;
  if (n->input(2) && (!zp || zp->dtype() != QuantDtype(n->input(0)))) return std::nullopt;
  Dq dq{n->input(0), n->input(1), n->input(2), 1};
  if (s->numel() == 1 && s->rank() <= 1 && (!zp || zp->numel() == 1)) return dq;
  if (per_channel_len > 0 && s->rank() == 1 && s->numel() == per_channel_len &&
      n->GetInt("axis", 1) == axis && (!zp || zp->numel() == per_channel_len)) {
    dq.channels = per_channel_len;
    return dq;
  }
  return std::nullopt;
}

// True when the zero point `zp` (absent: uint8 0) is the lowest value of its dtype: then
// QuantizeLinear saturates every negative input to it, so a Relu before it changes nothing.
bool ZeroPointIsLowest(const ir::Value* zp) {
  if (!zp) return true;
  const Tensor* t = ConstantOf(zp);
  if (!t || t->numel() != 1) return false;
  const double v = t->GetAsDouble(0);
  return (t->dtype() == DataType::kUInt8 && v == 0) || (t->dtype() == DataType::kInt8 && v == -128);
}

ir::Node* MatchQuantizeAfter(ir::Node* op, ir::Node** relu) {
  *relu = nullptr;
  ir::Node* q = SoleUse(op->output(0));
  if (IsOp(q, "Relu") && q->input(0) == op->output(0) && OnlyFirstOutputUsed(q)) {
    ir::Node* after = SoleUse(q->output(0));
    if (!IsOp(after, "QuantizeLinear") || after->input(0) != q->output(0) ||
        !ZeroPointIsLowest(after->input(2)))
      return nullptr;
    *relu = q;
    q = after;
  }
  if (!IsOp(q, "QuantizeLinear") || !PlainQdqAttrs(q)) return nullptr;
  return q;
}

std::optional<std::vector<float>> ConstantBias(const ir::Value* v, int64_t m) {
  if (const Tensor* b = ConstantOf(v)) {
    if (b->dtype() != DataType::kFloat32 || b->numel() != m) return std::nullopt;
    return std::vector<float>(b->data<float>(), b->data<float>() + m);
  }
  const ir::Node* dq = ProducerIs(v, "DequantizeLinear");
  if (!dq || !PlainQdqAttrs(dq)) return std::nullopt;
  const Tensor* q = ConstantOf(dq->input(0));
  const Tensor* s = ConstantOf(dq->input(1));
  const Tensor* zp = dq->input(2) ? ConstantOf(dq->input(2)) : nullptr;
  if (!q || q->dtype() != DataType::kInt32 || q->numel() != m || q->rank() != 1)
    return std::nullopt;
  if (!s || s->dtype() != DataType::kFloat32 || (s->numel() != 1 && s->numel() != m))
    return std::nullopt;
  if (s->numel() != 1 && dq->GetInt("axis", 1) != 0) return std::nullopt;
  if (dq->input(2) && !zp) return std::nullopt;
  for (int64_t i = 0; zp && i < zp->numel(); ++i)
    if (zp->GetAsDouble(i) != 0) return std::nullopt;
  std::vector<float> out(static_cast<size_t>(m));
  for (int64_t c = 0; c < m; ++c)
    out[static_cast<size_t>(c)] =
        static_cast<float>(q->data<int32_t>()[c]) * s->data<float>()[s->numel() == 1 ? 0 : c];
  return out;
}

bool ScalarOutputParams(const ir::Node& q) {
  const Tensor* ys = ConstantOf(q.input(1));
  if (!ys || ys->numel() != 1 || ys->dtype() != DataType::kFloat32) return false;
  if (!q.input(2)) return true;
  const Tensor* yzp = ConstantOf(q.input(2));
  return yzp && yzp->numel() == 1 && IsInt8(yzp->dtype());
}

ir::Value* ZeroPoint(ir::Graph& g, ir::Value* zp, DataType dtype, const std::string& hint) {
  return zp ? zp : AddConstant(g, hint, Tensor(dtype, {}));
}

std::optional<Tensor> QuantizedConvBias(const ir::Value* b, int64_t m, const Dq& x, const Dq& w) {
  const std::optional<std::vector<float>> f = ConstantBias(b, m);
  if (!f) return std::nullopt;
  const double xs = ConstantOf(x.scale)->GetAsDouble(0);
  const Tensor* ws = ConstantOf(w.scale);
  Tensor bq(DataType::kInt32, {m});
  for (int64_t c = 0; c < m; ++c) {
    const double s = xs * ws->GetAsDouble(w.channels == 1 ? 0 : c);
    bq.data<int32_t>()[c] = static_cast<int32_t>(std::nearbyint(static_cast<double>((*f)[c]) / s));
  }
  return bq;
}

std::vector<ir::Value*> QLinearConvInputs(ir::Graph& g, const Dq& x, const Dq& w, DataType w_dtype,
                                          const ir::Node& q, const std::string& base) {
  return {x.q,
          x.scale,
          ZeroPoint(g, x.zp, QuantDtype(x.q), base + ".x_zero_point"),
          w.q,
          w.scale,
          ZeroPoint(g, w.zp, w_dtype, base + ".w_zero_point"),
          q.input(1),
          ZeroPoint(g, q.input(2), DataType::kUInt8, base + ".y_zero_point")};
}

}  // namespace shrink::passes
