#include "quant/qdq.h"

#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "passes/dead_code_elimination.h"
#include "passes/fuse_qdq.h"
#include "passes/pass_manager.h"
#include "passes/pattern_util.h"

namespace shrink::quant {

namespace {

using passes::ConstantOf;

bool IsFloatOrUnknown(const ir::Value* v) {
  const DataType t = v->type().dtype;
  return t == DataType::kUndefined || t == DataType::kFloat32;
}

// The Relu / Clip(min 0) that alone consumes `out`, or nullptr.
ir::Node* FoldableActivation(const ir::Value* out) {
  ir::Node* act = passes::SoleUse(out);
  if (!act || act->input(0) != out || !act->output(0) || act->output(0)->is_graph_output())
    return nullptr;
  if (passes::IsOp(act, "Relu")) return act;
  if (passes::IsOp(act, "Clip")) {
    const auto b = passes::ClipBounds(*act);
    if (b && b->first == 0.0) return act;
  }
  return nullptr;
}

// The HardSwish that alone consumes the output `out` of Conv `n`, or nullptr: its output is
// quantized instead of `out`, so the activation stays in float inside the quantized unit
// (DQ -> Conv -> HardSwish -> Q; passes::FuseQdqConvActivation runs it as one int8 conv).
ir::Node* FloatActivationAfterConv(const ir::Node& n, const ir::Value* out) {
  if (!passes::IsOp(&n, "Conv")) return nullptr;
  ir::Node* act = passes::SoleUse(out);
  if (!passes::IsOp(act, "HardSwish") || act->input(0) != out || !act->output(0) ||
      act->output(0)->is_graph_output() || !IsFloatOrUnknown(act->output(0)))
    return nullptr;
  return act;
}

class NodeNamer {
 public:
  explicit NodeNamer(const ir::Graph& g) {
    for (const auto& n : g.nodes()) used_.insert(n->name());
  }
  std::string operator()(const std::string& hint) {
    std::string name = hint;
    for (int k = 1; !used_.insert(name).second; ++k) name = hint + "_" + std::to_string(k);
    return name;
  }

 private:
  std::unordered_set<std::string> used_;
};

struct Inserter {
  ir::Graph& g;
  NodeNamer names;

  ir::Value* Const(const std::string& hint, Tensor t) {
    return g.AddInitializer(g.UniqueName(hint), std::move(t));
  }
  // DequantizeLinear(codes, scale[, zp]) of a constant quantized tensor.
  ir::Value* Dequantize(const std::string& base, const QuantizedTensor& q) {
    ir::Value* codes = Const(base + "_quantized", q.codes);
    std::vector<ir::Value*> ins = {codes, Const(base + "_scale", q.scale)};
    if (q.zero_point.defined()) ins.push_back(Const(base + "_zero_point", q.zero_point));
    std::vector<ir::Attribute> attrs;
    if (q.axis >= 0) attrs.push_back(ir::MakeAttr("axis", q.axis));
    ir::Node* dq = g.AddNode("DequantizeLinear", ins, {g.UniqueName(base + "_dequantized")},
                             std::move(attrs), names(base + "_DequantizeLinear"));
    dq->output(0)->type() = ir::TypeInfo::Tensor(DataType::kFloat32, q.codes.shape());
    return dq->output(0);
  }
};

}  // namespace

void NameNodes(ir::Graph& graph) {
  NodeNamer names(graph);
  for (const auto& n : graph.nodes())
    if (n->name().empty()) n->set_name(names(n->op_type()));
}

QdqPlan PlanQdq(const std::vector<ir::Node*>& nodes, const QuantPolicy& policy) {
  QdqPlan plan;
  std::unordered_map<std::string, size_t> index;
  auto add = [&](const std::string& name, const std::string& fold) {
    auto [it, fresh] = index.emplace(name, plan.tensors.size());
    if (fresh) plan.tensors.push_back({name, fold});
    if (!fold.empty()) plan.tensors[it->second].fold_source = fold;
  };
  for (ir::Node* n : nodes) {
    plan.nodes.push_back(n->name());
    for (int i = 0; i < static_cast<int>(n->inputs().size()); ++i) {
      const ir::Value* in = n->input(i);
      if (!in || IsWeightInput(*n, i) || IsBiasInput(*n, i) || ConstantOf(in)) continue;
      if (IsFloatOrUnknown(in)) add(in->name(), "");
    }
    const ir::Value* out = n->output(0);
    if (!policy.quantize_outputs || !out || !IsFloatOrUnknown(out)) continue;
    const ir::Node* act = policy.fold_activations ? FoldableActivation(out) : nullptr;
    const ir::Node* float_act = policy.fold_activations && policy.fold_hardswish && !act
                                    ? FloatActivationAfterConv(*n, out)
                                    : nullptr;
    if (act)
      add(act->output(0)->name(), out->name());
    else if (float_act)
      add(float_act->output(0)->name(), "");
    else
      add(out->name(), "");
  }
  return plan;
}

Expected<QdqStats> InsertQdq(ir::Model& model, const QdqPlan& plan,
                             const std::map<std::string, TensorQuant>& activations,
                             const QuantPolicy& policy, const WeightCodes* weight_codes) {
  SHRINK_RETURN_IF_ERROR(ValidatePolicy(policy));
  const int64_t opset = model.OpsetFor("");
  if (opset < 10)
    return Unimplemented("quantization needs opset >= 10 (QuantizeLinear); the model imports " +
                         std::to_string(opset));
  if (policy.per_channel && opset < 13)
    return InvalidArgument(
        "per-channel weights need opset >= 13 (DequantizeLinear axis); the "
        "model imports opset " +
        std::to_string(opset) + ": use per-tensor");
  ir::Graph& g = *model.graph;
  Inserter ins{g, NodeNamer(g)};
  QdqStats stats;
  const DataType adt = policy.activation_dtype;
  std::unordered_map<const ir::Value*, float> input_scale;  // DQ output -> its scale
  std::unordered_set<const ir::Node*> touched;

  for (const PlannedTensor& pt : plan.tensors) {
    auto found = activations.find(pt.name);
    ir::Value* t = g.FindValue(pt.name);
    if (found == activations.end() || !t) continue;
    const QuantParams& p = found->second.params;
    ir::Value* source = t;
    ir::Node* fold = nullptr;
    if (!pt.fold_source.empty() && adt == DataType::kUInt8 && p.zero_point == 0 &&
        !t->is_graph_output()) {
      ir::Value* y = g.FindValue(pt.fold_source);
      ir::Node* act = t->producer();
      if (y && act && act->input(0) == y && passes::SoleUse(y) == act) {
        const auto bounds = passes::IsOp(act, "Clip") ? passes::ClipBounds(*act) : std::nullopt;
        if (!bounds || 255.0 * p.scale <= bounds->second * (1 + 1e-6)) {
          source = y;
          fold = act;
        }
      }
    }
    Tensor zp(adt, {});
    zp.SetFromDouble(0, p.zero_point);
    ir::Value* s = ins.Const(pt.name + "_scale", Tensor::Scalar<float>(p.scale));
    ir::Value* z = ins.Const(pt.name + "_zero_point", zp);
    ir::Node* q =
        g.AddNode("QuantizeLinear", {source, s, z}, {g.UniqueName(pt.name + "_quantized")}, {},
                  ins.names(pt.name + "_QuantizeLinear"));
    q->output(0)->type() = t->type();
    q->output(0)->type().dtype = adt;
    ir::Node* dq = g.AddNode("DequantizeLinear", {q->output(0), s, z},
                             {g.UniqueName(pt.name + "_dequantized")}, {},
                             ins.names(pt.name + "_DequantizeLinear"));
    dq->output(0)->type() = t->type();
    dq->output(0)->type().dtype = DataType::kFloat32;
    const std::vector<ir::Use> uses = t->uses();
    for (const ir::Use& u : uses)
      if (u.node != q) u.node->SetInput(u.index, dq->output(0));
    if (fold && g.RemoveNode(fold)) ++stats.folded_activations;
    input_scale[dq->output(0)] = p.scale;
    for (const ir::Use& u : dq->output(0)->uses()) touched.insert(u.node);
    ++stats.quantized_activations;
  }

  std::unordered_map<std::string, ir::Node*> by_name;
  for (const auto& n : g.nodes()) by_name[n->name()] = n.get();
  std::map<std::pair<std::string, int64_t>, std::pair<ir::Value*, Tensor>> weights;  // -> DQ, scale
  std::unordered_set<ir::Value*> replaced;  // float initializers to drop once unused
  for (const std::string& name : plan.nodes) {
    auto it = by_name.find(name);
    if (it == by_name.end()) continue;
    ir::Node* n = it->second;
    if (!IsWeightInput(*n, 1)) continue;
    ir::Value* w = n->input(1);
    const Tensor& wt = *ConstantOf(w);
    const int64_t axis = policy.per_channel ? WeightChannelAxis(*n, wt.rank()) : -1;
    const DataType code_type = WeightCodeType(policy, *n);
    auto key = std::make_pair(w->name(), axis);
    auto cached = weights.find(key);
    if (cached == weights.end()) {
      const auto given = weight_codes ? weight_codes->find(key) : WeightCodes::const_iterator{};
      QuantizedTensor qw;
      if (weight_codes && given != weight_codes->end() &&
          given->second.codes.dtype() == code_type) {
        qw = given->second;
      } else {
        SHRINK_ASSIGN_OR_RETURN(
            qw, QuantizeWeight(wt, axis, code_type, policy.weight_symmetric, policy.reduce_range));
      }
      cached = weights.emplace(key, std::make_pair(ins.Dequantize(w->name(), qw), qw.scale)).first;
      ++stats.quantized_weights;
    }
    n->SetInput(1, cached->second.first);
    replaced.insert(w);
    touched.insert(n);
    // Bias: int32 with scale x_scale * w_scale, when input 0 is quantized.
    ir::Value* b = n->input(2);
    const Tensor* bt = b ? ConstantOf(b) : nullptr;
    auto xs = input_scale.find(n->input(0));
    if (!policy.quantize_bias || !bt || bt->rank() != 1 || bt->dtype() != DataType::kFloat32 ||
        xs == input_scale.end())
      continue;
    const Tensor& ws = cached->second.second;
    if (ws.numel() != 1 && ws.numel() != bt->numel()) continue;
    SHRINK_ASSIGN_OR_RETURN(QuantizedTensor qb, QuantizeBias(*bt, xs->second, ws));
    n->SetInput(2, ins.Dequantize(b->name(), qb));
    replaced.insert(b);
    ++stats.quantized_biases;
  }
  for (ir::Value* v : replaced) g.RemoveInitializer(v);  // false while still used elsewhere
  for (const std::string& name : plan.nodes) {
    auto it = by_name.find(name);
    if (it != by_name.end() && touched.count(it->second)) ++stats.quantized_nodes;
  }
  SHRINK_RETURN_IF_ERROR(g.TopologicalSort());
  return stats;
}

Status ToQOperator(ir::Model& model) {
  passes::PassManager pm;
  pm.Add(std::make_unique<passes::FuseQdq>());
  pm.Add(std::make_unique<passes::DeadCodeElimination>());
  SHRINK_ASSIGN_OR_RETURN(bool changed, pm.Run(model));
  (void)changed;
  return Status::Ok();
}

}  // namespace shrink::quant
