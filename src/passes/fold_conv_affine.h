// fold_conv_affine
//
// Pattern A (after a Conv): y = Conv(x, W[, B]) followed by a constant affine map of its output,
//   as exporters emit learnable scale / shift layers (PaddlePaddle's LearnableAffineBlock,
//   MobileOne reparametrisation):   Mul(y, s) [-> Add(., t)]   or   Add(y, t)
//   (Mul / Add operands in either order).
//   Preconditions: W (and B when present) are float constants; s and t are float constants that
//   either hold one element (rank <= rank(y)) or are per output channel: shape [M, 1, ...] of rank
//   rank(y) - 1 or [1, M, 1, ...] of rank rank(y); y and the Mul output have exactly one consumer
//   (the next node) and are not graph outputs.
//   Effect: one Conv(x, W * s, B * s + t) with the original attributes.
// Pattern B (before a Conv, e.g. the affine after an activation): Mul(u, s) [-> Add(., t)] or
//   Add(u, t) whose result is input 0 of Conv(., W[, B]).
//   Preconditions: s and t are one-element float constants (rank <= 1) and u is not constant; the
//   intermediates have that single consumer and are not graph outputs; an Add only when the Conv
//   is unpadded (pads all 0, auto_pad NOTSET or VALID): padding reads zeros, not t.
//   Effect: one Conv(u, W * s, B + t * sum(W[m])) with the original attributes.
// Both: new initializers (the old weights stay for dead_code_elimination when unused); pattern A is
//   applied to every Conv first, then B. Numerics: equal up to float rounding of the folded
//   weights (relative ~1e-6 of the output magnitude).
// Why: lets the fast runtime fuse the activation that follows (Conv + HardSwish post-op), removes
//   elementwise passes over activations, and leaves fewer float ops between Q/DQ pairs when the
//   model is quantized.
#pragma once

#include "passes/pass.h"

namespace shrink::passes {

class FoldConvAffine : public Pass {
 public:
  std::string name() const override { return "fold_conv_affine"; }
  Expected<bool> Run(ir::Graph& graph, PassContext& ctx) override;
};

}  // namespace shrink::passes
