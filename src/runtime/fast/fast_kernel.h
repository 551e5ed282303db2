// Fast kernel contract and registry (the optimised path beside the reference kernels).
//
// A fast kernel has three phases, after XNNPACK:
//   create  — a FastFactory reads the node, its opset, the constant inputs (weights, packed or
//             reordered once here), an optional fused activation and the first input shapes, and
//             returns a kernel, or nullptr to decline (attributes it does not implement); the plan
//             then runs that node on its reference kernel, so every model still runs.
//   Reshape — new input shapes: returns the output dtypes/shapes, rebuilding (or taking from its
//             own cache, keyed by shapes) whatever depends on them; workspace_bytes() is valid
//             after.
//   Run     — pointers only: one per node input (nullptr for omitted inputs; constants included),
//             one per node output, for the shapes of the last Reshape. No allocation on this path
//             beyond what Reshape prepared.
// Quantization parameters are explicit in CreateInfo (constant scale / zero-point inputs); a
// weight-only quantized weight (DequantizeLinear of constants) reaches the kernels registered with
// a DqWeightCheck unfolded, as CreateInfo::dq_weight.
//
// One line registers a kernel for (domain, op, opset range, input dtype, backend):
//   SHRINK_FAST_KERNEL("", "Conv", 11, kLatestOpset, DataType::kFloat32, "onednn", MakeConv,
//                      CanFuseEltwise);
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "ir/node.h"
#include "runtime/fast/layout.h"
#include "runtime/kernel.h"

namespace shrink::runtime::fast {

// An elementwise activation fused into the producing kernel (the plan removes the activation node).
// `op` is the ONNX op type ("Relu", "Clip", "Sigmoid", ...); alpha/beta are its parameters
// (Clip: min/max, LeakyRelu/Elu: alpha).
struct FusedActivation {
  std::string op;
  float alpha = 0.0f;
  float beta = 0.0f;
};

// The post-op of a residual Add fused into the step (FusedActivation::op == kSumPostOp): output 0
// += the residual. The plan fills output 0 with the residual before Run (or hands the residual's
// own buffer in as output 0), so the kernel only accumulates into what its output holds; it sits
// in post_ops where the Add was (activations before it apply to the kernel's result alone).
inline constexpr char kSumPostOp[] = "Sum";

// The activation a node computes, when it is a pure elementwise activation whose parameters are
// attributes or constants (`constants` as in CreateInfo; com.shrink Gelu and HardSwish
// included); nullopt otherwise.
std::optional<FusedActivation> ActivationOf(const ir::Node& node, int64_t opset,
                                            const std::vector<const Tensor*>& constants);

// A constant weight that the plan keeps as DequantizeLinear(q, scale[, zero_point]) instead of
// folding it to float (weight-only quantization): offered only to kernels whose definition has
// `takes_dq_weight`, which then read the packed integers and never see a float matrix. The node
// input it feeds has no constant and no buffer (nullptr in Run).
struct DequantizedWeight {
  int input = -1;  // node input index the DequantizeLinear output feeds
  const ir::Node* dq = nullptr;
  int64_t opset = 0;  // of the DequantizeLinear
  const Tensor* q = nullptr;
  const Tensor* scale = nullptr;
  const Tensor* zero_point = nullptr;  // nullptr when omitted
};

struct CreateInfo {
  const ir::Node* node = nullptr;
  int64_t opset = 0;
  // Per node input: the constant value (initializer or folded), or nullptr when it varies per run
  // or is omitted. The plan may substitute folded tensors (e.g. Conv weights with BatchNorm
  // folded).
  std::vector<const Tensor*> constants;
  std::vector<DataType> input_dtypes;  // kUndefined for omitted inputs
  std::vector<Shape> input_shapes;     // first shapes seen (empty Shape for omitted inputs)
  std::vector<FusedActivation> post_ops;
  const DequantizedWeight* dq_weight = nullptr;  // set only for `takes_dq_weight` kernels
  // A constant 1-D bias [N] added to the output's last axis (an Add the plan fused into the step,
  // applied before post_ops); set only for kernels whose definition has `takes_bias`.
  const Tensor* bias = nullptr;
};

struct OutputSpec {
  DataType dtype = DataType::kUndefined;
  Shape shape;
};

class FastKernel {
 public:
  virtual ~FastKernel() = default;
  virtual std::vector<OutputSpec> Reshape(const std::vector<Shape>& input_shapes) = 0;
  virtual size_t workspace_bytes() const { return 0; }
  // Bytes of weights the kernel holds (packed / reordered copies), for PlanStats; 0 if untracked.
  virtual size_t weight_bytes() const { return 0; }
  virtual void Run(const std::vector<const void*>& inputs, const std::vector<void*>& outputs) = 0;
  // Layout propagation (layout.h): which activations the kernel can read / write channels-last,
  // for the shapes of the last Reshape ({}: plain only). The plan then calls SetLayouts once with
  // its choice (kChannelsLast only where the caps allow), followed by a Reshape.
  virtual LayoutCaps layout_caps() const { return {}; }
  // Whether Run (for the shapes of the last Reshape) starts no OpenMP region of its own: its
  // threads, if any, come from the spin pool (spin_pool.h). A session whose steps all are
  // (reference kernels are) runs its jobs on the pool's helpers, else as OpenMP loops.
  virtual bool openmp_free() const { return false; }
  virtual void SetLayouts(const std::vector<Layout>& /*inputs*/, Layout /*output*/) {}
};

using FastFactory = std::unique_ptr<FastKernel> (*)(const CreateInfo&);
// Whether a kernel can absorb `act` as a post-op (checked before the plan fuses).
using FusionCheck = bool (*)(const FusedActivation& act);
// Whether a kernel for `consumer` can take `w` (input w.input) packed, before the plan decides not
// to fold that DequantizeLinear (static checks only: dtypes, axis, block size, attributes).
using DqWeightCheck = bool (*)(const ir::Node& consumer, int64_t opset, const DequantizedWeight& w);

struct FastKernelDef {
  std::string domain;  // "" for ai.onnx
  std::string op_type;
  int since = 1;
  int until = kLatestOpset;
  DataType dtype = DataType::kFloat32;  // dtype of input 0
  std::string backend;                  // "onednn" or "native"
  FastFactory create = nullptr;
  FusionCheck can_fuse = nullptr;  // nullptr: accepts no post-ops
  // Non-null: the kernel runs from a DequantizedWeight (CreateInfo::dq_weight) and declines
  // without one; the plan offers such weights to these kernels only.
  DqWeightCheck takes_dq_weight = nullptr;
  // The kernel applies CreateInfo::bias; the plan fuses a constant bias Add into the step only
  // when some kernel for the op has this.
  bool takes_bias = false;
};

class FastRegistry {
 public:
  static FastRegistry& Global();
  void Register(FastKernelDef def);
  // Matching definitions, in registration order (the plan tries each until one accepts).
  std::vector<const FastKernelDef*> Find(const std::string& domain, const std::string& op_type,
                                         int64_t opset, DataType dtype) const;
  const std::vector<FastKernelDef>& all() const { return defs_; }

 private:
  std::vector<FastKernelDef> defs_;
};

struct FastRegistrar {
  explicit FastRegistrar(FastKernelDef def) { FastRegistry::Global().Register(std::move(def)); }
};

}  // namespace shrink::runtime::fast

#define SHRINK_FAST_KERNEL(domain, op, since, until, dtype, backend, factory, fusion) \
  SHRINK_FAST_KERNEL_DQ(domain, op, since, until, dtype, backend, factory, fusion, nullptr)
// The same for a kernel that runs from a DequantizedWeight (`dq_check`: its DqWeightCheck).
#define SHRINK_FAST_KERNEL_DQ(domain, op, since, until, dtype, backend, factory, fusion, dq_check) \
  static ::shrink::runtime::fast::FastRegistrar SHRINK_CONCAT_(                                    \
      shrink_fast_reg_, __COUNTER__)(::shrink::runtime::fast::FastKernelDef{                       \
      domain, op, since, until, dtype, backend, factory, fusion, dq_check})
