// The canonicalisation pipeline: the ordered pass list run on every imported model before any
// compression stage.
//
// Order (and why):
//   1. constant_folding         — turns Constant nodes / constant subexpressions into initializers,
//                                 so the fusions below see constant weights and scalars;
//   2. fold_batchnorm_into_conv — before activation fusion (BN sits between Conv and its Relu);
//      fold_conv_affine         — likewise for constant scale / shift layers after a Conv;
//   3. fuse_matmul_add_into_gemm
//   4. fuse_gelu                — before gemm activation fusion, which can absorb the Gelu;
//      fuse_hardswish           — likewise, so conv activation fusion absorbs the HardSwish;
//   5. fuse_layer_norm, fuse_attention
//   6. fuse_conv_activation, fuse_gemm_activation
//   7. dead_code_elimination    — last: removes what the rewrites left unused.
#pragma once

#include <memory>

#include "passes/pass_manager.h"

namespace shrink::passes {

// Adds the canonicalisation passes, in order, to `pm`.
void AddCanonicalizationPasses(PassManager& pm);

}  // namespace shrink::passes
