// precision, recall and f1 from weighted confusion counts.
// "precision"/"recall"/"f1": binary scores of class 1 when the output has two classes (sigmoid or
// two logits), else the macro average. "_macro": unweighted mean over the classes that occur as a
// label or a prediction; "_micro": from the summed counts (equals accuracy for single-label data).
// A ratio with a zero denominator counts as 0 (scikit-learn's zero_division=0).
#include <cmath>
#include <limits>

#include "eval/metric_impl.h"

namespace shrink::eval::detail {
namespace {

using data::PredictionKind;

enum class Score { kPrecision, kRecall, kF1 };
enum class Average { kAuto, kMacro, kMicro };

double Div(double a, double b) { return b > 0 ? a / b : 0.0; }

double ScoreOf(Score s, double tp, double fp, double fn) {
  const double p = Div(tp, tp + fp), r = Div(tp, tp + fn);
  switch (s) {
    case Score::kPrecision:
      return p;
    case Score::kRecall:
      return r;
    case Score::kF1:
      return Div(2 * p * r, p + r);
  }
  return 0;
}

class Confusion final : public Metric {
 public:
  Confusion(std::string name, Score score, Average average)
      : name_(std::move(name)), score_(score), average_(average) {}

  Status Update(const Predictions& b) override {
    SHRINK_RETURN_IF_ERROR(CheckKind(name_, b, {PredictionKind::kClass}));
    classes_ = std::max(classes_, b.num_classes);
    labels_.insert(labels_.end(), b.labels.begin(), b.labels.end());
    predicted_.insert(predicted_.end(), b.predicted.begin(), b.predicted.end());
    return Status::Ok();
  }
  int64_t size() const override { return static_cast<int64_t>(labels_.size()); }

  double Compute(const std::vector<double>* weights) const override {
    std::vector<double> tp(classes_), fp(classes_), fn(classes_), seen(classes_);
    double total = 0;
    for (size_t i = 0; i < labels_.size(); ++i) {
      const double w = WeightOf(weights, i);
      if (w == 0) continue;
      total += w;
      const int64_t y = labels_[i], p = predicted_[i];
      seen[y] = seen[p] = 1;
      if (y == p) {
        tp[y] += w;
      } else {
        fp[p] += w;
        fn[y] += w;
      }
    }
    if (total == 0) return std::numeric_limits<double>::quiet_NaN();
    if (average_ == Average::kAuto && classes_ == 2) return ScoreOf(score_, tp[1], fp[1], fn[1]);
    if (average_ == Average::kMicro) {
      double stp = 0, sfp = 0, sfn = 0;
      for (int64_t c = 0; c < classes_; ++c) stp += tp[c], sfp += fp[c], sfn += fn[c];
      return ScoreOf(score_, stp, sfp, sfn);
    }
    double sum = 0, count = 0;
    for (int64_t c = 0; c < classes_; ++c) {
      if (!seen[c]) continue;
      sum += ScoreOf(score_, tp[c], fp[c], fn[c]);
      count += 1;
    }
    return sum / count;
  }

 private:
  std::string name_;
  Score score_;
  Average average_;
  int64_t classes_ = 0;
  std::vector<int64_t> labels_, predicted_;
};

}  // namespace

std::unique_ptr<Metric> MakeConfusionMetric(const data::MetricSpec& spec) {
  const std::string& n = spec.name;
  const std::string base = n.substr(0, n.find('_'));
  const std::string suffix = n.size() > base.size() ? n.substr(base.size()) : "";
  Score score;
  if (base == "precision") {
    score = Score::kPrecision;
  } else if (base == "recall") {
    score = Score::kRecall;
  } else if (base == "f1") {
    score = Score::kF1;
  } else {
    return nullptr;
  }
  if (suffix.empty()) return std::make_unique<Confusion>(n, score, Average::kAuto);
  if (suffix == "_macro") return std::make_unique<Confusion>(n, score, Average::kMacro);
  if (suffix == "_micro") return std::make_unique<Confusion>(n, score, Average::kMicro);
  return nullptr;
}

}  // namespace shrink::eval::detail
