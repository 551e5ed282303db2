#include "passes/runtime_fusion.h"

#include <memory>

#include "passes/dead_code_elimination.h"
#include "passes/fold_conv_affine.h"
#include "passes/fuse_attention.h"
#include "passes/fuse_gelu.h"
#include "passes/fuse_hardswish.h"
#include "passes/fuse_layer_norm.h"
#include "passes/pass_manager.h"

namespace shrink::passes {

Expected<bool> FuseForRuntime(ir::Model& model) {
  PassManager pm;
  pm.Add(std::make_unique<FoldConvAffine>());
  pm.Add(std::make_unique<FuseGelu>());
  pm.Add(std::make_unique<FuseHardSwish>());
  pm.Add(std::make_unique<FuseLayerNorm>());
  pm.Add(std::make_unique<FuseAttention>());
  pm.Add(std::make_unique<DeadCodeElimination>());
  return pm.Run(model);
}

}  // namespace shrink::passes
