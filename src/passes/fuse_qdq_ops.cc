#include "passes/fuse_qdq_ops.h"

#include <algorithm>
#include <unordered_set>

#include "passes/dead_code_elimination.h"
#include "passes/fuse_qdq.h"
#include "passes/fuse_qdq_conv_act.h"
#include "passes/fuse_qdq_float_output.h"
#include "passes/fuse_qdq_gemm.h"
#include "passes/pass_manager.h"
#include "passes/pattern_util.h"
#include "passes/qdq_match.h"
#include "passes/widen_int4_weights.h"

namespace shrink::passes {

namespace {

// Per-tensor parameters of a QuantizeLinear (scale, zero point or nullptr) when constant.
bool PerTensorQ(const ir::Node* q) {
  const Tensor* s = ConstantOf(q->input(1));
  if (!s || s->dtype() != DataType::kFloat32 || s->numel() != 1) return false;
  if (!q->input(2)) return true;
  const Tensor* zp = ConstantOf(q->input(2));
  return zp && zp->numel() == 1 && IsInt8(zp->dtype());
}

double ZeroPointValue(const ir::Value* zp) { return zp ? ConstantOf(zp)->GetAsDouble(0) : 0.0; }
DataType ZeroPointDtype(const ir::Value* zp) {
  return zp ? ConstantOf(zp)->dtype() : DataType::kUInt8;
}

// The QuantizeLinear that is the sole use of `op`'s output 0 when it has x's parameters (values
// and dtype), so that QuantizeLinear(DequantizeLinear(v)) = v; nullptr otherwise.
ir::Node* RequantizeWithSameParams(ir::Node* op, const Dq& x) {
  ir::Node* q = SoleUse(op->output(0));
  const bool same =
      IsOp(q, "QuantizeLinear") && PlainQdqAttrs(q) && PerTensorQ(q) &&
      ConstantOf(q->input(1))->GetAsDouble(0) == ConstantOf(x.scale)->GetAsDouble(0) &&
      ZeroPointValue(q->input(2)) == ZeroPointValue(x.zp) &&
      ZeroPointDtype(q->input(2)) == QuantDtype(x.q);
  return same ? q : nullptr;
}

bool RewriteMaxPool(ir::Graph& g, ir::Node* pool, std::unordered_set<const ir::Node*>& removed) {
  if (!OnlyFirstOutputUsed(pool)) return false;
  std::optional<Dq> x = MatchDq(pool->input(0));
  if (!x || !SoleUse(pool->output(0))) return false;
  if (ir::Node* q = RequantizeWithSameParams(pool, *x)) {
    ReplaceWithNode(g, {pool, q}, "MaxPool", {x->q}, pool->attributes(), "", removed);
    return true;
  }
  // Pattern A': other output parameters (or none): pool the 8-bit values and dequantize after.
  if (ConstantOf(x->scale)->GetAsDouble(0) <= 0) return false;  // monotonic only for scale > 0
  const std::string base = pool->name().empty() ? "maxpool" : pool->name();
  const std::string name = g.UniqueName(base + "_int8");  // the DequantizeLinear takes pool's name
  ir::Node* p8 = g.AddNode("MaxPool", {x->q}, {name}, pool->attributes(), name);
  std::vector<ir::Value*> dq_inputs = {p8->output(0), x->scale};
  if (x->zp) dq_inputs.push_back(x->zp);
  ReplaceWithNode(g, {pool}, "DequantizeLinear", dq_inputs, {}, "", removed);
  return true;
}

// Pattern C: ops that only move or drop elements, between a DequantizeLinear and a QuantizeLinear
// of the same parameters. Dropout (inference: no training_mode input) becomes Identity, since
// ONNX's Dropout takes float types only.
bool IsDataMovement(const ir::Node* n) {
  for (const char* op : {"Flatten", "Reshape", "Squeeze", "Unsqueeze", "Transpose", "Identity"})
    if (IsOp(n, op)) return true;
  return IsOp(n, "Dropout") && OnlyFirstOutputUsed(n) && n->inputs().size() < 3;
}

bool RewriteDataMovement(ir::Graph& g, ir::Node* op, std::unordered_set<const ir::Node*>& removed) {
  std::optional<Dq> x = MatchDq(op->input(0));
  if (!x || x->channels != 1) return false;
  ir::Node* q = RequantizeWithSameParams(op, *x);
  if (!q) return false;
  if (IsOp(op, "Dropout")) {
    ReplaceWithNode(g, {op, q}, "Identity", {x->q}, {}, "", removed);
    return true;
  }
  std::vector<ir::Value*> inputs = op->inputs();
  inputs[0] = x->q;
  ReplaceWithNode(g, {op, q}, op->op_type(), inputs, op->attributes(), "", removed);
  return true;
}

bool RewriteAdd(ir::Graph& g, ir::Node* add, std::unordered_set<const ir::Node*>& removed) {
  std::optional<Dq> a = MatchDq(add->input(0)), b = MatchDq(add->input(1));
  ir::Node* relu = nullptr;
  ir::Node* q = MatchQuantizeAfter(add, &relu);
  if (!a || !b || !q || !PerTensorQ(q)) return false;
  const DataType dt = QuantDtype(a->q);
  if (QuantDtype(b->q) != dt || ZeroPointDtype(q->input(2)) != dt) return false;
  const std::string base = add->name().empty() ? "add" : add->name();
  std::vector<ir::Value*> inputs = {a->q,
                                    a->scale,
                                    ZeroPoint(g, a->zp, dt, base + ".a_zero_point"),
                                    b->q,
                                    b->scale,
                                    ZeroPoint(g, b->zp, dt, base + ".b_zero_point"),
                                    q->input(1),
                                    ZeroPoint(g, q->input(2), dt, base + ".y_zero_point")};
  std::vector<ir::Node*> chain = {add, q};
  if (relu) chain.insert(chain.begin() + 1, relu);
  ReplaceWithNode(g, chain, "QLinearAdd", inputs, {}, kMicrosoftDomain, removed);
  return true;
}

// Pattern D: DequantizeLinear -> GlobalAveragePool [-> Flatten / Reshape / Squeeze] ->
// QuantizeLinear becomes com.microsoft QLinearGlobalAveragePool on the 8-bit values (the
// data-movement op, if any, then moves the pooled 8-bit values).
bool RewriteGlobalAveragePool(ir::Graph& g, ir::Node* pool,
                              std::unordered_set<const ir::Node*>& removed) {
  std::optional<Dq> x = MatchDq(pool->input(0));
  if (!x || x->channels != 1) return false;
  ir::Node* mover = SoleUse(pool->output(0));
  if (!mover) return false;
  const bool moves = IsOp(mover, "Flatten") || IsOp(mover, "Reshape") || IsOp(mover, "Squeeze");
  ir::Node* q = moves ? SoleUse(mover->output(0)) : mover;
  if (!IsOp(q, "QuantizeLinear") || !PlainQdqAttrs(q) || !PerTensorQ(q)) return false;
  const DataType dt = QuantDtype(x->q);
  if (ZeroPointDtype(q->input(2)) != dt) return false;
  const std::string base = pool->name().empty() ? "global_average_pool" : pool->name();
  std::vector<ir::Value*> inputs = {x->q, x->scale, ZeroPoint(g, x->zp, dt, base + ".x_zero_point"),
                                    q->input(1),
                                    ZeroPoint(g, q->input(2), dt, base + ".y_zero_point")};
  const std::vector<ir::Attribute> attrs = {ir::MakeAttr("channels_last", int64_t{0})};
  if (!moves) {
    ReplaceWithNode(g, {pool, q}, "QLinearGlobalAveragePool", inputs, attrs, kMicrosoftDomain,
                    removed);
    return true;
  }
  const std::string name = g.UniqueName(base + "_int8");
  ir::Node* p8 =
      g.AddNode("QLinearGlobalAveragePool", inputs, {name}, attrs, name, kMicrosoftDomain);
  std::vector<ir::Value*> moved = mover->inputs();
  moved[0] = p8->output(0);
  ReplaceWithNode(g, {mover, q}, mover->op_type(), moved, mover->attributes(), "", removed);
  removed.insert(pool);
  g.RemoveNode(pool);  // its output is now unused
  return true;
}

}  // namespace

Expected<bool> FuseQdqOps::Run(ir::Graph& graph, PassContext& ctx) {
  std::unordered_set<const ir::Node*> removed;
  bool changed = false;
  for (ir::Node* op : NodeList(graph)) {
    if (removed.count(op)) continue;
    if (IsOp(op, "MaxPool") && ctx.OpsetFor("") >= 12 && RewriteMaxPool(graph, op, removed)) {
      changed = true;
    } else if (IsDataMovement(op) && RewriteDataMovement(graph, op, removed)) {
      changed = true;
    } else if (IsOp(op, "Add") && RewriteAdd(graph, op, removed)) {
      ctx.RequireDomain(kMicrosoftDomain, 1);
      changed = true;
    } else if (IsOp(op, "GlobalAveragePool") && RewriteGlobalAveragePool(graph, op, removed)) {
      ctx.RequireDomain(kMicrosoftDomain, 1);
      changed = true;
    }
  }
  if (changed) SHRINK_RETURN_IF_ERROR(graph.TopologicalSort());
  return changed;
}

Expected<bool> LowerQdq(ir::Model& model) {
  const auto& nodes = model.graph->nodes();
  if (std::none_of(nodes.begin(), nodes.end(), [](const auto& n) {
        return IsOp(n.get(), "QuantizeLinear") || IsOp(n.get(), "DequantizeLinear");
      }))
    return false;  // not a QDQ model: leave it untouched
  PassManager pm;
  pm.Add(std::make_unique<WidenInt4Weights>());       // W4A8 layers run the 8-bit kernels
  pm.Add(std::make_unique<FuseQdqConvActivation>());  // before fuse_qdq takes the Conv
  pm.Add(std::make_unique<FuseQdq>());
  pm.Add(std::make_unique<FuseQdqGemm>());
  pm.Add(std::make_unique<FuseQdqOps>());
  pm.Add(std::make_unique<FuseQdqFloatOutput>());  // after the requantizing fusions
  pm.Add(std::make_unique<DeadCodeElimination>());
  return pm.Run(model);
}

}  // namespace shrink::passes
