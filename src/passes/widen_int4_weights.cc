#include "passes/widen_int4_weights.h"

#include "passes/pattern_util.h"

namespace shrink::passes {

namespace {

bool Is4Bit(DataType t) { return t == DataType::kInt4 || t == DataType::kUInt4; }

Tensor Widened(const Tensor& t) {
  Tensor out(t.dtype() == DataType::kInt4 ? DataType::kInt8 : DataType::kUInt8, t.shape());
  for (int64_t i = 0; i < t.numel(); ++i) out.SetFromDouble(i, t.GetAsDouble(i));
  return out;
}

// Every reader of `dq`'s output takes it as the weight of a QDQ Conv / MatMul / Gemm.
bool OnlyQdqWeight(const ir::Node& dq) {
  const ir::Value* out = dq.output(0);
  if (!out || out->is_graph_output() || out->uses().empty()) return false;
  for (const ir::Use& u : out->uses()) {
    const ir::Node* n = u.node;
    if (u.index != 1 || !(IsOp(n, "Conv") || IsOp(n, "MatMul") || IsOp(n, "Gemm"))) return false;
    if (!ProducerIs(n->input(0), "DequantizeLinear")) return false;
  }
  return true;
}

}  // namespace

Expected<bool> WidenInt4Weights::Run(ir::Graph& graph, PassContext& /*ctx*/) {
  bool changed = false;
  for (ir::Node* dq : NodeList(graph)) {
    if (!IsOp(dq, "DequantizeLinear") || dq->GetInt("block_size", 0) != 0) continue;
    const Tensor* q = ConstantOf(dq->input(0));
    if (!q || !Is4Bit(q->dtype()) || !ConstantOf(dq->input(1)) || !OnlyQdqWeight(*dq)) continue;
    const Tensor* zp = dq->input(2) ? ConstantOf(dq->input(2)) : nullptr;
    if (dq->input(2) && (!zp || zp->dtype() != q->dtype())) continue;
    dq->SetInput(0, AddConstant(graph, dq->input(0)->name() + ".int8", Widened(*q)));
    if (zp) dq->SetInput(2, AddConstant(graph, dq->input(2)->name() + ".int8", Widened(*zp)));
    changed = true;
  }
  return changed;
}

}  // namespace shrink::passes
