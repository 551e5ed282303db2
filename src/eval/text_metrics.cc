// cer, wer (corpus level: total edits / total reference symbols) and exact_match.
// An empty reference adds its prediction's length in edits and nothing to the denominator; when
// every weighted reference is empty the value is 0 without edits and the edit count otherwise
// (the denominator is taken as 1), so a model that invents text on blank lines is never perfect.
#include <algorithm>

#include "eval/edit_distance.h"
#include "eval/metric_impl.h"

namespace shrink::eval::detail {
namespace {

using data::PredictionKind;

class ErrorRate final : public RatioMetric {
 public:
  ErrorRate(std::string name, bool words)
      : RatioMetric(std::move(name), {PredictionKind::kText},
                    [](double num, double den) { return num / std::max(den, 1.0); }),
        words_(words) {}

 private:
  void Add(const Predictions& b, std::vector<double>* num, std::vector<double>* den) const final {
    for (int64_t i = 0; i < b.size; ++i) {
      const auto hyp = words_ ? Words(b.texts[i]) : Utf8Chars(b.texts[i]);
      const auto ref = words_ ? Words(b.targets[i]) : Utf8Chars(b.targets[i]);
      num->push_back(static_cast<double>(EditDistance(hyp, ref)));
      den->push_back(static_cast<double>(ref.size()));
    }
  }
  bool words_;
};

class ExactMatch final : public RatioMetric {
 public:
  ExactMatch()
      : RatioMetric("exact_match", {PredictionKind::kText},
                    [](double num, double den) { return num / den; }) {}

 private:
  void Add(const Predictions& b, std::vector<double>* num, std::vector<double>* den) const final {
    for (int64_t i = 0; i < b.size; ++i) {
      num->push_back(b.texts[i] == b.targets[i] ? 1.0 : 0.0);
      den->push_back(1.0);
    }
  }
};

}  // namespace

std::unique_ptr<Metric> MakeTextMetric(const data::MetricSpec& spec) {
  if (spec.name == "cer") return std::make_unique<ErrorRate>("cer", false);
  if (spec.name == "wer") return std::make_unique<ErrorRate>("wer", true);
  if (spec.name == "exact_match") return std::make_unique<ExactMatch>();
  return nullptr;
}

}  // namespace shrink::eval::detail
