// roc_auc: area under the ROC curve as the weighted Mann-Whitney statistic, P(score of a positive
// > score of a negative) with ties counting 1/2. Two classes: the score of class 1. More classes:
// the unweighted mean of one-vs-rest AUCs over the classes that have both positive and negative
// examples among those weighted (scikit-learn's multi_class="ovr", average="macro"). NaN when no
// class has both.
#include <algorithm>
#include <limits>
#include <numeric>

#include "eval/metric_impl.h"

namespace shrink::eval::detail {
namespace {

class RocAuc final : public Metric {
 public:
  Status Update(const Predictions& b) override {
    SHRINK_RETURN_IF_ERROR(CheckKind("roc_auc", b, {data::PredictionKind::kClass}));
    if (classes_ == 0) classes_ = b.num_classes;
    if (b.num_classes != classes_)
      return InvalidArgument("metric 'roc_auc': " + std::to_string(b.num_classes) +
                             " classes after " + std::to_string(classes_));
    labels_.insert(labels_.end(), b.labels.begin(), b.labels.end());
    scores_.insert(scores_.end(), b.scores.begin(), b.scores.end());
    order_.clear();
    return Status::Ok();
  }
  int64_t size() const override { return static_cast<int64_t>(labels_.size()); }

  double Compute(const std::vector<double>* weights) const override {
    if (classes_ == 2) return ClassAuc(1, weights);
    double sum = 0;
    int count = 0;
    for (int64_t c = 0; c < classes_; ++c) {
      const double auc = ClassAuc(c, weights);
      if (auc == auc) sum += auc, ++count;
    }
    return count ? sum / count : std::numeric_limits<double>::quiet_NaN();
  }

 private:
  float Score(size_t i, int64_t c) const { return scores_[i * classes_ + c]; }

  // Examples sorted by ascending score of class c (computed once, reused by the bootstrap).
  const std::vector<int32_t>& Order(int64_t c) const {
    if (order_.empty()) order_.resize(classes_);
    auto& o = order_[c];
    if (o.size() != labels_.size()) {
      o.resize(labels_.size());
      std::iota(o.begin(), o.end(), 0);
      std::stable_sort(o.begin(), o.end(),
                       [&](int32_t a, int32_t b) { return Score(a, c) < Score(b, c); });
    }
    return o;
  }

  double ClassAuc(int64_t c, const std::vector<double>* weights) const {
    const auto& o = Order(c);
    double neg_below = 0, pairs = 0, pos_total = 0;
    for (size_t g = 0; g < o.size();) {
      size_t e = g;
      double pos = 0, neg = 0;
      for (; e < o.size() && Score(o[e], c) == Score(o[g], c); ++e) {
        const double w = WeightOf(weights, o[e]);
        (labels_[o[e]] == c ? pos : neg) += w;
      }
      pairs += pos * neg_below + 0.5 * pos * neg;
      neg_below += neg;
      pos_total += pos;
      g = e;
    }
    if (pos_total == 0 || neg_below == 0) return std::numeric_limits<double>::quiet_NaN();
    return pairs / (pos_total * neg_below);
  }

  int64_t classes_ = 0;
  std::vector<int64_t> labels_;
  std::vector<float> scores_;
  mutable std::vector<std::vector<int32_t>> order_;
};

}  // namespace

std::unique_ptr<Metric> MakeRocAuc(const data::MetricSpec& spec) {
  return spec.name == "roc_auc" ? std::make_unique<RocAuc>() : nullptr;
}

}  // namespace shrink::eval::detail
