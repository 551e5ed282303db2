// Agreement between two runtimes' outputs for the same model and inputs (our reference executor
// vs ONNX Runtime): per output max |a-b|, max |b| and relative L2 error ||a-b|| / ||b||.
//
// Tolerance (documented, used by `shrink zoo check` and the ort_crosscheck test): float outputs
// agree when rel_l2 <= 1e-4 and max_abs <= 1e-3 * max(1, max |b|); integer and bool outputs must
// be equal. Shapes and dtypes must be identical.
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
  bool ok = false;
  std::string detail;  // why not ok
};

struct AgreementTolerance {
  double rel_l2 = 1e-4;
  double max_abs_scale = 1e-3;
};

OutputAgreement CompareOutputs(const std::string& name, const Tensor& ours, const Tensor& reference,
                               const AgreementTolerance& tol = {});

}  // namespace shrink::runtimes
