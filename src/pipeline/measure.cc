#include "pipeline/measure.h"

#include <filesystem>

#include "data/dataset.h"
#include "onnx/import.h"
#include "runtimes/feed_binding.h"

namespace shrink::pipeline {

namespace {

// Latency options for `model` on o.runtime, timing one real example (batch 1) of the evaluation
// split: realistic shapes and values.
Expected<runtimes::LatencyOptions> LatencyOptionsFor(const ir::Model& model,
                                                     const data::TaskSpec& task,
                                                     const MeasureOptions& o) {
  runtimes::LatencyOptions lo;
  lo.runtime = o.runtime;
  lo.threads = o.threads;
  lo.runs = o.latency_runs;
  lo.max_seconds = o.latency_seconds;
  SHRINK_ASSIGN_OR_RETURN(std::unique_ptr<data::Dataset> ds, data::OpenDataset(task.evaluation));
  SHRINK_ASSIGN_OR_RETURN(data::Batch batch, ds->GetBatch(0, 1));
  SHRINK_ASSIGN_OR_RETURN(lo.feeds, runtimes::BindInputs(*model.graph, batch.inputs));
  return lo;
}

}  // namespace

Expected<runtimes::PairedLatency> MeasureLatencyPairedFile(const std::string& path,
                                                           const data::TaskSpec& task,
                                                           const MeasureOptions& o,
                                                           const PairedBaseline& baseline) {
  SHRINK_ASSIGN_OR_RETURN(ir::Model model, onnx_io::LoadModel(path));
  SHRINK_ASSIGN_OR_RETURN(runtimes::LatencyOptions lo, LatencyOptionsFor(model, task, o));
  return runtimes::MeasureLatencyPaired(model, path, *baseline.model, baseline.path, lo);
}

Expected<Figures> MeasureModelFile(const std::string& path, const data::TaskSpec& task,
                                   const MeasureOptions& o, const PairedBaseline* baseline) {
  Figures f;
  std::error_code ec;
  f.size_bytes = static_cast<int64_t>(std::filesystem::file_size(path, ec));
  if (ec) return NotFound(path + ": " + ec.message());
  SHRINK_ASSIGN_OR_RETURN(ir::Model model, onnx_io::LoadModel(path));
  runtimes::EvaluateOptions eo;
  eo.runtime = o.runtime;
  eo.threads = o.threads;
  eo.eval.limit = o.eval_limit;
  eo.eval.progress_bar = o.progress_bar;
  // ORT reads the file itself; the other runtimes reuse the model loaded above.
  SHRINK_ASSIGN_OR_RETURN(f.eval, o.runtime == runtimes::RuntimeKind::kOnnxRuntime
                                      ? runtimes::EvaluateModelFile(path, task, eo)
                                      : runtimes::EvaluateModel(model, task, eo));
  SHRINK_ASSIGN_OR_RETURN(runtimes::LatencyOptions lo, LatencyOptionsFor(model, task, o));
  if (!baseline) {
    SHRINK_ASSIGN_OR_RETURN(f.latency, runtimes::MeasureLatency(model, path, lo));
    return f;
  }
  SHRINK_ASSIGN_OR_RETURN(
      runtimes::PairedLatency p,
      runtimes::MeasureLatencyPaired(model, path, *baseline->model, baseline->path, lo));
  f.latency = p.a;
  f.paired_baseline_p50_ms = p.b.p50_ms;
  return f;
}

nlohmann::json FiguresToJson(const Figures& f) {
  nlohmann::json cohorts = nlohmann::json::array();
  for (const eval::CohortResult& c : f.eval.cohorts)
    cohorts.push_back(
        {{"cohort", c.cohort}, {"key", c.key}, {"examples", c.examples}, {"value", c.value}});
  nlohmann::json extra = nlohmann::json::array();
  for (const eval::MetricResult& m : f.eval.extra)
    extra.push_back(
        {{"name", m.name}, {"value", m.value}, {"higher_is_better", m.higher_is_better}});
  return {{"metric",
           {{"name", f.eval.primary.name},
            {"value", f.eval.primary.value},
            {"ci_low", f.eval.primary.ci_low},
            {"ci_high", f.eval.primary.ci_high},
            {"higher_is_better", f.eval.primary.higher_is_better}}},
          {"extra", extra},
          {"cohorts", cohorts},
          {"examples", f.eval.examples},
          {"latency",
           {{"p50_ms", f.latency.p50_ms},
            {"p95_ms", f.latency.p95_ms},
            {"mean_ms", f.latency.mean_ms},
            {"runs", f.latency.runs},
            {"throughput_per_s", f.latency.throughput_per_s},
            {"peak_memory_bytes", f.latency.peak_memory_bytes}}},
          {"size_bytes", f.size_bytes},
          {"paired_baseline_p50_ms", f.paired_baseline_p50_ms}};
}

Expected<Figures> FiguresFromJson(const nlohmann::json& j) {
  try {
    Figures f;
    const auto& m = j.at("metric");
    f.eval.primary = {m.at("name"), m.at("value"), m.at("ci_low"), m.at("ci_high"),
                      m.at("higher_is_better")};
    for (const auto& e : j.at("extra"))
      f.eval.extra.push_back(
          {e.at("name"), e.at("value"), e.at("value"), e.at("value"), e.at("higher_is_better")});
    for (const auto& c : j.at("cohorts"))
      f.eval.cohorts.push_back({c.at("cohort"), c.at("key"), c.at("examples"), c.at("value")});
    f.eval.examples = j.at("examples");
    const auto& l = j.at("latency");
    f.latency = {l.at("runs"),    l.at("p50_ms"),           l.at("p95_ms"),
                 l.at("mean_ms"), l.at("throughput_per_s"), l.value("peak_memory_bytes", -1)};
    f.size_bytes = j.at("size_bytes");
    f.paired_baseline_p50_ms = j.value("paired_baseline_p50_ms", 0.0);
    return f;
  } catch (const nlohmann::json::exception& e) {
    return Corrupt(std::string("measurement record: ") + e.what());
  }
}

search::Measurement ToMeasurement(const Figures& f, const Figures& base) {
  search::Measurement m;
  m.metric = f.eval.primary.value;
  m.metric_drop_pct = search::MetricDropPct(base.eval.primary.value, f.eval.primary.value,
                                            f.eval.primary.higher_is_better);
  m.latency_ms_p50 = f.latency.p50_ms;
  m.latency_ms_p95 = f.latency.p95_ms;
  m.size_mb = static_cast<double>(f.size_bytes) / 1e6;
  m.compression_ratio =
      f.size_bytes > 0 ? static_cast<double>(base.size_bytes) / static_cast<double>(f.size_bytes)
                       : 0;
  return m;
}

}  // namespace shrink::pipeline
