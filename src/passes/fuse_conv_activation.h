// fuse_conv_activation
//
// Pattern: y = Conv(...); z = Act(y) with Act one of Relu, Clip / Relu6, Sigmoid, HardSwish,
//          LeakyRelu, Gelu (see activation_match.h).
// Preconditions: Conv in the default domain with a float32/float64 weight (input 1); y has Act as
//   its only consumer and is not a graph output; Clip bounds are constant scalars.
// Effect: z = com.shrink.FusedConv(same inputs) with the Conv attributes plus
//   activation (string) and activation_params (floats); z keeps its name. Requires the
//   com.shrink domain (recorded in the PassContext). Reference kernel:
//   runtime/kernels/fused_ops.cc.
#pragma once

#include "passes/pass.h"

namespace shrink::passes {

class FuseConvActivation : public Pass {
 public:
  std::string name() const override { return "fuse_conv_activation"; }
  Expected<bool> Run(ir::Graph& graph, PassContext& ctx) override;
};

}  // namespace shrink::passes
