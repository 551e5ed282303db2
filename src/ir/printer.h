// Text printer: a stable, readable form of a Graph for golden tests and `--print-ir`.
//
//   graph main(%x: float32[N, 3]) -> (%y: float32[N, 4]) {
//     %w = initializer float32[4, 3]
//     %y = Gemm(%x, %w) {transB=1}  # fc
//   }
// Subgraphs are printed nested under the node that owns them. Initializer data is summarised,
// never dumped.
#pragma once

#include <string>

#include "ir/graph.h"
#include "ir/model.h"

namespace shrink::ir {

std::string PrintGraph(const Graph& graph);
std::string PrintModel(const Model& model);  // opset header + graph

}  // namespace shrink::ir
