// Session: the fast execution plan. Runs a Model with oneDNN / native fast kernels where one
// accepts a node and the reference kernel everywhere else, so every model the reference executor
// runs also runs here (runtime::Executor stays the oracle this is tested against).
//
// Create() folds weight-only subgraphs (nodes whose inputs are all constants) once with the
// reference kernels — except a DequantizeLinear of constants whose only use is a MatMul / Gemm
// weight that a weight-only fast kernel takes (FastKernelDef::takes_dq_weight): that one stays
// packed and reaches the kernel as CreateInfo::dq_weight, and is folded only if no such kernel
// accepts the step after all — binds a reference kernel to every remaining node (failing like the
// executor when one is missing) and groups nodes into steps: a fusible producer (Conv, Gemm,
// MatMul, Add,
// ...) absorbs a following BatchNormalization with constant parameters (Conv only, folded into the
// weights) and elementwise activations, when each intermediate has that single consumer and is
// not a graph output; a MatMul with a constant [K, N] weight also absorbs a following Add of a
// constant [N] bias (either operand order; plan_bias.cc), applied by the kernel before the
// activations. Fast kernels are created on the first Run (when dtypes and shapes are known)
// and reshaped when input shapes change (each keeps a primitive cache keyed by shapes). A kernel
// that declines or throws leaves its step on the reference kernels for good.
// After the first Run the plan decides each value's layout once (layout.h): values passed between
// kernels that take channels-last stay so, with conversions only at reference steps.
// Intermediate buffers come from a pool keyed by (dtype, element count) and are reused once their
// last reader has run (alias-aware: a buffer shared by several live values is kept). Models with
// control-flow subgraphs (If/Loop/Scan) run entirely on the reference executor.
// Threads: `threads` > 0 sets the OpenMP thread count that oneDNN and the native kernels use (per
// Run call; 0: OpenMP's default); with `tune_threads` the first Runs measure whether one thread is
// faster and the rest use the faster count (thread_tuner.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "ir/model.h"
#include "runtime/executor.h"

namespace shrink::runtime::fast {

struct SessionOptions {
  int threads = 0;       // 0: library default
  bool use_fast = true;  // false: every step on reference kernels (same planning, for A/B)
  bool fuse = true;
  bool profile = false;  // per-step timing (small overhead)
  // Layout propagation (runtime/fast/layout.h): after the first Run, values passed between
  // kernels that take channels-last (int8 Conv, QLinearAdd, 8-bit MaxPool, per-tensor Q/DQ; fp32
  // kernels below) stay channels-last; false: every value plain (for A/B).
  bool channels_last = true;
  // With channels_last: fp32 activations between fp32 Conv, pooling, elementwise activations and
  // Add/Sub/Mul/Div (same shapes, or a per-channel / scalar operand) stay channels-last too
  // (NHWC-style oneDNN primitives, no reorders); false: fp32 values plain (for A/B).
  bool fp32_channels_last = true;
  // Measure `threads` (or OpenMP's default) against one thread over the first Runs and keep the
  // faster (ThreadTuner); false: always `threads`.
  bool tune_threads = true;
};

struct StepProfile {
  std::string name;     // node name (or op type when unnamed)
  std::string op_type;  // "Conv+BatchNormalization+Relu" for fused steps
  std::string backend;  // "onednn", "native" or "reference"
  double total_ms = 0;
  int64_t calls = 0;
};

struct PlanStats {
  int64_t nodes = 0;                  // nodes of the main graph
  int64_t folded_nodes = 0;           // constant-folded at load
  int64_t steps = 0;                  // executed steps (after fusion)
  int64_t fused_nodes = 0;            // nodes absorbed into another step
  int64_t fast_steps = 0;             // steps on a fast kernel (after the first Run)
  int64_t peak_activation_bytes = 0;  // max bytes of live intermediates in one Run (feeds excluded)
  int64_t pool_bytes = 0;             // bytes held by the buffer pool after the last Run
  int64_t folded_bytes = 0;           // bytes of constants the plan computed (folding)
  int64_t deferred_dq_nodes = 0;      // weight DequantizeLinear kept packed (weight-only kernels)
  int64_t kernel_weight_bytes = 0;    // weights held by fast kernels that report them (last Run)
  int64_t channels_last_values = 0;   // values kept channels-last (decided after the first Run)
  int64_t threads = 0;                // threads each Run uses (0: still measuring, thread_tuner.h)
  // No step starts OpenMP regions (as of the last Run): the next Run's kernels split their work
  // on the spin pool's helpers (spin_pool.h), else as OpenMP loops.
  bool spin_pool = false;
};

class Session {
 public:
  ~Session();
  // `model` must outlive the session.
  static Expected<std::unique_ptr<Session>> Create(const ir::Model& model,
                                                   SessionOptions options = {});
  Expected<std::vector<Tensor>> Run(const Feeds& feeds);

  const PlanStats& stats() const;
  std::vector<StepProfile> Profile() const;  // in execution order
  void ResetProfile();
  // Per-step timing on or off from the next Run (SessionOptions::profile sets it at creation).
  void SetProfiling(bool on);

 private:
  struct Impl;
  explicit Session(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace shrink::runtime::fast
