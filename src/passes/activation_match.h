// Activation matching shared by fuse_conv_activation and fuse_gemm_activation.
//
// Recognises, on a node whose input 0 is the value being fused: Relu, Clip (opset < 11 min/max
// attributes; opset >= 11 constant scalar min/max inputs, absent meaning unbounded; Relu6 is
// Clip(0, 6)), Sigmoid, HardSwish, LeakyRelu (alpha), Gelu (ONNX 20 or com.shrink, approximate
// none|tanh). Returns the activation attributes of the fused op (see fused_ops.cc).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ir/node.h"
#include "passes/pass.h"

namespace shrink::passes {

struct ActivationSpec {
  std::string
      activation;  // "Relu", "Clip", "Sigmoid", "HardSwish", "LeakyRelu", "Gelu", "GeluTanh"
  std::vector<float> params;
  std::vector<ir::Attribute> Attributes() const;
};

std::optional<ActivationSpec> MatchActivation(const ir::Node* n, const PassContext& ctx);

// Shared body of the two activation fusions: `base_op` (default domain) followed by its only
// consumer being a recognised activation becomes kShrinkDomain.`fused_op` with the base op's
// attributes plus the activation attributes.
Expected<bool> FuseBaseWithActivation(ir::Graph& graph, PassContext& ctx, const char* base_op,
                                      const char* fused_op);

}  // namespace shrink::passes
