#include "eval/evaluator.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>

#include "data/dataset.h"
#include "eval/bootstrap.h"
#include "eval/cohorts.h"
#include "eval/metric.h"
#include "eval/predictions.h"

namespace shrink::eval {
namespace {

void DrawBar(int64_t done, int64_t total) {
  constexpr int kWidth = 30;
  const int filled = total > 0 ? static_cast<int>(kWidth * done / total) : kWidth;
  std::fprintf(stderr, "\reval [%s%s] %lld/%lld", std::string(filled, '#').c_str(),
               std::string(kWidth - filled, '.').c_str(), static_cast<long long>(done),
               static_cast<long long>(total));
  if (done >= total) std::fprintf(stderr, "\n");
  std::fflush(stderr);
}

Expected<const NamedTensors::value_type*> SelectOutput(const NamedTensors& outputs,
                                                       const std::string& name) {
  if (outputs.empty()) return InvalidArgument("the model produced no outputs");
  if (name.empty()) return &outputs.front();
  std::string names;
  for (const auto& out : outputs) {
    if (out.first == name) return &out;
    names += (names.empty() ? "" : ", ") + out.first;
  }
  return InvalidArgument("model output '" + name + "' (task output.name) does not exist; the " +
                         "model's outputs are: " + names);
}

nlohmann::json MetricJson(const MetricResult& m) {
  return {{"name", m.name},
          {"value", m.value},
          {"ci_low", m.ci_low},
          {"ci_high", m.ci_high},
          {"higher_is_better", m.higher_is_better}};
}

struct Scoring {
  std::vector<std::unique_ptr<Metric>> metrics;  // [0] is the primary
  std::vector<data::MetricSpec> specs;
  std::vector<std::vector<std::string>> cohort_keys;  // per task cohort, one key per example
};

Expected<Scoring> MakeScoring(const data::TaskSpec& task) {
  Scoring s;
  s.specs.push_back(task.metric);
  s.specs.insert(s.specs.end(), task.extra_metrics.begin(), task.extra_metrics.end());
  for (const auto& spec : s.specs) {
    SHRINK_ASSIGN_OR_RETURN(auto m, CreateMetric(spec));
    s.metrics.push_back(std::move(m));
  }
  s.cohort_keys.resize(task.cohorts.size());
  return s;
}

std::vector<CohortResult> CohortValues(const data::TaskSpec& task, const Scoring& s) {
  std::vector<CohortResult> out;
  for (size_t c = 0; c < task.cohorts.size(); ++c) {
    const auto& keys = s.cohort_keys[c];
    std::vector<std::string> distinct(keys.begin(), keys.end());
    std::sort(distinct.begin(), distinct.end(), CohortKeyLess);
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    std::vector<double> weights(keys.size());
    for (const auto& key : distinct) {
      CohortResult r;
      r.cohort = task.cohorts[c].name;
      r.key = key;
      for (size_t i = 0; i < keys.size(); ++i) {
        weights[i] = keys[i] == key ? 1.0 : 0.0;
        r.examples += keys[i] == key ? 1 : 0;
      }
      r.value = s.metrics[0]->Compute(&weights);
      out.push_back(std::move(r));
    }
  }
  return out;
}

}  // namespace

nlohmann::json EvalResult::ToJson() const {
  nlohmann::json j;
  j["primary"] = MetricJson(primary);
  j["extra"] = nlohmann::json::array();
  for (const auto& m : extra) j["extra"].push_back(MetricJson(m));
  j["cohorts"] = nlohmann::json::array();
  for (const auto& c : cohorts)
    j["cohorts"].push_back(
        {{"cohort", c.cohort}, {"key", c.key}, {"examples", c.examples}, {"value", c.value}});
  j["examples"] = examples;
  j["seconds"] = seconds;
  return j;
}

Expected<EvalResult> Evaluate(const data::TaskSpec& task, const BatchRunner& run,
                              const EvalOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  SHRINK_ASSIGN_OR_RETURN(std::unique_ptr<data::Dataset> ds, data::OpenDataset(task.evaluation));
  const data::DatasetInfo& info = ds->info();
  const int64_t total = options.limit >= 0 ? std::min(options.limit, ds->size()) : ds->size();
  if (total == 0)
    return InvalidArgument("task '" + task.name + "': the evaluation split has no examples");
  const int64_t batch_size = options.batch_size > 0 ? options.batch_size : task.batch_size;
  if (batch_size <= 0) return InvalidArgument("batch size must be positive");
  SHRINK_ASSIGN_OR_RETURN(Scoring scoring, MakeScoring(task));
  const std::vector<std::string> charset = CtcCharset(task.output, info);
  const bool bar = !options.progress && options.progress_bar && isatty(STDERR_FILENO);

  EvalResult result;
  for (int64_t begin = 0; begin < total; begin += batch_size) {
    SHRINK_ASSIGN_OR_RETURN(data::Batch batch,
                            ds->GetBatch(begin, std::min(batch_size, total - begin)));
    if (batch.size() == 0) break;
    SHRINK_ASSIGN_OR_RETURN(NamedTensors outputs, run(batch.inputs));
    SHRINK_ASSIGN_OR_RETURN(const auto* out, SelectOutput(outputs, task.output.output));
    SHRINK_ASSIGN_OR_RETURN(Predictions preds, MapOutput(task.output, out->first, out->second,
                                                         batch, info.label_kind, charset));
    for (size_t m = 0; m < scoring.metrics.size(); ++m)
      SHRINK_RETURN_IF_ERROR(scoring.metrics[m]->Update(preds));
    for (size_t c = 0; c < task.cohorts.size(); ++c)
      SHRINK_RETURN_IF_ERROR(
          AppendCohortKeys(task.cohorts[c], batch, preds, &scoring.cohort_keys[c]));
    result.examples += batch.size();
    if (options.progress) options.progress(result.examples, total);
    if (bar) DrawBar(result.examples, total);
  }

  for (size_t m = 0; m < scoring.metrics.size(); ++m) {
    MetricResult r;
    r.name = scoring.specs[m].name;
    r.higher_is_better = scoring.specs[m].higher_is_better;
    r.value = r.ci_low = r.ci_high = scoring.metrics[m]->Result();
    if (m == 0 && options.bootstrap_samples > 0) {
      const Metric& metric = *scoring.metrics[0];
      const Interval ci = BootstrapInterval(
          metric.size(), options.bootstrap_samples, options.seed,
          [&](const std::vector<double>& counts) { return metric.Compute(&counts); });
      r.ci_low = ci.low;
      r.ci_high = ci.high;
    }
    if (m == 0) {
      result.primary = r;
    } else {
      result.extra.push_back(r);
    }
  }
  result.cohorts = CohortValues(task, scoring);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace shrink::eval
