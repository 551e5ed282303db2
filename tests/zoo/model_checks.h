// Helpers for the zoo tests: run a built model through the reference executor and check that
// its activations stay O(1), and check catalog sample inputs against a graph's inputs.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"
#include "ir/model.h"
#include "zoo/catalog.h"

namespace shrink::zoo::testing {

// Runs `model` on `feeds` and checks every float intermediate: finite, |x| < 1000 (outputs of
// Where, which writes float-min into masked scores, are skipped), and the graph outputs' RMS in
// [0.05, 20] (neither vanished nor exploded). Reports failures through gtest.
void ExpectActivationsBounded(const ir::Model& model,
                              const std::vector<std::pair<std::string, Tensor>>& feeds);

// Sample inputs name exactly the graph inputs, with their dtypes and ranks, and their concrete
// dims agree with every known graph dim.
void ExpectSamplesMatchGraph(const std::vector<SampleInput>& samples, const ir::Graph& graph);

// Sample inputs of `name`'s catalog entry with some dims replaced (e.g. a shorter sequence for a
// quick run): each (axis, value) pair sets that axis of every input that has it.
std::vector<SampleInput> SamplesWithDims(const std::string& name,
                                         const std::vector<std::pair<int, int64_t>>& dims);

}  // namespace shrink::zoo::testing
