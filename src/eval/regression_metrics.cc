// mse, mae, rmse (over every predicted value) and r2 (coefficient of determination per output
// column, averaged uniformly over columns like scikit-learn's default; a constant target column
// scores 1 when predicted exactly, else 0).
#include <cmath>
#include <limits>

#include "eval/metric_impl.h"

namespace shrink::eval::detail {
namespace {

using data::PredictionKind;

class ValueError final : public RatioMetric {
 public:
  ValueError(std::string name, bool squared, bool root)
      : RatioMetric(std::move(name), {PredictionKind::kValues},
                    [root](double num, double den) {
                      const double mean = num / den;
                      return root ? std::sqrt(mean) : mean;
                    }),
        squared_(squared) {}

 private:
  void Add(const Predictions& b, std::vector<double>* num, std::vector<double>* den) const final {
    for (int64_t i = 0; i < b.size; ++i) {
      double sum = 0;
      for (int64_t j = 0; j < b.width; ++j) {
        const double e = b.values[i * b.width + j] - b.target_values[i * b.width + j];
        sum += squared_ ? e * e : std::abs(e);
      }
      num->push_back(sum);
      den->push_back(static_cast<double>(b.width));
    }
  }
  bool squared_;
};

class R2 final : public Metric {
 public:
  Status Update(const Predictions& b) override {
    SHRINK_RETURN_IF_ERROR(CheckKind("r2", b, {PredictionKind::kValues}));
    if (width_ == 0) width_ = b.width;
    if (b.width != width_)
      return InvalidArgument("metric 'r2': " + std::to_string(b.width) +
                             " values per example after " + std::to_string(width_));
    values_.insert(values_.end(), b.values.begin(), b.values.end());
    targets_.insert(targets_.end(), b.target_values.begin(), b.target_values.end());
    return Status::Ok();
  }
  int64_t size() const override {
    return width_ ? static_cast<int64_t>(values_.size()) / width_ : 0;
  }
  double Compute(const std::vector<double>* weights) const override {
    const int64_t n = size();
    double total_r2 = 0;
    for (int64_t j = 0; j < width_; ++j) {
      double w_sum = 0, mean = 0;
      for (int64_t i = 0; i < n; ++i) {
        const double w = WeightOf(weights, i);
        w_sum += w;
        mean += w * targets_[i * width_ + j];
      }
      if (w_sum == 0) return std::numeric_limits<double>::quiet_NaN();
      mean /= w_sum;
      double ss_res = 0, ss_tot = 0;
      for (int64_t i = 0; i < n; ++i) {
        const double w = WeightOf(weights, i);
        const double y = targets_[i * width_ + j];
        ss_res += w * (y - values_[i * width_ + j]) * (y - values_[i * width_ + j]);
        ss_tot += w * (y - mean) * (y - mean);
      }
      total_r2 += ss_tot > 0 ? 1.0 - ss_res / ss_tot : (ss_res == 0 ? 1.0 : 0.0);
    }
    return width_ ? total_r2 / static_cast<double>(width_)
                  : std::numeric_limits<double>::quiet_NaN();
  }

 private:
  int64_t width_ = 0;
  std::vector<double> values_, targets_;
};

}  // namespace

std::unique_ptr<Metric> MakeRegressionMetric(const data::MetricSpec& spec) {
  if (spec.name == "mse") return std::make_unique<ValueError>("mse", true, false);
  if (spec.name == "rmse") return std::make_unique<ValueError>("rmse", true, true);
  if (spec.name == "mae") return std::make_unique<ValueError>("mae", false, false);
  if (spec.name == "r2") return std::make_unique<R2>();
  return nullptr;
}

}  // namespace shrink::eval::detail
