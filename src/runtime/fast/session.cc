#include "runtime/fast/session.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "runtime/fast/session_impl.h"
#include "runtime/fast/spin_pool.h"

namespace shrink::runtime::fast {

using session_detail::Canon;
using session_detail::IsNondeterministic;

void Session::Impl::Build() {
  const ir::Graph& g = *model.graph;
  for (const auto& op : model.opset_imports) opsets[Canon(op.domain)] = op.version;
  for (const auto& n : g.nodes())
    if (!n->Subgraphs().empty()) {  // control flow: the reference executor runs the whole model
      auto ex = Executor::Create(model);
      if (!ex.ok()) Throw(ex.status().code(), ex.status().message());
      reference_only = std::move(ex).value();
      stats.threads = MaxThreads(opts);  // nothing to measure: the executor's own threading
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
  int* count = refs.Find(p);
  if (!count) return;  // a feed
  if (--*count > 0) return;
  refs.erase(p);
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

void Session::Impl::ExecuteStep(PlanStep& step) {
  if (opts.use_fast && !step.fast_tried) TryCreateFast(step);
  if (step.kernel && RunFast(step)) return;
  Materialize(step);  // the reference kernels read the float weights
  RunReferenceChain(step);
  for (size_t c = 0; c + 1 < step.chain.size(); ++c) Release(step.chain[c].out_slots[0]);
}

// The kernel cannot serve these shapes: the step runs on the reference kernels from now on.
bool Session::Impl::DropKernel(PlanStep& step) {
  step.kernel.reset();
  step.backend = "reference";
  return false;
}

// Runs the step's fast kernel (false when it had to drop it). Shapes are compared in place and
// the pointer and output lists reuse the step's buffers: no allocation unless shapes change.
bool Session::Impl::RunFast(PlanStep& step) {
  const PlanNode& p = step.chain[0];
  PlanStep::Io& io = step.io;
  io.in.clear();
  bool same = step.last_shapes.size() == p.in_slots.size();
  for (size_t i = 0; i < p.in_slots.size(); ++i) {
    const int s = p.in_slots[i];
    const Tensor* t = s >= 0 ? &values[static_cast<size_t>(s)] : nullptr;
    io.in.push_back(t ? t->raw() : nullptr);
    same = same && (t ? t->shape() == step.last_shapes[i] : step.last_shapes[i].empty());
  }
  if (!same) {
    std::vector<Shape> shapes;
    for (int s : p.in_slots)
      shapes.push_back(s >= 0 ? values[static_cast<size_t>(s)].shape() : Shape{});
    try {
      step.out_specs = step.kernel->Reshape(shapes);
      step.last_shapes = std::move(shapes);
    } catch (const std::exception&) {
      return DropKernel(step);
    }
  }
  io.outs.clear();
  if (step.sum_slot >= 0) {
    std::optional<Tensor> y = SumOutput(step);
    if (!y) return DropKernel(step);  // a residual of another shape (broadcast)
    io.outs.push_back(std::move(*y));
  }
  io.out.clear();
  for (const auto& spec : step.out_specs) {
    if (io.outs.size() <= io.out.size()) io.outs.push_back(Alloc(spec.dtype, spec.shape));
    io.out.push_back(io.outs.back().raw());
  }
  step.kernel->Run(io.in, io.out);
  const PlanNode& last = step.chain.back();
  for (size_t k = 0; k < io.outs.size(); ++k) {
    const int s = step.chain.size() > 1 ? (k == 0 ? last.out_slots[0] : -1)
                                        : (k < p.out_slots.size() ? p.out_slots[k] : -1);
    if (s < 0) {
      Track(io.outs[k]);  // keep the pool bookkeeping symmetric
      values.emplace_back(std::move(io.outs[k]));
      Release(static_cast<int>(values.size()) - 1);
      values.pop_back();
      continue;
    }
    values[static_cast<size_t>(s)] = std::move(io.outs[k]);
    Track(values[static_cast<size_t>(s)]);
  }
  io.outs.clear();
  return true;
}

// Output 0 of a step with a fused residual Add, holding the residual in the output's layout: the
// residual's own buffer when this step is its last reader, nothing else holds it and the kernel
// does not read it as an input (in place), else a copy. nullopt when the residual does not have
// output 0's shape and dtype.
std::optional<Tensor> Session::Impl::SumOutput(const PlanStep& step) {
  const Tensor& r = values[static_cast<size_t>(step.sum_slot)];
  const OutputSpec& spec = step.out_specs[0];
  if (!r.defined() || r.dtype() != spec.dtype || r.shape() != spec.shape) return std::nullopt;
  auto layout = [&](int s) {
    return layouts.empty() ? Layout::kPlain : layouts[static_cast<size_t>(s)];
  };
  const Layout from = layout(step.sum_slot), to = layout(step.final_slot());
  bool shared = !step.sum_last_read || !owned.count(r.raw());
  for (int s : step.chain[0].in_slots)  // the kernel reads it too (x + conv(x))
    shared = shared || (s >= 0 && values[static_cast<size_t>(s)].raw() == r.raw());
  if (from == to && !shared) {
    const int* count = refs.Find(r.raw());
    if (count && *count == 1) return r;
  }
  Tensor y = Alloc(spec.dtype, spec.shape);
  if (r.numel() == 0) return y;
  if (from == to) {
    std::memcpy(y.raw(), r.raw(), r.nbytes());
  } else if (to == Layout::kChannelsLast) {
    ToChannelsLast(r.raw(), y.raw(), r.shape(), r.nbytes() / r.numel());
  } else {
    ToPlain(r.raw(), y.raw(), r.shape(), r.nbytes() / r.numel());
  }
  return y;
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

// Drops every fast kernel and the layout decision: the next Run creates them again (on the thread
// count now set: oneDNN fixes a primitive's threads when it is created) and decides layouts anew.
// Steps whose kernels declined stay on the reference kernels.
void Session::Impl::RebuildKernels() {
  for (PlanStep& step : steps) {
    if (!step.kernel) continue;
    step.kernel.reset();
    step.fast_tried = false;
    step.backend = "reference";
    step.last_shapes.clear();
  }
  layouts.clear();
  layouts_decided = false;
  stats.channels_last_values = 0;
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
  const auto run_start = std::chrono::steady_clock::now();
  const int threads = opts.tune_threads ? tuner.threads() : opts.threads;
  if (threads > 0) omp_set_num_threads(threads);
  if (opts.tune_threads && tuner.rebuild()) RebuildKernels();
  // The spin pool's helpers only where no step starts OpenMP regions (as of the last Run).
  struct PoolMode {
    bool before = SpinPool::OpenMp();
    explicit PoolMode(bool openmp) { SpinPool::SetOpenMp(openmp); }
    ~PoolMode() { SpinPool::SetOpenMp(before); }
  } pool_mode(!stats.spin_pool);
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
  stats.spin_pool = std::all_of(steps.begin(), steps.end(), [](const PlanStep& s) {
    return !s.kernel || s.kernel->openmp_free();
  });
  stats.fast_steps = std::count_if(steps.begin(), steps.end(),
                                   [](const PlanStep& s) { return s.kernel != nullptr; });
  stats.kernel_weight_bytes = 0;
  for (const auto& step : steps)
    if (step.kernel) stats.kernel_weight_bytes += static_cast<int64_t>(step.kernel->weight_bytes());
  stats.pool_bytes = 0;
  for (const auto& [k, v] : pool)
    for (const auto& t : v) stats.pool_bytes += static_cast<int64_t>(t.nbytes());
  tuner.Record(
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - run_start)
          .count());
  stats.threads = opts.tune_threads ? (tuner.decided() ? tuner.threads() : 0) : MaxThreads(opts);
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

void Session::SetProfiling(bool on) { impl_->opts.profile = on; }

void Session::ResetProfile() {
  for (auto& s : impl_->steps) {
    s.total_ms = 0;
    s.calls = 0;
  }
}

}  // namespace shrink::runtime::fast
