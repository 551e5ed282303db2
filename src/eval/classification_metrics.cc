// top1 / top5 / top_k, accuracy, log_loss, cross_entropy and perplexity: per-example means (class
// predictions) or per-token ratios (next-token predictions, summed over each sequence).
#include <algorithm>
#include <cmath>
#include <limits>

#include "eval/metric_impl.h"

namespace shrink::eval::detail {
namespace {

using data::PredictionKind;

double Ratio(double num, double den) {
  return den > 0 ? num / den : std::numeric_limits<double>::quiet_NaN();
}

// 1 when the label ranks among the k best scores. Ties rank the lower class id first, as argmax
// does; k == 1 uses the mapped prediction (the threshold of sigmoid_threshold).
double TopKHit(const Predictions& b, int64_t i, int64_t k) {
  if (k == 1) return b.predicted[i] == b.labels[i] ? 1.0 : 0.0;
  const float* row = b.ScoreRow(i);
  const int64_t label = b.labels[i];
  int64_t rank = 0;
  for (int64_t j = 0; j < b.num_classes; ++j)
    if (row[j] > row[label] || (row[j] == row[label] && j < label)) ++rank;
  return rank < k ? 1.0 : 0.0;
}

constexpr double kMinProb = 1e-15;  // log_loss clips p like scikit-learn

class TopK final : public RatioMetric {
 public:
  TopK(std::string name, int64_t k, std::vector<PredictionKind> accepted)
      : RatioMetric(std::move(name), std::move(accepted), Ratio), k_(k) {}

 private:
  void Add(const Predictions& b, std::vector<double>* num, std::vector<double>* den) const final {
    for (int64_t i = 0; i < b.size; ++i) {
      if (b.kind == PredictionKind::kTokens) {
        num->push_back(static_cast<double>(b.correct[i]));
        den->push_back(static_cast<double>(b.tokens[i]));
      } else {
        num->push_back(TopKHit(b, i, k_));
        den->push_back(1.0);
      }
    }
  }
  int64_t k_;
};

// Mean negative log-likelihood per example (class) or per token (tokens); `finish` maps it.
class Nll final : public RatioMetric {
 public:
  Nll(std::string name, std::vector<PredictionKind> accepted, Finish finish)
      : RatioMetric(std::move(name), std::move(accepted), std::move(finish)) {}

 private:
  void Add(const Predictions& b, std::vector<double>* num, std::vector<double>* den) const final {
    for (int64_t i = 0; i < b.size; ++i) {
      if (b.kind == PredictionKind::kTokens) {
        num->push_back(b.nll[i]);
        den->push_back(static_cast<double>(b.tokens[i]));
      } else {
        const double p = b.ScoreRow(i)[b.labels[i]];
        num->push_back(-std::log(std::clamp(p, kMinProb, 1.0 - kMinProb)));
        den->push_back(1.0);
      }
    }
  }
};

}  // namespace

std::unique_ptr<Metric> MakeClassificationMetric(const data::MetricSpec& spec) {
  const std::string& n = spec.name;
  if (n == "top1") return std::make_unique<TopK>(n, 1, std::vector{PredictionKind::kClass});
  if (n == "top5") return std::make_unique<TopK>(n, 5, std::vector{PredictionKind::kClass});
  if (n == "top_k")
    return std::make_unique<TopK>(n, std::max<int64_t>(1, spec.k),
                                  std::vector{PredictionKind::kClass});
  if (n == "accuracy")
    return std::make_unique<TopK>(n, 1,
                                  std::vector{PredictionKind::kClass, PredictionKind::kTokens});
  if (n == "log_loss") return std::make_unique<Nll>(n, std::vector{PredictionKind::kClass}, Ratio);
  if (n == "cross_entropy")
    return std::make_unique<Nll>(n, std::vector{PredictionKind::kClass, PredictionKind::kTokens},
                                 Ratio);
  if (n == "perplexity")
    return std::make_unique<Nll>(n, std::vector{PredictionKind::kTokens},
                                 [](double num, double den) { return std::exp(Ratio(num, den)); });
  return nullptr;
}

}  // namespace shrink::eval::detail
