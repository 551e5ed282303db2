#include "runtime/fast/fast_kernel.h"

#include <limits>

namespace shrink::runtime::fast {

FastRegistry& FastRegistry::Global() {
  static FastRegistry registry;
  return registry;
}

void FastRegistry::Register(FastKernelDef def) { defs_.push_back(std::move(def)); }

std::vector<const FastKernelDef*> FastRegistry::Find(const std::string& domain,
                                                     const std::string& op_type, int64_t opset,
                                                     DataType dtype) const {
  const std::string d = domain == "ai.onnx" ? "" : domain;
  std::vector<const FastKernelDef*> out;
  for (const auto& def : defs_)
    if (def.domain == d && def.op_type == op_type && opset >= def.since && opset <= def.until &&
        def.dtype == dtype)
      out.push_back(&def);
  return out;
}

std::optional<FusedActivation> ActivationOf(const ir::Node& node, int64_t opset,
                                            const std::vector<const Tensor*>& constants) {
  const std::string& op = node.op_type();
  FusedActivation a{op, 0.0f, 0.0f};
  // com.shrink Gelu (fuse_gelu below opset 20) computes what ONNX Gelu does.
  if (node.domain() == "com.shrink" && op == "Gelu" &&
      node.GetString("approximate", "none") == "none")
    return a;
  // com.shrink HardSwish (fuse_hardswish below opset 14) computes what ONNX HardSwish does.
  if (node.domain() == "com.shrink" && op == "HardSwish") return a;
  if (!node.domain().empty() && node.domain() != "ai.onnx") return std::nullopt;
  if (op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "HardSwish" || op == "Exp" ||
      op == "Abs" || op == "Sqrt" || op == "Softplus" || op == "Neg")
    return a;
  if (op == "LeakyRelu") {
    a.alpha = node.GetFloat("alpha", 0.01f);
    return a;
  }
  if (op == "Elu") {
    a.alpha = node.GetFloat("alpha", 1.0f);
    return a;
  }
  if (op == "Gelu") {
    if (node.GetString("approximate", "none") != "none") return std::nullopt;
    return a;
  }
  if (op == "Clip") {
    a.alpha = std::numeric_limits<float>::lowest();
    a.beta = std::numeric_limits<float>::max();
    if (opset < 11) {
      a.alpha = node.GetFloat("min", a.alpha);
      a.beta = node.GetFloat("max", a.beta);
      return a;
    }
    for (int i = 1; i <= 2; ++i) {
      if (node.input(i) == nullptr) continue;
      const Tensor* c =
          static_cast<size_t>(i) < constants.size() ? constants[static_cast<size_t>(i)] : nullptr;
      if (!c || c->dtype() != DataType::kFloat32 || c->numel() != 1) return std::nullopt;
      (i == 1 ? a.alpha : a.beta) = c->data<float>()[0];
    }
    return a;
  }
  return std::nullopt;
}

}  // namespace shrink::runtime::fast
