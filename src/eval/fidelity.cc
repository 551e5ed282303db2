#include "eval/fidelity.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace shrink::eval {
namespace {

Status CheckPair(const Tensor& a, const Tensor& b, bool rows) {
  auto numeric = [](const Tensor& t) {
    return t.defined() && t.dtype() != DataType::kString && t.dtype() != DataType::kUndefined;
  };
  if (!numeric(a) || !numeric(b)) return InvalidArgument("fidelity needs numeric tensors");
  if (a.shape() != b.shape())
    return InvalidArgument("fidelity: shapes differ: " + ShapeToString(a.shape()) + " vs " +
                           ShapeToString(b.shape()));
  if (rows && (a.rank() == 0 || a.dim(-1) == 0))
    return InvalidArgument("fidelity: " + ShapeToString(a.shape()) + " has no class axis");
  return Status::Ok();
}

std::vector<double> Values(const Tensor& t) {
  std::vector<double> v(static_cast<size_t>(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) v[i] = t.GetAsDouble(i);
  return v;
}

// Probabilities of one row: softmax when `logits`.
std::vector<double> Distribution(const double* row, int64_t c, bool logits) {
  std::vector<double> p(row, row + c);
  if (!logits) return p;
  const double m = *std::max_element(p.begin(), p.end());
  double z = 0;
  for (double& x : p) z += (x = std::exp(x - m));
  for (double& x : p) x /= z;
  return p;
}

}  // namespace

Expected<double> Sqnr(const Tensor& reference, const Tensor& test) {
  SHRINK_RETURN_IF_ERROR(CheckPair(reference, test, false));
  const auto r = Values(reference), t = Values(test);
  double signal = 0, noise = 0;
  for (size_t i = 0; i < r.size(); ++i) {
    signal += r[i] * r[i];
    noise += (r[i] - t[i]) * (r[i] - t[i]);
  }
  if (noise == 0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(signal / noise);
}

Expected<double> CosineSimilarity(const Tensor& a, const Tensor& b) {
  SHRINK_RETURN_IF_ERROR(CheckPair(a, b, false));
  const auto x = Values(a), y = Values(b);
  double dot = 0, xx = 0, yy = 0;
  for (size_t i = 0; i < x.size(); ++i) dot += x[i] * y[i], xx += x[i] * x[i], yy += y[i] * y[i];
  if (xx == 0 && yy == 0) return 1.0;
  if (xx == 0 || yy == 0) return 0.0;
  return dot / std::sqrt(xx * yy);
}

Expected<double> Top1Agreement(const Tensor& reference, const Tensor& test) {
  SHRINK_RETURN_IF_ERROR(CheckPair(reference, test, true));
  const auto r = Values(reference), t = Values(test);
  const int64_t c = reference.dim(-1), rows = reference.numel() / c;
  if (rows == 0) return InvalidArgument("fidelity: no rows to compare");
  int64_t same = 0;
  for (int64_t i = 0; i < rows; ++i) {
    const auto* a = r.data() + i * c;
    const auto* b = t.data() + i * c;
    same += (std::max_element(a, a + c) - a) == (std::max_element(b, b + c) - b) ? 1 : 0;
  }
  return static_cast<double>(same) / static_cast<double>(rows);
}

Expected<double> KlDivergence(const Tensor& reference, const Tensor& test, bool logits) {
  SHRINK_RETURN_IF_ERROR(CheckPair(reference, test, true));
  const auto r = Values(reference), t = Values(test);
  const int64_t c = reference.dim(-1), rows = reference.numel() / c;
  if (rows == 0) return InvalidArgument("fidelity: no rows to compare");
  double total = 0;
  for (int64_t i = 0; i < rows; ++i) {
    const auto p = Distribution(r.data() + i * c, c, logits);
    const auto q = Distribution(t.data() + i * c, c, logits);
    for (int64_t j = 0; j < c; ++j)
      if (p[j] > 0) total += p[j] * std::log(p[j] / std::max(q[j], 1e-12));
  }
  return total / static_cast<double>(rows);
}

}  // namespace shrink::eval
