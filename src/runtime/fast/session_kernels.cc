#include <algorithm>

#include "runtime/fast/session_impl.h"

namespace shrink::runtime::fast {

using session_detail::DqWeightOf;

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

}  // namespace shrink::runtime::fast
