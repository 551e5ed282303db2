// fuse_attention
//
// Pattern (scaled dot-product attention as exporters emit it, heads already split):
//   s = MatMul(Q, Kt); [s = Div(s, c) | Mul(s, c) | Mul(c, s)]; [s = Add(s, M) | Add(M, s)];
//   p = Softmax(s, last axis); y = MatMul(p, V)
// Preconditions: c a constant scalar; Softmax over the last axis (axis = -1, or the opset >= 13
//   default); every intermediate has exactly one consumer and is not a graph output; Q's declared
//   dtype, when known, is float32/float64.
// Effect: y = com.shrink.Attention(Q, Kt, V[, M]) {scale} computing
//   MatMul(Softmax(MatMul(Q, Kt) * scale [+ M]), V) (scale = 1/c for Div, c for Mul, else 1);
//   Kt is the already transposed key, as the original MatMul took it. y keeps its name.
//   Requires com.shrink (recorded in the PassContext); reference kernel in fused_ops.cc.
#pragma once

#include "passes/pass.h"

namespace shrink::passes {

class FuseAttention : public Pass {
 public:
  std::string name() const override { return "fuse_attention"; }
  Expected<bool> Run(ir::Graph& graph, PassContext& ctx) override;
};

}  // namespace shrink::passes
