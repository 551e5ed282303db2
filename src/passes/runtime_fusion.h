// The fusions a runtime applies before executing a float model (what ORT's graph optimiser does
// at session creation), for the native fast runtime (runtimes::NativeSession, `shrink bench`).
//
// FuseForRuntime runs fold_conv_affine, fuse_gelu, fuse_hardswish, fuse_layer_norm,
// fuse_attention and dead_code_elimination, in that order, on `model` (recording com.shrink when a
// fused op is introduced; com.shrink HardSwish is a oneDNN eltwise fused into the producing Conv).
// Every fused op has a reference kernel (runtime/kernels/fused_ops.cc) and a fast kernel
// (runtime/fast): com.shrink Gelu as a oneDNN eltwise (fused as a post-op into the producing
// MatMul/Add), com.shrink Attention as the tiled attention kernel. Models without these patterns
// are left untouched. Returns whether anything changed. For QDQ models it runs after LowerQdq, on
// the parts that stay float (e.g. attention whose MatMuls multiply two activations).
#pragma once

#include "core/status.h"
#include "ir/model.h"

namespace shrink::passes {

Expected<bool> FuseForRuntime(ir::Model& model);

}  // namespace shrink::passes
