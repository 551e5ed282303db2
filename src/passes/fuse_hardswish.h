// fuse_hardswish
//
// Pattern (decomposed hard-swish as exporters emit it; Add and Mul operands in either order):
//   Clip form:        a = Add(x, 3); c = Clip(a, 0, 6) (attributes below opset 11, constant
//                     inputs from 11); then either the product first,
//                       Div(Mul(x, c), 6) | Mul(Mul(x, c), 1/6)   (PaddlePaddle, Keras)
//                     or the scale first,
//                       Mul(x, Div(c, 6)) | Mul(x, Mul(c, 1/6))   (PyTorch pre-14 exporters)
//   HardSigmoid form: Mul(x, HardSigmoid(x, alpha=1/6, beta=0.5)).
// Preconditions: every constant is a scalar (one element) within 1e-6 (relative) of the expected
//   value; every intermediate value (a, c, the product / scaled clip, the HardSigmoid output) has
//   exactly one consumer, the next node of the pattern, and is not a graph output; x's dtype, when
//   declared, is float32 or float64 (x itself may have other consumers).
// Effect: one HardSwish(x) (x * clamp(x / 6 + 1/2, 0, 1)): the ONNX op when the model imports
//   opset >= 14, otherwise com.shrink.HardSwish (domain recorded in the PassContext), which the
//   reference and fast runtimes compute like the ONNX op. The output keeps the name of the final
//   node. Numerics: equal up to float rounding (the fused op computes x*(x/6+0.5) clamped, not
//   x*clip(x+3)/6; differences ~1 ulp).
#pragma once

#include "passes/pass.h"

namespace shrink::passes {

class FuseHardSwish : public Pass {
 public:
  std::string name() const override { return "fuse_hardswish"; }
  Expected<bool> Run(ir::Graph& graph, PassContext& ctx) override;
};

// Whether `graph` (main graph only) holds a pattern the pass would fuse, for a model importing
// ai.onnx `opset` (quant::PrepareForQuantization upgrades such models to opset 14 first).
bool HasDecomposedHardSwish(const ir::Graph& graph, int64_t opset);

}  // namespace shrink::passes
