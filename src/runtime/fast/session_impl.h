// Session::Impl, the fast session's plan and state, shared by the files that implement it
// (internal to the fast runtime):
//   session.cc         — Build (constant folding), buffers, execution, layouts, the public API;
//   session_plan.cc    — grouping nodes into steps (fusions, deferred DequantizeLinear weights);
//   session_kernels.cc — creating each step's fast kernel from the registry.
#pragma once

#include <omp.h>

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "runtime/fast/plan_step.h"
#include "runtime/fast/session.h"
#include "runtime/fast/thread_tuner.h"

namespace shrink::runtime::fast {
namespace session_detail {

inline std::string Canon(const std::string& d) { return d == "ai.onnx" ? "" : d; }

inline bool IsNondeterministic(const ir::Node& n) {
  const std::string& op = n.op_type();
  return op.rfind("Random", 0) == 0 || op == "Multinomial" || op == "Bernoulli";
}

inline bool OnlyFirstOutput(const ir::Node& n) {
  for (size_t i = 1; i < n.outputs().size(); ++i)
    if (n.outputs()[i]) return false;
  return true;
}

// True when some fast kernel for `op` of `domain` can absorb `act` as a post-op (among the kernels
// that take a DequantizedWeight when `dq_weight`, else among the others).
inline bool AnyFastFuses(const std::string& domain, const std::string& op,
                         const FusedActivation& act, bool dq_weight) {
  for (const auto& def : FastRegistry::Global().all())
    if (def.op_type == op && def.domain == domain &&
        (def.takes_dq_weight != nullptr) == dq_weight && def.can_fuse && def.can_fuse(act))
      return true;
  return false;
}

// The DequantizedWeight a DequantizeLinear node with constant inputs `c` would feed to `use`.
inline DequantizedWeight DqWeightOf(const ir::Node& dq, int64_t opset, const ir::Use& use,
                                    const std::vector<const Tensor*>& c) {
  return DequantizedWeight{use.index, &dq, opset, c[0], c[1], c.size() > 2 ? c[2] : nullptr};
}

// Reader counts of the live intermediate buffers, by raw pointer (alias-aware): a flat list,
// since few buffers are live at once; it stops allocating once its capacity is reached.
class RefCounts {
 public:
  int* Find(const void* p) {
    for (auto& e : v_)
      if (e.first == p) return &e.second;
    return nullptr;
  }
  int& operator[](const void* p) {
    if (int* c = Find(p)) return *c;
    v_.emplace_back(p, 0);
    return v_.back().second;
  }
  void erase(const void* p) {
    for (auto& e : v_)
      if (e.first == p) {
        e = v_.back();
        v_.pop_back();
        return;
      }
  }
  void clear() { v_.clear(); }

 private:
  std::vector<std::pair<const void*, int>> v_;
};

}  // namespace session_detail

struct Session::Impl {
  const ir::Model& model;
  SessionOptions opts;
  std::unique_ptr<Executor> reference_only;
  std::unordered_map<std::string, int64_t> opsets;
  std::unordered_map<std::string, int> slot_of;
  std::vector<Tensor> values;
  std::vector<bool> is_const;
  std::vector<std::pair<const ir::Value*, int>> inputs;
  std::vector<int> output_slots;
  std::vector<PlanStep> steps;
  std::vector<std::vector<int>> release_after;
  // Constant DequantizeLinear nodes left unfolded for a weight-only kernel, by output slot.
  std::unordered_map<int, PlanNode> deferred_dq;
  // Layout per slot (layout.h), decided after the first Run; empty until then (all plain).
  std::vector<Layout> layouts;
  bool layouts_decided = false;
  ThreadTuner tuner;
  PlanStats stats;
  // Buffer pool and liveness (alias-aware through the raw pointer).
  std::unordered_map<uint64_t, std::vector<Tensor>> pool;
  session_detail::RefCounts refs;
  std::unordered_set<const void*> owned;
  int64_t live_bytes = 0;

  Impl(const ir::Model& m, SessionOptions o)
      : model(m), opts(o), tuner(o.tune_threads ? MaxThreads(o) : 1) {}
  static int MaxThreads(const SessionOptions& o) {
    return o.threads > 0 ? o.threads : omp_get_max_threads();
  }

  int64_t OpsetOf(const ir::Node& n) const {
    auto it = opsets.find(session_detail::Canon(n.domain()));
    return it == opsets.end() ? 0 : it->second;
  }
  int Slot(const ir::Value* v) {
    if (!v) return -1;
    auto [it, added] = slot_of.emplace(v->name(), static_cast<int>(values.size()));
    if (added) {
      values.emplace_back();
      is_const.push_back(false);
    }
    return it->second;
  }
  PlanNode MakePlanNode(const ir::Node& n) {
    PlanNode p;
    p.node = &n;
    p.opset = OpsetOf(n);
    p.ref = KernelRegistry::Global().Find(n.domain(), n.op_type(), p.opset);
    for (const ir::Value* v : n.inputs()) p.in_slots.push_back(Slot(v));
    for (const ir::Value* v : n.outputs()) p.out_slots.push_back(Slot(v));
    return p;
  }
  std::vector<const Tensor*> ConstantsOf(const PlanNode& p) const {
    std::vector<const Tensor*> c;
    for (int s : p.in_slots)
      c.push_back(s >= 0 && is_const[static_cast<size_t>(s)] ? &values[static_cast<size_t>(s)]
                                                             : nullptr);
    return c;
  }

  void Build();
  bool DeferDq(const PlanNode& p);
  void Materialize(PlanStep& step);
  void BuildSteps(const std::vector<PlanNode>& nodes);
  void RunReference(const PlanNode& p);
  void TryCreateFast(PlanStep& step);
  bool TryCreateFastDq(PlanStep& step);
  bool TryDefs(PlanStep& step, const CreateInfo& info, bool dq);
  CreateInfo InfoOf(const PlanStep& step) const;
  void ExecuteStep(PlanStep& step);
  bool RunFast(PlanStep& step);
  bool DropKernel(PlanStep& step);
  std::optional<Tensor> SumOutput(const PlanStep& step);
  void RunReferenceChain(const PlanStep& step);
  void DecideLayouts();
  void RebuildKernels();
  Tensor Alloc(DataType dt, const Shape& shape);
  void Track(const Tensor& t);
  void Release(int slot);
  std::vector<Tensor> RunOnce(const Feeds& feeds);
};

}  // namespace shrink::runtime::fast
