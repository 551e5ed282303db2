#include "runtimes/agreement.h"

#include <algorithm>
#include <cmath>

namespace shrink::runtimes {

OutputAgreement CompareOutputs(const std::string& name, const Tensor& ours, const Tensor& reference,
                               const AgreementTolerance& tol) {
  OutputAgreement a;
  a.name = name;
  if (ours.dtype() != reference.dtype() || ours.shape() != reference.shape()) {
    a.detail = std::string("got ") + DataTypeName(ours.dtype()) + ShapeToString(ours.shape()) +
               ", reference " + DataTypeName(reference.dtype()) + ShapeToString(reference.shape());
    return a;
  }
  a.same_type_and_shape = true;
  double diff2 = 0, ref2 = 0;
  int64_t nan_mismatch = 0;
  for (int64_t i = 0; i < ours.numel(); ++i) {
    const double x = ours.GetAsDouble(i), y = reference.GetAsDouble(i);
    if (std::isnan(x) || std::isnan(y)) {
      nan_mismatch += std::isnan(x) != std::isnan(y);
      continue;
    }
    const double d = std::fabs(x - y);
    a.max_abs = std::max(a.max_abs, d);
    a.max_ref = std::max(a.max_ref, std::fabs(y));
    diff2 += d * d;
    ref2 += y * y;
  }
  a.rel_l2 = ref2 > 0 ? std::sqrt(diff2 / ref2) : std::sqrt(diff2);
  const double atol = tol.atol * std::max(1.0, a.max_ref);
  for (int64_t i = 0; i < ours.numel(); ++i) {
    const double x = ours.GetAsDouble(i), y = reference.GetAsDouble(i);
    if (!std::isnan(x) && !std::isnan(y) && std::fabs(x - y) > atol + tol.rtol * std::fabs(y))
      ++a.violations;
  }
  if (nan_mismatch) {
    a.detail = std::to_string(nan_mismatch) + " NaN mismatches";
  } else if (!IsFloat(reference.dtype())) {
    a.ok = a.max_abs == 0;
    if (!a.ok) a.detail = "integer outputs differ";
    return a;
  } else if (a.violations > 0) {
    a.detail = std::to_string(a.violations) + " elements outside tolerance (max |diff| " +
               std::to_string(a.max_abs) + ", relative L2 " + std::to_string(a.rel_l2) + ")";
  } else {
    a.ok = true;
  }
  return a;
}

}  // namespace shrink::runtimes
