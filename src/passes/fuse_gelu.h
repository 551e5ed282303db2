// fuse_gelu
//
// Pattern (as PyTorch / HF exporters emit them; Mul and Add operands in either order):
//   erf form:  Erf(Div(x, sqrt(2)) | Mul(x, 1/sqrt(2))) -> Add(., 1) -> then the product
//              x * 0.5 * (.) written as Mul(Mul(x, .), 0.5), Mul(Mul(., 0.5), x) or
//              Mul(Mul(x, 0.5), .)
//   tanh form: Tanh(Mul(Add(x, Mul(Pow(x, 3), 0.044715)), sqrt(2/pi))) -> Add(., 1) -> the same
//              product.
// Preconditions: every constant is a scalar within 1e-4 (relative) of the expected value; every
//   intermediate value has exactly one consumer inside the pattern and is not a graph output;
//   x's dtype, when declared, is float32 or float64.
// Effect: one Gelu(x) with approximate "none" / "tanh": the ONNX op when the model imports opset
//   >= 20, otherwise com.shrink.Gelu (domain recorded in the PassContext). The output keeps the
//   name of the final Mul.
#pragma once

#include "passes/pass.h"

namespace shrink::passes {

class FuseGelu : public Pass {
 public:
  std::string name() const override { return "fuse_gelu"; }
  Expected<bool> Run(ir::Graph& graph, PassContext& ctx) override;
};

}  // namespace shrink::passes
