// Test helper: run one op through the reference executor.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "ir/attribute.h"

namespace shrink::testing {

// Builds a one-node model (inputs "in0".., outputs "out0"..) and runs it. An undefined Tensor in
// `inputs` becomes an omitted optional input. Returns the outputs or the executor's error.
Expected<std::vector<Tensor>> RunOp(const std::string& op_type, const std::vector<Tensor>& inputs,
                                    std::vector<ir::Attribute> attrs = {}, int num_outputs = 1,
                                    int64_t opset = 17, const std::string& domain = "");

// Max |a-b| over elements (as double); +inf when shapes or dtypes differ.
double MaxAbsDiff(const Tensor& a, const Tensor& b);

}  // namespace shrink::testing
