// Agreement between two runtimes' outputs for the same model and inputs (our reference executor
// vs ONNX Runtime): per output max |a-b|, max |b| and relative L2 error ||a-b|| / ||b||.
//
// Tolerance (documented, used by `shrink zoo check` and the ort_crosscheck test): float outputs
// agree when every element satisfies |a-b| <= atol * max(1, max|b|) + rtol * |b| (allclose with
// rtol 1e-3, atol 1e-4 scaled to the output's magnitude); NaNs must match. rel_l2 is reported but
// not gated: near-saturated outputs (sigmoid of large negative logits) have tiny magnitudes where
// relative error measures conditioning, not correctness. Integer and bool outputs must be equal.
// Shapes and dtypes must be identical.
#pragma once

#include <string>
#include <vector>

#include "core/tensor.h"

namespace shrink::runtimes {

struct OutputAgreement {
  std::string name;
  bool same_type_and_shape = false;
  double max_abs = 0;
  double max_ref = 0;
  double rel_l2 = 0;
  int64_t violations = 0;  // elements outside the tolerance
  bool ok = false;
  std::string detail;  // why not ok
};

struct AgreementTolerance {
  double rtol = 1e-3;
  double atol = 1e-4;  // multiplied by max(1, max|b|)
};

OutputAgreement CompareOutputs(const std::string& name, const Tensor& ours, const Tensor& reference,
                               const AgreementTolerance& tol = {});

}  // namespace shrink::runtimes
