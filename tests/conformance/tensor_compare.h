// Comparison of an actual tensor with an expected one, ONNX-backend-test style:
// floats within atol + rtol * |expected| (NaN matches NaN), everything else exactly.
#pragma once

#include <string>

#include "core/tensor.h"

namespace shrink::testing {

struct Tolerance {
  double rtol = 1e-3;
  double atol = 1e-7;
};

// Empty string when they match, else a one-line description of the first difference.
std::string CompareTensors(const Tensor& actual, const Tensor& expected, Tolerance tol = {});

}  // namespace shrink::testing
