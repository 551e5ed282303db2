// The metric registry: one line per name.
#include <functional>

#include "eval/metric_impl.h"

namespace shrink::eval {
namespace {

using Factory = std::function<std::unique_ptr<Metric>(const data::MetricSpec&)>;

struct Entry {
  const char* name;
  bool higher_is_better;
  Factory make;
};

const std::vector<Entry>& Table() {
  using namespace detail;  // NOLINT: the factories
  static const std::vector<Entry> table = {
      {"accuracy", true, MakeClassificationMetric},
      {"top1", true, MakeClassificationMetric},
      {"top5", true, MakeClassificationMetric},
      {"top_k", true, MakeClassificationMetric},
      {"log_loss", false, MakeClassificationMetric},
      {"cross_entropy", false, MakeClassificationMetric},
      {"perplexity", false, MakeClassificationMetric},
      {"precision", true, MakeConfusionMetric},
      {"precision_macro", true, MakeConfusionMetric},
      {"precision_micro", true, MakeConfusionMetric},
      {"recall", true, MakeConfusionMetric},
      {"recall_macro", true, MakeConfusionMetric},
      {"recall_micro", true, MakeConfusionMetric},
      {"f1", true, MakeConfusionMetric},
      {"f1_macro", true, MakeConfusionMetric},
      {"f1_micro", true, MakeConfusionMetric},
      {"roc_auc", true, MakeRocAuc},
      {"cer", false, MakeTextMetric},
      {"wer", false, MakeTextMetric},
      {"exact_match", true, MakeTextMetric},
      {"bleu", true, MakeOverlapMetric},
      {"rouge_l", true, MakeOverlapMetric},
      {"mean_iou", true, MakeMeanIou},
      {"mse", false, MakeRegressionMetric},
      {"mae", false, MakeRegressionMetric},
      {"rmse", false, MakeRegressionMetric},
      {"r2", true, MakeRegressionMetric},
  };
  return table;
}

const Entry* Find(const std::string& name) {
  for (const auto& e : Table())
    if (name == e.name) return &e;
  return nullptr;
}

}  // namespace

Expected<std::unique_ptr<Metric>> CreateMetric(const data::MetricSpec& spec) {
  const Entry* e = Find(spec.name);
  if (!e) return NotFound("unknown metric '" + spec.name + "'");
  auto m = e->make(spec);
  if (!m) return Internal("metric '" + spec.name + "' is registered but its factory declined");
  return m;
}

std::vector<std::string> MetricNames() {
  std::vector<std::string> out;
  for (const auto& e : Table()) out.push_back(e.name);
  return out;
}

Expected<bool> MetricHigherIsBetter(const std::string& name) {
  const Entry* e = Find(name);
  if (!e) return NotFound("unknown metric '" + name + "'");
  return e->higher_is_better;
}

}  // namespace shrink::eval
