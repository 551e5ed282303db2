#include "passes/fuse_qdq.h"

#include <cmath>
#include <unordered_set>

#include "passes/pattern_util.h"
#include "passes/qdq_match.h"

namespace shrink::passes {

Expected<bool> FuseQdq::Run(ir::Graph& graph, PassContext& /*ctx*/) {
  std::unordered_set<const ir::Node*> removed;
  bool changed = false;
  for (ir::Node* op : NodeList(graph)) {
    if (removed.count(op)) continue;
    const bool conv = IsOp(op, "Conv");
    if (!conv && !IsOp(op, "MatMul")) continue;
    ir::Node* relu = nullptr;
    ir::Node* q = MatchQuantizeAfter(op, &relu);
    if (!q || (!relu && q->input(0) != op->output(0)) || !ScalarOutputParams(*q)) continue;
    std::optional<Dq> x = MatchDq(op->input(0), 0);
    if (!x) continue;
    const ir::Node* w_dq = ProducerIs(op->input(1), "DequantizeLinear");
    const Tensor* wq = w_dq ? ConstantOf(w_dq->input(0)) : nullptr;
    if (!wq || !IsInt8(wq->dtype()) || (conv ? wq->rank() < 3 : wq->rank() != 2)) continue;
    const int64_t m = wq->dim(0);  // output channels of Conv; K of MatMul
    std::optional<Dq> w = conv ? MatchDq(op->input(1), m, 0) : MatchDq(op->input(1), wq->dim(1), 1);
    if (!w) continue;
    std::optional<Tensor> bias;  // checked before anything is added to the graph
    if (conv && op->input(2)) {
      bias = QuantizedConvBias(op->input(2), m, *x, *w);
      if (!bias) continue;
    }
    const std::string base = op->name().empty() ? op->op_type() : op->name();
    std::vector<ir::Value*> inputs = QLinearConvInputs(graph, *x, *w, wq->dtype(), *q, base);
    if (bias) inputs.push_back(AddConstant(graph, base + ".bias_quantized", std::move(*bias)));
    std::vector<ir::Node*> chain = {op, q};
    if (relu) chain.insert(chain.begin() + 1, relu);
    ReplaceWithNode(graph, chain, conv ? "QLinearConv" : "QLinearMatMul", inputs,
                    conv ? op->attributes() : std::vector<ir::Attribute>{}, "", removed);
    changed = true;
  }
  if (changed) SHRINK_RETURN_IF_ERROR(graph.TopologicalSort());
  return changed;
}

}  // namespace shrink::passes
