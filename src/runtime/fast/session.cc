#include "runtime/fast/session.h"

#include <omp.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "runtime/fast/plan_step.h"

namespace shrink::runtime::fast {

namespace {

std::string Canon(const std::string& d) { return d == "ai.onnx" ? "" : d; }

bool IsNondeterministic(const ir::Node& n) {
  const std::string& op = n.op_type();
  return op.rfind("Random", 0) == 0 || op == "Multinomial" || op == "Bernoulli";
}

bool OnlyFirstOutput(const ir::Node& n) {
  for (size_t i = 1; i < n.outputs().size(); ++i)
    if (n.outputs()[i]) return false;
  return true;
}

// True when some fast kernel for `op` of `domain` can absorb `act` as a post-op (among the kernels
// that take a DequantizedWeight when `dq_weight`, else among the others).
bool AnyFastFuses(const std::string& domain, const std::string& op, const FusedActivation& act,
                  bool dq_weight) {
  for (const auto& def : FastRegistry::Global().all())
    if (def.op_type == op && def.domain == domain &&
        (def.takes_dq_weight != nullptr) == dq_weight && def.can_fuse && def.can_fuse(act))
      return true;
  return false;
}

// The DequantizedWeight a DequantizeLinear node with constant inputs `c` would feed to `use`.
DequantizedWeight DqWeightOf(const ir::Node& dq, int64_t opset, const ir::Use& use,
                             const std::vector<const Tensor*>& c) {
  return DequantizedWeight{use.index, &dq, opset, c[0], c[1], c.size() > 2 ? c[2] : nullptr};
}

}  // namespace

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
  PlanStats stats;
  // Buffer pool and liveness (alias-aware through the raw pointer).
  std::unordered_map<uint64_t, std::vector<Tensor>> pool;
  std::unordered_map<const void*, int> refs;
  std::unordered_set<const void*> owned;
  int64_t live_bytes = 0;

  Impl(const ir::Model& m, SessionOptions o) : model(m), opts(o) {}

  int64_t OpsetOf(const ir::Node& n) const {
    auto it = opsets.find(Canon(n.domain()));
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
  void RunReferenceChain(const PlanStep& step);
  void DecideLayouts();
  Tensor Alloc(DataType dt, const Shape& shape);
  void Track(const Tensor& t);
  void Release(int slot);
  std::vector<Tensor> RunOnce(const Feeds& feeds);
};

void Session::Impl::Build() {
  const ir::Graph& g = *model.graph;
  for (const auto& op : model.opset_imports) opsets[Canon(op.domain)] = op.version;
  for (const auto& n : g.nodes())
    if (!n->Subgraphs().empty()) {  // control flow: the reference executor runs the whole model
      auto ex = Executor::Create(model);
      if (!ex.ok()) Throw(ex.status().code(), ex.status().message());
      reference_only = std::move(ex).value();
      return;
    }
  for (const ir::Value* v : g.inputs()) inputs.emplace_back(v, Slot(v));
  std::unordered_set<int> initializer_slots;
  for (const ir::Value* v : g.initializers()) {
    const int s = Slot(v);
    initializer_slots.insert(s);
    values[static_cast<size_t>(s)] = v->data();
    is_const[static_cast<size_t>(s)] = !v->is_graph_input();
  }
  stats.nodes = static_cast<int64_t>(g.nodes().size());
  std::vector<PlanNode> remaining;
  for (const auto& n : g.nodes()) {
    PlanNode p = MakePlanNode(*n);
    if (!p.ref)
      Throw(StatusCode::kUnimplemented,
            "no kernel for " + n->Describe() + " (opset " + std::to_string(p.opset) + ")");
    bool foldable = !IsNondeterministic(*n);
    for (int s : p.in_slots)
      if (s >= 0 && !is_const[static_cast<size_t>(s)]) foldable = false;
    if (foldable && DeferDq(p)) continue;
    if (foldable) {
      try {
        RunReference(p);
        for (int s : p.out_slots)
          if (s >= 0) is_const[static_cast<size_t>(s)] = true;
        ++stats.folded_nodes;
        continue;
      } catch (const Error&) {
        for (int s : p.out_slots)
          if (s >= 0) values[static_cast<size_t>(s)] = Tensor();
      }
    }
    remaining.push_back(std::move(p));
  }
  refs.clear();
  live_bytes = 0;
  for (size_t s = 0; s < values.size(); ++s)
    if (is_const[s] && values[s].defined() && !initializer_slots.count(static_cast<int>(s)))
      stats.folded_bytes += static_cast<int64_t>(values[s].nbytes());
  for (const ir::Value* v : g.outputs()) output_slots.push_back(Slot(v));
  BuildSteps(remaining);
}

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
      if (bias >= 0) {
        step.bias_slot = bias;
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
  release_after.assign(steps.size(), {});
  for (auto [slot, i] : last)
    if (!graph_out.count(slot) && !is_const[static_cast<size_t>(slot)])
      release_after[i].push_back(slot);
}

void Session::Impl::Track(const Tensor& t) {
  const void* p = t.raw();
  if (!p) return;
  if (refs[p]++ == 0) {
    live_bytes += static_cast<int64_t>(t.nbytes());
    stats.peak_activation_bytes = std::max(stats.peak_activation_bytes, live_bytes);
  }
}

void Session::Impl::Release(int slot) {
  Tensor t = std::move(values[static_cast<size_t>(slot)]);
  values[static_cast<size_t>(slot)] = Tensor();
  const void* p = t.raw();
  if (!p) return;
  auto it = refs.find(p);
  if (it == refs.end()) return;  // a feed
  if (--it->second > 0) return;
  refs.erase(it);
  live_bytes -= static_cast<int64_t>(t.nbytes());
  if (owned.count(p))
    pool[(static_cast<uint64_t>(t.dtype()) << 56) ^ static_cast<uint64_t>(t.numel())].push_back(
        std::move(t));
}

Tensor Session::Impl::Alloc(DataType dt, const Shape& shape) {
  const uint64_t key =
      (static_cast<uint64_t>(dt) << 56) ^ static_cast<uint64_t>(NumElements(shape));
  auto it = pool.find(key);
  if (it != pool.end() && !it->second.empty()) {
    Tensor t = it->second.back().Reshaped(shape);
    it->second.pop_back();
    return t;
  }
  Tensor t(dt, shape);
  if (t.raw()) owned.insert(t.raw());
  return t;
}

void Session::Impl::RunReference(const PlanNode& p) {
  std::vector<const Tensor*> ins;
  for (int s : p.in_slots) {
    if (s < 0) {
      ins.push_back(nullptr);
      continue;
    }
    const Tensor& t = values[static_cast<size_t>(s)];
    if (!t.defined())
      Throw(StatusCode::kInvalidArgument, p.node->Describe() + ": an input has no value");
    ins.push_back(&t);
  }
  KernelContext ctx(*p.node, p.opset, std::move(ins), nullptr);
  p.ref->fn(ctx);
  for (size_t k = 0; k < p.out_slots.size(); ++k) {
    const int s = p.out_slots[k];
    if (s < 0) continue;
    Tensor& t = ctx.outputs()[k];
    if (!t.defined())
      Throw(StatusCode::kInternal, p.node->Describe() + ": kernel did not set an output");
    values[static_cast<size_t>(s)] = std::move(t);
    Track(values[static_cast<size_t>(s)]);
  }
}

void Session::Impl::TryCreateFast(PlanStep& step) {
  step.fast_tried = true;
  const PlanNode& p = step.chain[0];
  if (p.in_slots.empty() || p.in_slots[0] < 0) return;
  if (step.weight_dq && TryCreateFastDq(step)) return;
  Materialize(step);  // no weight-only kernel: the fp32 kernels read the folded weights
  CreateInfo info = InfoOf(step);
  try {
    if (step.folds_batchnorm) {
      if (!info.constants[1]) return;
      auto bn = ConstantsOf(step.chain[1]);
      auto [w, b] =
          FoldBatchNorm(*info.constants[1], info.constants.size() > 2 ? info.constants[2] : nullptr,
                        *step.chain[1].node, *bn[1], *bn[2], *bn[3], *bn[4]);
      step.substituted = {std::move(w), std::move(b)};
      info.constants.resize(3);
      info.input_dtypes.resize(3, DataType::kFloat32);
      info.input_shapes.resize(3);
      info.constants[1] = &step.substituted[0];
      info.constants[2] = &step.substituted[1];
      info.input_dtypes[2] = DataType::kFloat32;
    }
    TryDefs(step, info, false);
  } catch (const Error&) {
  }
}

CreateInfo Session::Impl::InfoOf(const PlanStep& step) const {
  const PlanNode& p = step.chain[0];
  CreateInfo info;
  info.node = p.node;
  info.opset = p.opset;
  info.constants = ConstantsOf(p);
  info.post_ops = step.post_ops;
  if (step.bias_slot >= 0) info.bias = &values[static_cast<size_t>(step.bias_slot)];
  for (int s : p.in_slots) {
    const Tensor* t = s >= 0 ? &values[static_cast<size_t>(s)] : nullptr;
    info.input_dtypes.push_back(t ? t->dtype() : DataType::kUndefined);
    info.input_shapes.push_back(t ? t->shape() : Shape{});
  }
  return info;
}

// The step's weight as a DequantizedWeight, offered to the kernels that take one.
bool Session::Impl::TryCreateFastDq(PlanStep& step) {
  const PlanNode& p = step.chain[0];
  const PlanNode& dq = *step.weight_dq;
  const auto it = std::find(p.in_slots.begin(), p.in_slots.end(), dq.out_slots[0]);
  const int index = static_cast<int>(it - p.in_slots.begin());
  const DequantizedWeight w = DqWeightOf(*dq.node, dq.opset, {nullptr, index}, ConstantsOf(dq));
  CreateInfo info = InfoOf(step);
  info.constants[static_cast<size_t>(index)] = nullptr;
  info.input_dtypes[static_cast<size_t>(index)] = DataType::kFloat32;
  info.input_shapes[static_cast<size_t>(index)] = w.q->shape();
  info.dq_weight = &w;
  return TryDefs(step, info, true);
}

// Tries the registered kernels for the step's primary node (those taking a DequantizedWeight when
// `dq`, the others otherwise) until one accepts.
bool Session::Impl::TryDefs(PlanStep& step, const CreateInfo& info, bool dq) {
  const PlanNode& p = step.chain[0];
  for (const FastKernelDef* def : FastRegistry::Global().Find(p.node->domain(), p.node->op_type(),
                                                              p.opset, info.input_dtypes[0])) {
    if ((def->takes_dq_weight != nullptr) != dq) continue;
    if (step.bias_slot >= 0 && !def->takes_bias) continue;
    bool fuses = true;
    for (const auto& a : step.post_ops) fuses = fuses && def->can_fuse && def->can_fuse(a);
    if (!fuses) continue;
    std::unique_ptr<FastKernel> k;
    try {
      k = def->create(info);
    } catch (const Error&) {
    } catch (const std::exception&) {  // dnnl::error and friends
    }
    if (k) {
      step.kernel = std::move(k);
      step.backend = def->backend;
      return true;
    }
  }
  return false;
}

void Session::Impl::ExecuteStep(PlanStep& step) {
  if (opts.use_fast && !step.fast_tried) TryCreateFast(step);
  const PlanNode& p = step.chain[0];
  if (step.kernel) {
    std::vector<Shape> shapes;
    std::vector<const void*> in_ptrs;
    for (int s : p.in_slots) {
      const Tensor* t = s >= 0 ? &values[static_cast<size_t>(s)] : nullptr;
      shapes.push_back(t ? t->shape() : Shape{});
      in_ptrs.push_back(t ? t->raw() : nullptr);
    }
    bool ok = true;
    if (shapes != step.last_shapes) {
      try {
        step.out_specs = step.kernel->Reshape(shapes);
        step.last_shapes = shapes;
      } catch (const std::exception&) {  // shapes it cannot serve: reference from now on
        ok = false;
        step.kernel.reset();
        step.backend = "reference";
      }
    }
    if (ok) {
      std::vector<Tensor> outs;
      std::vector<void*> out_ptrs;
      for (const auto& spec : step.out_specs) {
        outs.push_back(Alloc(spec.dtype, spec.shape));
        out_ptrs.push_back(outs.back().raw());
      }
      step.kernel->Run(in_ptrs, out_ptrs);
      const PlanNode& last = step.chain.back();
      for (size_t k = 0; k < outs.size(); ++k) {
        const int s = step.chain.size() > 1 ? (k == 0 ? last.out_slots[0] : -1)
                                            : (k < p.out_slots.size() ? p.out_slots[k] : -1);
        if (s < 0) {
          Track(outs[k]);  // keep the pool bookkeeping symmetric
          values.emplace_back(std::move(outs[k]));
          Release(static_cast<int>(values.size()) - 1);
          values.pop_back();
          continue;
        }
        values[static_cast<size_t>(s)] = std::move(outs[k]);
        Track(values[static_cast<size_t>(s)]);
      }
      return;
    }
  }
  Materialize(step);  // the reference kernels read the float weights
  RunReferenceChain(step);
  for (size_t c = 0; c + 1 < step.chain.size(); ++c) Release(step.chain[c].out_slots[0]);
}

// The reference kernels read and write plain data: a channels-last input is converted for the
// call (the slot keeps its channels-last tensor for its other readers), a channels-last output
// after it. Only steps whose fast kernel was dropped after the layouts were decided meet these.
void Session::Impl::RunReferenceChain(const PlanStep& step) {
  auto channels_last = [&](int s) {
    return s >= 0 && !layouts.empty() && layouts[static_cast<size_t>(s)] == Layout::kChannelsLast;
  };
  std::vector<std::pair<int, Tensor>> swapped;  // slot, its channels-last tensor
  for (const auto& n : step.chain)
    for (int s : n.in_slots)
      if (channels_last(s) && std::none_of(swapped.begin(), swapped.end(),
                                           [s](const auto& p) { return p.first == s; })) {
        swapped.emplace_back(s, PlainCopy(values[static_cast<size_t>(s)]));
        std::swap(swapped.back().second, values[static_cast<size_t>(s)]);
      }
  for (const auto& n : step.chain) RunReference(n);
  for (auto& [s, t] : swapped) values[static_cast<size_t>(s)] = std::move(t);
  const int out = step.chain.back().out_slots.empty() ? -1 : step.final_slot();
  if (channels_last(out)) ToChannelsLastInPlace(values[static_cast<size_t>(out)]);
}

// Layout propagation, once, after the first Run (every step's kernel exists or has declined).
void Session::Impl::DecideLayouts() {
  layouts_decided = true;
  if (!opts.use_fast || !opts.channels_last) return;
  const std::unordered_set<int> plain(output_slots.begin(), output_slots.end());
  layouts = AssignLayouts(steps, values.size(), plain, opts.fp32_channels_last);
  stats.channels_last_values = std::count(layouts.begin(), layouts.end(), Layout::kChannelsLast);
  if (stats.channels_last_values == 0) layouts.clear();
}

std::vector<Tensor> Session::Impl::RunOnce(const Feeds& feeds) {
  if (opts.threads > 0) omp_set_num_threads(opts.threads);
  for (const auto& [name, t] : feeds) {
    auto it = std::find_if(inputs.begin(), inputs.end(),
                           [&](const auto& in) { return in.first->name() == name; });
    if (it == inputs.end())
      Throw(StatusCode::kInvalidArgument, "model has no (non-constant) input named '" + name + "'");
    const DataType want = it->first->type().dtype;
    if (want != DataType::kUndefined && want != t.dtype())
      Throw(StatusCode::kInvalidArgument, "input '" + name + "' expects " + DataTypeName(want) +
                                              ", got " + DataTypeName(t.dtype()));
    values[static_cast<size_t>(it->second)] = t;
  }
  for (const auto& [v, s] : inputs)
    if (!values[static_cast<size_t>(s)].defined())
      Throw(StatusCode::kInvalidArgument, "missing input '" + v->name() + "'");
  live_bytes = 0;
  stats.peak_activation_bytes = 0;
  for (size_t i = 0; i < steps.size(); ++i) {
    PlanStep& step = steps[i];
    const auto start = std::chrono::steady_clock::now();
    ExecuteStep(step);
    if (opts.profile) {
      step.total_ms +=
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
      ++step.calls;
    }
    for (int s : release_after[i]) Release(s);
  }
  std::vector<Tensor> outs;
  for (int s : output_slots) {
    const Tensor& t = values[static_cast<size_t>(s)];
    if (!t.defined()) Throw(StatusCode::kInternal, "a graph output was not computed");
    outs.push_back(t);
  }
  for (int s : output_slots) {
    if (is_const[static_cast<size_t>(s)]) continue;
    owned.erase(values[static_cast<size_t>(s)].raw());  // the caller keeps these buffers
    refs.erase(values[static_cast<size_t>(s)].raw());
    values[static_cast<size_t>(s)] = Tensor();
  }
  for (const auto& in : inputs) values[static_cast<size_t>(in.second)] = Tensor();
  refs.clear();
  if (!layouts_decided) DecideLayouts();
  stats.fast_steps = std::count_if(steps.begin(), steps.end(),
                                   [](const PlanStep& s) { return s.kernel != nullptr; });
  stats.kernel_weight_bytes = 0;
  for (const auto& step : steps)
    if (step.kernel) stats.kernel_weight_bytes += static_cast<int64_t>(step.kernel->weight_bytes());
  stats.pool_bytes = 0;
  for (const auto& [k, v] : pool)
    for (const auto& t : v) stats.pool_bytes += static_cast<int64_t>(t.nbytes());
  return outs;
}

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::~Session() = default;

Expected<std::unique_ptr<Session>> Session::Create(const ir::Model& model, SessionOptions options) {
  try {
    auto impl = std::make_unique<Impl>(model, options);
    impl->Build();
    return std::unique_ptr<Session>(new Session(std::move(impl)));
  } catch (const Error& e) {
    return e.ToStatus();
  } catch (const std::exception& e) {
    return Internal(std::string("fast session: ") + e.what());
  }
}

Expected<std::vector<Tensor>> Session::Run(const Feeds& feeds) {
  try {
    if (impl_->reference_only) return impl_->reference_only->Run(feeds);
    return impl_->RunOnce(feeds);
  } catch (const Error& e) {
    return e.ToStatus();
  } catch (const std::bad_alloc&) {
    return ResourceExhausted("out of memory while running the model");
  } catch (const std::exception& e) {
    return Internal(std::string("fast session: ") + e.what());
  }
}

const PlanStats& Session::stats() const { return impl_->stats; }

std::vector<StepProfile> Session::Profile() const {
  std::vector<StepProfile> out;
  for (const auto& s : impl_->steps) {
    const ir::Node& n = *s.chain[0].node;
    out.push_back(
        {n.name().empty() ? n.op_type() : n.name(), s.label, s.backend, s.total_ms, s.calls});
  }
  return out;
}

void Session::ResetProfile() {
  for (auto& s : impl_->steps) {
    s.total_ms = 0;
    s.calls = 0;
  }
}

}  // namespace shrink::runtime::fast
