// Helpers for pass tests: build a model twice (before/after), run a pass through a PassManager
// (with verification, then dead_code_elimination), print, and compare outputs on the reference
// executor.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "ir/builder.h"
#include "ir/model.h"
#include "passes/pass.h"
#include "runtime/executor.h"

namespace shrink::passes::testing {

using BuildFn = std::function<void(ir::GraphBuilder&)>;

ir::Model Build(const BuildFn& build, int64_t opset = 17);
Tensor RandomTensor(const Shape& shape, uint32_t seed, float lo = -1.0f, float hi = 1.0f);
// Integer tensor of dtype `t` with values uniform in [lo, hi].
Tensor RandomInts(DataType t, const Shape& shape, int lo, int hi, uint32_t seed);

// Runs `pass` then dead_code_elimination on `model` (verify after each); returns whether `pass`
// changed the graph. Fails the test on an error.
bool Apply(std::unique_ptr<Pass> pass, ir::Model& model);

std::vector<Tensor> RunModel(const ir::Model& model, const runtime::Feeds& feeds);

// Builds the model twice, rewrites one with `pass`, expects a change (or not) and equal outputs
// within `tol`. Returns the rewritten model for golden checks.
ir::Model ExpectEquivalentAfter(const BuildFn& build, std::function<std::unique_ptr<Pass>()> make,
                                const runtime::Feeds& feeds, bool expect_change, double tol = 1e-5,
                                int64_t opset = 17);

int CountOps(const ir::Graph& g, const std::string& op_type);

}  // namespace shrink::passes::testing
