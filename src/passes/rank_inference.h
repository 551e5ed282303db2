// Rank inference: the rank of each value of a graph, where it follows from declared types,
// constants and the ops' rank rules, without running anything.
//
// Contract: InferRanks() walks the nodes in their current order (callers sort first) and returns
// the rank of every value it can prove: declared shapes, initializers, Constant outputs, and the
// outputs of common ops (elementwise and broadcasting ops, Conv/pool/normalization families,
// MatMul, Gemm, Flatten, Shape, Reshape/Expand with a constant shape, Squeeze/Unsqueeze/Reduce*
// with known axes, Concat, Gather, Transpose). Values it cannot prove are absent from the map; it
// never guesses. Used where a rewrite depends on the rank (opset upgrade of Softmax-like ops).
// InferElementType() finds a value's element type the same way (declared type, constant data,
// Cast's `to`, else input 0's type through type-preserving ops); kUndefined when unknown.
#pragma once

#include <unordered_map>

#include "ir/graph.h"

namespace shrink::passes {

using RankMap = std::unordered_map<const ir::Value*, int64_t>;

RankMap InferRanks(const ir::Graph& graph);
DataType InferElementType(const ir::Value* v);

}  // namespace shrink::passes
