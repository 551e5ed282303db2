#include <algorithm>

#include "runtime/fast/session_impl.h"

namespace shrink::runtime::fast {

using session_detail::AnyFastFuses;
using session_detail::Canon;
using session_detail::DqWeightOf;
using session_detail::OnlyFirstOutput;

// A constant DequantizeLinear whose only use is a MatMul / Gemm weight that some weight-only
// kernel takes stays unfolded (its output slot counts as constant but has no value until a
// fallback materialises it).
bool Session::Impl::DeferDq(const PlanNode& p) {
  const ir::Node& n = *p.node;
  if (!opts.use_fast || n.op_type() != "DequantizeLinear" || !Canon(n.domain()).empty() ||
      p.out_slots.size() != 1 || p.out_slots[0] < 0)
    return false;
  const ir::Value* out = n.output(0);
  if (out->is_graph_output() || out->uses().size() != 1) return false;
  const ir::Use& use = out->uses()[0];
  const ir::Node& consumer = *use.node;
  if (!Canon(consumer.domain()).empty()) return false;
  const auto consts = ConstantsOf(p);
  if (consts.size() < 2 || !consts[0] || !consts[1]) return false;
  const DequantizedWeight w = DqWeightOf(n, p.opset, use, consts);
  for (const auto& def : FastRegistry::Global().all())
    if (def.takes_dq_weight && def.op_type == consumer.op_type() && def.domain.empty() &&
        def.takes_dq_weight(consumer, OpsetOf(consumer), w)) {
      is_const[static_cast<size_t>(p.out_slots[0])] = true;
      deferred_dq.emplace(p.out_slots[0], p);
      ++stats.deferred_dq_nodes;
      return true;
    }
  return false;
}

// Folds a step's deferred DequantizeLinear now (no weight-only kernel took the step).
void Session::Impl::Materialize(PlanStep& step) {
  if (!step.weight_dq) return;
  const int64_t live = live_bytes, peak = stats.peak_activation_bytes;
  RunReference(*step.weight_dq);
  const Tensor& t = values[static_cast<size_t>(step.weight_dq->out_slots[0])];
  refs.erase(t.raw());  // a constant now, not an intermediate
  live_bytes = live;
  stats.peak_activation_bytes = peak;
  stats.folded_bytes += static_cast<int64_t>(t.nbytes());
  ++stats.folded_nodes;
  --stats.deferred_dq_nodes;
  step.weight_dq.reset();
}

void Session::Impl::BuildSteps(const std::vector<PlanNode>& nodes) {
  // Readers of each slot among the remaining nodes; graph outputs count as extra readers.
  std::unordered_map<int, std::vector<size_t>> readers;
  for (size_t i = 0; i < nodes.size(); ++i)
    for (int s : nodes[i].in_slots)
      if (s >= 0) readers[s].push_back(i);
  std::unordered_set<int> graph_out(output_slots.begin(), output_slots.end());
  auto sole_reader = [&](int slot) -> long {
    auto it = readers.find(slot);
    if (graph_out.count(slot) || it == readers.end() || it->second.size() != 1) return -1;
    return static_cast<long>(it->second[0]);
  };
  // Producer of each slot among the remaining nodes (graph inputs have none).
  std::unordered_map<int, size_t> producer;
  for (size_t i = 0; i < nodes.size(); ++i)
    for (int s : nodes[i].out_slots)
      if (s >= 0) producer[s] = i;
  // The other operand of `add` when it is an Add of the chain's output `cur` and a non-constant
  // value already computed when step `i` runs (a residual), else -1.
  auto ResidualOf = [&](const PlanNode& add, int cur, size_t i) {
    if (add.node->op_type() != "Add" || !Canon(add.node->domain()).empty() ||
        add.in_slots.size() != 2)
      return -1;
    const int other = add.in_slots[0] == cur ? add.in_slots[1] : add.in_slots[0];
    if (other < 0 || other == cur || (add.in_slots[0] != cur && add.in_slots[1] != cur) ||
        is_const[static_cast<size_t>(other)])
      return -1;
    auto p = producer.find(other);
    return p == producer.end() || p->second < i ? other : -1;
  };
  std::vector<bool> absorbed(nodes.size(), false);
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (absorbed[i]) continue;
    PlanStep step;
    step.chain.push_back(nodes[i]);
    for (int s : nodes[i].in_slots)
      if (auto d = deferred_dq.find(s); s >= 0 && d != deferred_dq.end())
        step.weight_dq = d->second;
    const ir::Node& primary = *nodes[i].node;
    // Other domains chain only activations, into kernels registered with a FusionCheck.
    const bool can_chain =
        opts.fuse && opts.use_fast && OnlyFirstOutput(primary) && !nodes[i].out_slots.empty();
    while (can_chain) {
      const int cur = step.chain.back().out_slots[0];
      const long r = cur < 0 ? -1 : sole_reader(cur);
      if (r < 0) break;
      const PlanNode& c = nodes[static_cast<size_t>(r)];
      if (c.in_slots.empty() || !OnlyFirstOutput(*c.node)) break;
      auto consts = ConstantsOf(c);
      const int bias = step.chain.size() == 1 && !step.weight_dq
                           ? FusibleBiasSlot(nodes[i], ConstantsOf(nodes[i]), c, consts, cur)
                           : -1;
      const int residual = step.sum_slot < 0 && !step.weight_dq ? ResidualOf(c, cur, i) : -1;
      if (bias >= 0) {
        step.bias_slot = bias;
      } else if (residual >= 0 && AnyFastFuses(primary.domain(), primary.op_type(),
                                               FusedActivation{kSumPostOp}, false)) {
        step.sum_slot = residual;
        step.post_ops.push_back(FusedActivation{kSumPostOp});
      } else if (c.in_slots[0] != cur) {
        break;
      } else if (c.node->op_type() == "BatchNormalization" && step.chain.size() == 1 &&
                 primary.op_type() == "Conv" && c.in_slots.size() == 5 &&
                 c.node->GetInt("training_mode", 0) == 0 &&
                 std::all_of(consts.begin() + 1, consts.end(), [](const Tensor* t) { return t; })) {
        step.folds_batchnorm = true;
      } else {
        auto act = ActivationOf(*c.node, c.opset, consts);
        if (!act ||
            !AnyFastFuses(primary.domain(), primary.op_type(), *act, step.weight_dq.has_value()))
          break;
        step.post_ops.push_back(*act);
      }
      step.chain.push_back(c);
      absorbed[static_cast<size_t>(r)] = true;
    }
    for (const auto& p : step.chain)
      step.label += (step.label.empty() ? "" : "+") + p.node->op_type();
    stats.fused_nodes += static_cast<int64_t>(step.chain.size()) - 1;
    steps.push_back(std::move(step));
  }
  stats.steps = static_cast<int64_t>(steps.size());
  // Release points: the last step reading each slot (never graph outputs or constants).
  std::unordered_map<int, size_t> last;
  for (size_t i = 0; i < steps.size(); ++i)
    for (const auto& p : steps[i].chain) {
      for (int s : p.in_slots)
        if (s >= 0) last[s] = i;
      for (int s : p.out_slots)
        if (s >= 0 && !last.count(s)) last[s] = i;  // never read: release right away
    }
  for (size_t i = 0; i < steps.size(); ++i)
    if (steps[i].sum_slot >= 0)
      steps[i].sum_last_read = last[steps[i].sum_slot] == i && !graph_out.count(steps[i].sum_slot);
  release_after.assign(steps.size(), {});
  for (auto [slot, i] : last)
    if (!graph_out.count(slot) && !is_const[static_cast<size_t>(slot)])
      release_after[i].push_back(slot);
}

}  // namespace shrink::runtime::fast
