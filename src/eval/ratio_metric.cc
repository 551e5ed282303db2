#include <cmath>
#include <limits>

#include "eval/metric_impl.h"

namespace shrink::eval::detail {
namespace {

const char* KindName(data::PredictionKind k) {
  switch (k) {
    case data::PredictionKind::kClass:
      return "class";
    case data::PredictionKind::kText:
      return "text";
    case data::PredictionKind::kTokens:
      return "token";
    case data::PredictionKind::kValues:
      return "value";
    case data::PredictionKind::kSegmentation:
      return "segmentation";
  }
  return "?";
}

}  // namespace

Status CheckKind(const std::string& name, const Predictions& batch,
                 const std::vector<data::PredictionKind>& accepted) {
  for (auto k : accepted)
    if (k == batch.kind) return Status::Ok();
  return InvalidArgument(std::string("metric '") + name + "' cannot score " + KindName(batch.kind) +
                         " predictions");
}

double WeightOf(const std::vector<double>* weights, size_t i) {
  return weights ? (*weights)[i] : 1.0;
}

Status RatioMetric::Update(const Predictions& batch) {
  SHRINK_RETURN_IF_ERROR(CheckKind(name_, batch, accepted_));
  Add(batch, &num_, &den_);
  return Status::Ok();
}

double RatioMetric::Compute(const std::vector<double>* weights) const {
  double num = 0, den = 0, total = 0;
  for (size_t i = 0; i < num_.size(); ++i) {
    const double w = WeightOf(weights, i);
    if (w == 0) continue;
    num += w * num_[i];
    den += w * den_[i];
    total += w;
  }
  if (total == 0) return std::numeric_limits<double>::quiet_NaN();
  return finish_(num, den);
}

}  // namespace shrink::eval::detail
