// Internal to the fast Session: one executed step (a primary node plus the nodes fused into it)
// and the helpers that build steps. Not a public API.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ir/graph.h"
#include "runtime/fast/fast_kernel.h"
#include "runtime/kernel.h"

namespace shrink::runtime::fast {

struct PlanNode {
  const ir::Node* node = nullptr;
  const KernelDef* ref = nullptr;
  int64_t opset = 0;
  std::vector<int> in_slots;   // -1 for omitted inputs
  std::vector<int> out_slots;  // -1 for unrequested outputs
};

struct PlanStep {
  std::vector<PlanNode> chain;   // chain[0] is the primary node; later nodes consume its output
  bool folds_batchnorm = false;  // chain[1] is a BatchNormalization folded into Conv weights
  // A constant DequantizeLinear feeding chain[0], left unfolded for a weight-only kernel; reset
  // once folded (when no such kernel takes the step).
  std::optional<PlanNode> weight_dq;
  std::vector<FusedActivation> post_ops;
  int bias_slot = -1;  // a constant bias Add fused after chain[0] (CreateInfo::bias), else -1
  // A residual Add fused into the step (post-op kSumPostOp): the slot of the value it adds, else
  // -1; `sum_last_read` when this step is that value's last reader (its buffer may become output
  // 0 in place).
  int sum_slot = -1;
  bool sum_last_read = false;
  std::unique_ptr<FastKernel> kernel;
  std::string backend = "reference";
  bool fast_tried = false;
  std::vector<Shape> last_shapes;
  struct Io {  // per-run pointer and output lists, kept to reuse their capacity
    std::vector<const void*> in;
    std::vector<void*> out;
    std::vector<Tensor> outs;
  } io;
  std::vector<OutputSpec> out_specs;
  std::vector<Tensor> substituted;  // folded weights/bias handed to the kernel
  std::string label;                // "Conv+Relu"
  double total_ms = 0;
  int64_t calls = 0;
  int final_slot() const { return chain.back().out_slots[0]; }
};

// The slot of the constant bias when `add` (the sole reader of `primary`'s output slot `cur`)
// adds a constant fp32 1-D [N] vector to a MatMul whose B is a constant fp32 [K, N] matrix (either
// operand order), and some fast MatMul kernel takes a bias (FastKernelDef::takes_bias); else -1.
// `consts` / `add_consts`: the constant inputs of `primary` / `add` (nullptr where none).
int FusibleBiasSlot(const PlanNode& primary, const std::vector<const Tensor*>& consts,
                    const PlanNode& add, const std::vector<const Tensor*>& add_consts, int cur);

// Conv weights/bias with an inference BatchNormalization folded in: W' = W * s, b' = (b - mean) *
// s + beta with s = gamma / sqrt(var + eps). `bias` may be null. Returns {W', b'}.
std::pair<Tensor, Tensor> FoldBatchNorm(const Tensor& w, const Tensor* bias, const ir::Node& bn,
                                        const Tensor& gamma, const Tensor& beta, const Tensor& mean,
                                        const Tensor& var);

// Layout propagation (layout.h) over a plan's steps, after the first Run: decides one layout per
// slot from the kernels' LayoutCaps (`plain_slots`: graph outputs), hands each kernel that reads or
// writes a channels-last value its layouts (and clears its last_shapes, so that the next Run
// reshapes it). Returns the layout per slot (all kPlain when nothing changed).
// `fp32`: whether kernels whose caps are marked LayoutCaps::fp32 take part (else they stay plain).
std::vector<Layout> AssignLayouts(std::vector<PlanStep>& steps, size_t num_slots,
                                  const std::unordered_set<int>& plain_slots, bool fp32);
// `t` (channels-last data) copied into plain order; and a plain tensor reordered to
// channels-last in place (the reference kernels' side of the boundary).
Tensor PlainCopy(const Tensor& t);
void ToChannelsLastInPlace(Tensor& t);

}  // namespace shrink::runtime::fast
