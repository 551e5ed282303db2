// EvaluateNode: runs a single node on concrete inputs with the reference executor.
//
// Contract: builds a one-node model (the node's op, domain, attributes; every present input an
// initializer, every requested output a graph output) under `opsets`, runs it, and returns one
// Tensor per node output (undefined for unrequested optional outputs). Nodes with subgraphs are
// refused (kUnimplemented). Its signature matches passes::NodeEvaluator (constant folding).
#pragma once

#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "ir/model.h"
#include "ir/node.h"

namespace shrink::runtime {

Expected<std::vector<Tensor>> EvaluateNode(const ir::Node& node, const std::vector<Tensor>& inputs,
                                           const std::vector<ir::OpsetImport>& opsets);

}  // namespace shrink::runtime
