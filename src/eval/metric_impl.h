// Internal to eval/: the factories behind the metric registry (one family per file) and the
// shared per-example base classes.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "eval/metric.h"

namespace shrink::eval::detail {

// Mean-style metrics: each example contributes (numerator, denominator); the value is
// finish(sum w*num, sum w*den) (NaN when no example is weighted). Subclasses implement Add.
class RatioMetric : public Metric {
 public:
  using Finish = std::function<double(double num, double den)>;
  RatioMetric(std::string name, std::vector<data::PredictionKind> accepted, Finish finish)
      : name_(std::move(name)), accepted_(std::move(accepted)), finish_(std::move(finish)) {}
  Status Update(const Predictions& batch) final;
  int64_t size() const final { return static_cast<int64_t>(num_.size()); }
  double Compute(const std::vector<double>* weights) const final;

 protected:
  // Appends the batch's per-example (num, den).
  virtual void Add(const Predictions& batch, std::vector<double>* num,
                   std::vector<double>* den) const = 0;

 private:
  std::string name_;
  std::vector<data::PredictionKind> accepted_;
  Finish finish_;
  std::vector<double> num_, den_;
};

// kInvalidArgument unless the batch's prediction kind is one of `accepted`.
Status CheckKind(const std::string& name, const Predictions& batch,
                 const std::vector<data::PredictionKind>& accepted);

double WeightOf(const std::vector<double>* weights, size_t i);

// Factories, one family per file. `spec.name` picks the member of the family.
// top1/top5/top_k, accuracy, log_loss, cross_entropy, perplexity
std::unique_ptr<Metric> MakeClassificationMetric(const data::MetricSpec& spec);
std::unique_ptr<Metric> MakeConfusionMetric(const data::MetricSpec& spec);  // precision/recall/f1
std::unique_ptr<Metric> MakeRocAuc(const data::MetricSpec& spec);
std::unique_ptr<Metric> MakeTextMetric(const data::MetricSpec& spec);  // cer, wer, exact_match
std::unique_ptr<Metric> MakeRegressionMetric(const data::MetricSpec& spec);  // mse ... r2
std::unique_ptr<Metric> MakeOverlapMetric(const data::MetricSpec& spec);     // bleu, rouge_l
std::unique_ptr<Metric> MakeMeanIou(const data::MetricSpec& spec);

}  // namespace shrink::eval::detail
