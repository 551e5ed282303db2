// mean_iou: Jaccard index per class from a weighted confusion matrix, averaged over the classes
// present (those with a non-empty union: occurring as a label or a prediction).
// Segmentation predictions (output.mapping segmentation) contribute one count per labelled pixel;
// pixels whose label is outside [0, num_classes) (e.g. 255 "void") are ignored. Class predictions
// contribute one count per example. Each example keeps its sparse (label, predicted, count) cells,
// so cohorts and the bootstrap can reweight whole images. No labelled pixel weighted -> NaN.
#include <limits>
#include <map>
#include <utility>

#include "eval/metric_impl.h"

namespace shrink::eval::detail {
namespace {

struct Cell {
  int64_t label, predicted;
  double count;
};

class MeanIou final : public Metric {
 public:
  Status Update(const Predictions& b) override {
    SHRINK_RETURN_IF_ERROR(CheckKind(
        "mean_iou", b, {data::PredictionKind::kSegmentation, data::PredictionKind::kClass}));
    const int64_t width = b.kind == data::PredictionKind::kClass ? 1 : b.width;
    if (static_cast<int64_t>(b.labels.size()) != b.size * width ||
        b.predicted.size() != b.labels.size())
      return InvalidArgument("mean_iou: the batch does not hold one label and prediction per " +
                             std::string(width > 1 ? "pixel" : "example"));
    for (int64_t i = 0; i < b.size; ++i) {
      std::map<std::pair<int64_t, int64_t>, double> cells;
      for (int64_t k = i * width; k < (i + 1) * width; ++k) {
        if (b.labels[k] < 0 || b.labels[k] >= b.num_classes) continue;
        cells[{b.labels[k], b.predicted[k]}] += 1;
      }
      std::vector<Cell> row;
      for (const auto& [key, count] : cells) row.push_back({key.first, key.second, count});
      examples_.push_back(std::move(row));
    }
    return Status::Ok();
  }
  int64_t size() const override { return static_cast<int64_t>(examples_.size()); }
  double Compute(const std::vector<double>* weights) const override {
    std::map<int64_t, double> tp, labelled, predicted;
    for (size_t i = 0; i < examples_.size(); ++i) {
      const double w = WeightOf(weights, i);
      if (w == 0) continue;
      for (const Cell& c : examples_[i]) {
        labelled[c.label] += w * c.count;
        predicted[c.predicted] += w * c.count;
        if (c.label == c.predicted) tp[c.label] += w * c.count;
      }
    }
    std::map<int64_t, double> unions = labelled;
    for (const auto& [c, n] : predicted) unions[c] += n;
    double sum = 0;
    int64_t classes = 0;
    for (const auto& [c, u] : unions) {
      const double inter = tp.count(c) ? tp.at(c) : 0.0;
      if (u - inter <= 0 && inter <= 0) continue;
      sum += inter / (u - inter);
      ++classes;
    }
    return classes > 0 ? sum / static_cast<double>(classes)
                       : std::numeric_limits<double>::quiet_NaN();
  }

 private:
  std::vector<std::vector<Cell>> examples_;
};

}  // namespace

std::unique_ptr<Metric> MakeMeanIou(const data::MetricSpec& spec) {
  if (spec.name == "mean_iou") return std::make_unique<MeanIou>();
  return nullptr;
}

}  // namespace shrink::eval::detail
