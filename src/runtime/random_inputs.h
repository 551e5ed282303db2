// Seeded random inputs for running a model without data (`shrink run`, zoo checks, ORT
// cross-checks). Floats are uniform in [-1, 1); integers uniform in [0, 10); bools fair coins.
// Symbolic dims resolve through `dims` (e.g. {"N": 1, "S": 128}) and default to 1.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "core/status.h"
#include "ir/graph.h"
#include "runtime/executor.h"

namespace shrink::runtime {

using DimValues = std::map<std::string, int64_t>;

// Concrete shape for a graph input; unknown dims and unknown rank are errors naming the input.
Expected<Shape> ResolveInputShape(const ir::Value& input, const DimValues& dims);
Tensor RandomTensor(DataType dtype, const Shape& shape, uint64_t seed);
// One tensor per graph input (initializer-backed inputs are left to their defaults).
Expected<Feeds> MakeRandomFeeds(const ir::Graph& graph, uint64_t seed, const DimValues& dims = {});

}  // namespace shrink::runtime
