#include "conformance/tensor_compare.h"

#include <cmath>

namespace shrink::testing {

std::string CompareTensors(const Tensor& actual, const Tensor& expected, Tolerance tol) {
  if (actual.dtype() != expected.dtype())
    return std::string("dtype ") + DataTypeName(actual.dtype()) + " != expected " +
           DataTypeName(expected.dtype());
  if (actual.shape() != expected.shape())
    return "shape " + ShapeToString(actual.shape()) + " != expected " +
           ShapeToString(expected.shape());
  if (expected.dtype() == DataType::kString)
    return actual.strings() == expected.strings() ? "" : "string values differ";
  const bool is_float = IsFloat(expected.dtype());
  for (int64_t i = 0; i < expected.numel(); ++i) {
    const double a = actual.GetAsDouble(i), e = expected.GetAsDouble(i);
    bool ok;
    if (is_float) {
      if (std::isnan(e))
        ok = std::isnan(a);
      else if (std::isinf(e))
        ok = a == e;
      else
        ok = std::fabs(a - e) <= tol.atol + tol.rtol * std::fabs(e);
    } else {
      ok = a == e;
    }
    if (!ok)
      return "element " + std::to_string(i) + ": got " + std::to_string(a) + ", expected " +
             std::to_string(e);
  }
  return "";
}

}  // namespace shrink::testing
