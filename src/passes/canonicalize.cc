#include "passes/canonicalize.h"

#include "passes/constant_folding.h"
#include "passes/dead_code_elimination.h"
#include "passes/fold_batchnorm_into_conv.h"
#include "passes/fold_conv_affine.h"
#include "passes/fuse_attention.h"
#include "passes/fuse_conv_activation.h"
#include "passes/fuse_gelu.h"
#include "passes/fuse_gemm_activation.h"
#include "passes/fuse_hardswish.h"
#include "passes/fuse_layer_norm.h"
#include "passes/fuse_matmul_add_into_gemm.h"

namespace shrink::passes {

void AddCanonicalizationPasses(PassManager& pm) {
  pm.Add(std::make_unique<ConstantFolding>());
  pm.Add(std::make_unique<FoldBatchNormIntoConv>());
  pm.Add(std::make_unique<FoldConvAffine>());
  pm.Add(std::make_unique<FuseMatMulAddIntoGemm>());
  pm.Add(std::make_unique<FuseGelu>());
  pm.Add(std::make_unique<FuseHardSwish>());
  pm.Add(std::make_unique<FuseLayerNorm>());
  pm.Add(std::make_unique<FuseAttention>());
  pm.Add(std::make_unique<FuseConvActivation>());
  pm.Add(std::make_unique<FuseGemmActivation>());
  pm.Add(std::make_unique<DeadCodeElimination>());
}

}  // namespace shrink::passes
