#include "passes/fuse_qdq_gemm.h"

#include <cmath>
#include <unordered_set>

#include "passes/fuse_qdq_ops.h"
#include "passes/pattern_util.h"
#include "passes/qdq_match.h"

namespace shrink::passes {

namespace {

// The QuantizeLinear after `gemm` (through an absorbable Relu) when its parameters are constant
// scalars; nullptr when there is none (float output).
ir::Node* QuantizeAfter(ir::Node* gemm, ir::Node** relu) {
  ir::Node* q = MatchQuantizeAfter(gemm, relu);
  if (!q || (!*relu && q->input(0) != gemm->output(0)) || !ScalarOutputParams(*q)) return nullptr;
  return q;
}

bool Rewrite(ir::Graph& g, ir::Node* gemm, std::unordered_set<const ir::Node*>& removed) {
  if (gemm->GetInt("transA", 0) != 0 || gemm->GetFloat("alpha", 1.0f) != 1.0f) return false;
  const bool tb = gemm->GetInt("transB", 0) != 0;
  std::optional<Dq> x = MatchDq(gemm->input(0), 0);
  const ir::Node* w_dq = ProducerIs(gemm->input(1), "DequantizeLinear");
  const Tensor* wq = w_dq ? ConstantOf(w_dq->input(0)) : nullptr;
  if (!x || !wq || !IsInt8(wq->dtype()) || wq->rank() != 2) return false;
  const int64_t n = wq->dim(tb ? 0 : 1);
  std::optional<Dq> w = MatchDq(gemm->input(1), n, tb ? 0 : 1);
  if (!w) return false;
  std::optional<Tensor> bias;
  if (gemm->input(2)) {
    const std::optional<std::vector<float>> c = ConstantBias(gemm->input(2), n);
    if (!c) return false;
    const double beta = gemm->GetFloat("beta", 1.0f);
    const double xs = ConstantOf(x->scale)->GetAsDouble(0);
    const Tensor* ws = ConstantOf(w->scale);
    Tensor bq(DataType::kInt32, {n});
    for (int64_t j = 0; j < n; ++j) {
      const double v =
          beta * (*c)[static_cast<size_t>(j)] / (xs * ws->GetAsDouble(w->channels == 1 ? 0 : j));
      if (!std::isfinite(v) || std::fabs(v) > 2147483647.0) return false;
      bq.data<int32_t>()[j] = static_cast<int32_t>(std::nearbyint(v));
    }
    bias = std::move(bq);
  }
  ir::Node* relu = nullptr;
  ir::Node* q = QuantizeAfter(gemm, &relu);
  const std::string base = gemm->name().empty() ? "gemm" : gemm->name();
  std::vector<ir::Value*> inputs = {
      x->q,
      x->scale,
      ZeroPoint(g, x->zp, QuantDtype(x->q), base + ".x_zero_point"),
      w->q,
      w->scale,
      ZeroPoint(g, w->zp, wq->dtype(), base + ".w_zero_point"),
      bias ? AddConstant(g, base + ".bias_quantized", std::move(*bias)) : nullptr};
  std::vector<ir::Node*> chain = {gemm};
  if (q) {
    inputs.push_back(q->input(1));
    inputs.push_back(ZeroPoint(g, q->input(2), DataType::kUInt8, base + ".y_zero_point"));
    if (relu) chain.push_back(relu);
    chain.push_back(q);
  }
  while (!inputs.back()) inputs.pop_back();  // no trailing omitted inputs
  std::vector<ir::Attribute> attrs;
  if (tb) attrs.push_back(ir::MakeAttr("transB", int64_t{1}));
  ReplaceWithNode(g, chain, "QGemm", inputs, std::move(attrs), kMicrosoftDomain, removed);
  return true;
}

}  // namespace

Expected<bool> FuseQdqGemm::Run(ir::Graph& graph, PassContext& ctx) {
  std::unordered_set<const ir::Node*> removed;
  bool changed = false;
  for (ir::Node* op : NodeList(graph))
    if (!removed.count(op) && IsOp(op, "Gemm") && Rewrite(graph, op, removed)) changed = true;
  if (changed) {
    ctx.RequireDomain(kMicrosoftDomain, 1);
    SHRINK_RETURN_IF_ERROR(graph.TopologicalSort());
  }
  return changed;
}

}  // namespace shrink::passes
