// fuse_matmul_add_into_gemm
//
// Pattern: y = MatMul(A, B); z = Add(y, C) or Add(C, y) (default domain).
// Preconditions: A is declared 2-D, B is a constant 2-D [K, N] float32/float64, C is a constant of
//   the same dtype with shape [N] or [1, N]; y has the Add as its only consumer and is not a graph
//   output.
// Effect: z = Gemm(A, B, C) (alpha = beta = 1, no transposes); z keeps its name.
#pragma once

#include "passes/pass.h"

namespace shrink::passes {

class FuseMatMulAddIntoGemm : public Pass {
 public:
  std::string name() const override { return "fuse_matmul_add_into_gemm"; }
  Expected<bool> Run(ir::Graph& graph, PassContext& ctx) override;
};

}  // namespace shrink::passes
