#include "quant/dynamic.h"

#include <unordered_set>

#include "passes/pattern_util.h"
#include "quant/quant_params.h"

namespace shrink::quant {

namespace {

// Rank-2 float weight of a MatMul / Gemm as [K, N] (Gemm transB applied), or undefined.
Tensor WeightKN(const ir::Node& n) {
  const Tensor* w = passes::ConstantOf(n.input(1));
  if (!w || w->dtype() != DataType::kFloat32 || w->rank() != 2) return {};
  if (n.op_type() == "MatMul" || !n.GetInt("transB", 0)) return *w;
  const int64_t rows = w->dim(0), cols = w->dim(1);
  Tensor t(DataType::kFloat32, {cols, rows});
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      t.data<float>()[c * rows + r] = w->data<float>()[r * cols + c];
  return t;
}

}  // namespace

Expected<QdqStats> QuantizeDynamic(ir::Model& model, const std::vector<std::string>& nodes,
                                   const QuantPolicy& policy) {
  const int64_t opset = model.OpsetFor("");
  if (opset < 11)
    return Unimplemented(
        "dynamic quantization needs opset >= 11 (DynamicQuantizeLinear); the "
        "model imports " +
        std::to_string(opset));
  ir::Graph& g = *model.graph;
  const std::unordered_set<std::string> wanted(nodes.begin(), nodes.end());
  std::vector<ir::Node*> targets;
  for (const auto& n : g.nodes()) {
    if (!wanted.count(n->name())) continue;
    const bool gemm = passes::IsOp(n.get(), "Gemm");
    if (!gemm && !passes::IsOp(n.get(), "MatMul")) continue;
    if (gemm && (n->GetInt("transA", 0) || (n->input(2) && !passes::ConstantOf(n->input(2)))))
      continue;
    targets.push_back(n.get());
  }
  QdqStats stats;
  std::unordered_set<ir::Value*> replaced;
  for (ir::Node* n : targets) {
    const Tensor w = WeightKN(*n);
    if (!w.defined()) continue;
    SHRINK_ASSIGN_OR_RETURN(QuantizedTensor qw,
                            QuantizeWeight(w, policy.per_channel ? 1 : -1, DataType::kInt8,
                                           policy.weight_symmetric, policy.reduce_range));
    const bool gemm = n->op_type() == "Gemm";
    const float alpha = gemm ? n->GetFloat("alpha", 1.0f) : 1.0f;
    Tensor ws = qw.scale.Clone();
    for (int64_t i = 0; i < ws.numel(); ++i) ws.data<float>()[i] *= alpha;
    const std::string base = n->name();
    auto c = [&](const std::string& hint, Tensor t) {
      return g.AddInitializer(g.UniqueName(hint), std::move(t));
    };
    int node_count = 0;
    auto op = [&](const std::string& type, const std::vector<ir::Value*>& ins, int outs,
                  std::vector<ir::Attribute> attrs = {}) {
      std::vector<std::string> names;
      for (int k = 0; k < outs; ++k)
        names.push_back(g.UniqueName(base + "_" + type + "_out" + std::to_string(k)));
      return g.AddNode(type, ins, names, std::move(attrs),
                       base + "_" + type + "_" + std::to_string(node_count++));
    };
    ir::Node* dq = op("DynamicQuantizeLinear", {n->input(0)}, 3);
    ir::Node* mm = op("MatMulInteger",
                      {dq->output(0), c(base + "_w_quantized", qw.codes), dq->output(2),
                       c(base + "_w_zero_point", qw.zero_point)},
                      1);
    ir::Node* cast = op("Cast", {mm->output(0)}, 1,
                        {ir::MakeAttr("to", static_cast<int64_t>(DataType::kFloat32))});
    ir::Node* scale = op("Mul", {dq->output(1), c(base + "_w_scale", ws)}, 1);
    ir::Node* out = op("Mul", {cast->output(0), scale->output(0)}, 1);
    if (gemm && n->input(2)) {
      Tensor bias = passes::ConstantOf(n->input(2))->Clone();
      const float beta = n->GetFloat("beta", 1.0f);
      if (bias.dtype() != DataType::kFloat32)
        return InvalidArgument(n->Describe() + ": bias is not float32");
      for (int64_t i = 0; i < bias.numel(); ++i) bias.data<float>()[i] *= beta;
      out = op("Add", {out->output(0), c(base + "_bias", bias)}, 1);
      replaced.insert(n->input(2));
    }
    replaced.insert(n->input(1));
    ir::Value* old = n->output(0);
    const std::string name = old->name();
    const ir::TypeInfo type = old->type();
    g.ReplaceAllUsesWith(old, out->output(0));
    if (!g.RemoveNode(n)) return Internal(base + ": could not remove the float node");
    g.RenameValue(out->output(0), name);
    out->output(0)->type() = type;
    ++stats.quantized_nodes;
    ++stats.quantized_weights;
  }
  for (ir::Value* v : replaced) g.RemoveInitializer(v);
  SHRINK_RETURN_IF_ERROR(g.TopologicalSort());
  return stats;
}

}  // namespace shrink::quant
