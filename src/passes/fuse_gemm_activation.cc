#include "passes/fuse_gemm_activation.h"

#include "passes/activation_match.h"

namespace shrink::passes {

Expected<bool> FuseGemmActivation::Run(ir::Graph& graph, PassContext& ctx) {
  return FuseBaseWithActivation(graph, ctx, "Gemm", "FusedGemm");
}

}  // namespace shrink::passes
