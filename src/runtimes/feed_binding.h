// Binding a dataset batch's named inputs to a model's graph inputs (used by EvaluateModel).
//
// Contract: one batch input and one model input are bound whatever their names; otherwise every
// model input must be present by name (kInvalidArgument naming the missing input and the names
// that were given). A tensor whose dtype differs from the input's declared numeric dtype is
// converted element by element (float32 -> float16, int64 -> int32, ...).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "ir/graph.h"

namespace shrink::runtimes {

Expected<std::vector<std::pair<std::string, Tensor>>> BindInputs(
    const ir::Graph& graph, const std::vector<std::pair<std::string, Tensor>>& inputs);

}  // namespace shrink::runtimes
