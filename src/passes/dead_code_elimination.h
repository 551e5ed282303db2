// dead_code_elimination
//
// Pattern: nodes none of whose outputs is used by another node or listed as a graph output;
//          initializers that no node uses and that are neither graph outputs nor graph inputs.
// Preconditions: none (any graph; subgraph bodies are left alone, their outer references count
//                as uses of the enclosing graph's values through the owning node's subgraphs).
// Effect: removes them, repeatedly, until nothing more is dead. Node order is kept.
#pragma once

#include "passes/pass.h"

namespace shrink::passes {

class DeadCodeElimination : public Pass {
 public:
  std::string name() const override { return "dead_code_elimination"; }
  Expected<bool> Run(ir::Graph& graph, PassContext& ctx) override;
};

}  // namespace shrink::passes
