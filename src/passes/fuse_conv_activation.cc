#include "passes/fuse_conv_activation.h"

#include "passes/activation_match.h"

namespace shrink::passes {

Expected<bool> FuseConvActivation::Run(ir::Graph& graph, PassContext& ctx) {
  return FuseBaseWithActivation(graph, ctx, "Conv", "FusedConv");
}

}  // namespace shrink::passes
