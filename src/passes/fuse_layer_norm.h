// fuse_layer_norm
//
// Pattern (the decomposition exporters emit for LayerNorm over the last axis):
//   m = ReduceMean(x, axes=[-1]); d = Sub(x, m); p = Pow(d, 2); v = ReduceMean(p, axes=[-1]);
//   s = Sqrt(Add(v, eps)); n = Div(d, s); y = Mul(n, gamma) [; z = Add(y, beta)]
//   (Mul/Add operands in either order; axes as attribute (opset < 18) or constant input).
// Preconditions: the model imports opset >= 17; axes is the single last axis (-1, or rank-1 when
// x's
//   rank is declared), keepdims = 1; eps a constant scalar; gamma and beta constant 1-D of the
//   same length (equal to x's last dim when declared); d is used exactly by the Pow and the Div and
//   every other intermediate has one consumer; no intermediate is a graph output.
// Effect: LayerNormalization(x, gamma[, beta]) {axis=-1, epsilon=eps}; the output keeps the name of
//   the final Mul/Add.
#pragma once

#include "passes/pass.h"

namespace shrink::passes {

class FuseLayerNorm : public Pass {
 public:
  std::string name() const override { return "fuse_layer_norm"; }
  Expected<bool> Run(ir::Graph& graph, PassContext& ctx) override;
};

}  // namespace shrink::passes
