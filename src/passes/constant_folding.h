// constant_folding
//
// Pattern: a node whose every present input is constant (an initializer that is not a graph input,
//          or a Constant node output), including nodes without inputs such as Constant itself.
// Preconditions: ctx.evaluator is set (otherwise the pass does nothing and reports no change).
//   Skipped: nodes with subgraphs, non-deterministic ops (Random*, Multinomial, Bernoulli), nodes
//   whose folded outputs exceed ctx.options.max_folded_elements, and nodes the evaluator refuses
//   (an unsupported op is not an error of this pass).
// Effect: each folded output becomes an initializer of the same name (graph outputs stay graph
//   outputs); the folded node is removed. Inputs left unused are removed by dead_code_elimination.
#pragma once

#include "passes/pass.h"

namespace shrink::passes {

class ConstantFolding : public Pass {
 public:
  std::string name() const override { return "constant_folding"; }
  Expected<bool> Run(ir::Graph& graph, PassContext& ctx) override;
};

}  // namespace shrink::passes
