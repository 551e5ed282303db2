#include "report/report_data.h"

#include <cmath>
#include <fstream>
#include <sstream>

namespace shrink::report {
namespace {

nlohmann::json Num(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }
double Num(const nlohmann::json& j, const char* key) {
  const auto& v = j.at(key);
  return v.is_null() ? NAN : v.get<double>();
}

nlohmann::json RowJson(const CandidateRow& r) {
  return {{"id", r.id},
          {"description", r.description},
          {"metric", Num(r.metric)},
          {"metric_drop_pct", Num(r.metric_drop_pct)},
          {"latency_ms_p50", Num(r.latency_ms_p50)},
          {"latency_ms_p95", Num(r.latency_ms_p95)},
          {"throughput_qps", Num(r.throughput_qps)},
          {"size_mb", Num(r.size_mb)},
          {"compression_ratio", Num(r.compression_ratio)},
          {"speedup", Num(r.speedup)},
          {"feasible", r.feasible},
          {"violations", r.violations},
          {"pareto", r.pareto},
          {"recommended", r.recommended}};
}

CandidateRow RowFrom(const nlohmann::json& j) {
  CandidateRow r;
  r.id = j.at("id").get<std::string>();
  r.description = j.value("description", "");
  r.metric = Num(j, "metric");
  r.metric_drop_pct = Num(j, "metric_drop_pct");
  r.latency_ms_p50 = Num(j, "latency_ms_p50");
  r.latency_ms_p95 = Num(j, "latency_ms_p95");
  r.throughput_qps = Num(j, "throughput_qps");
  r.size_mb = Num(j, "size_mb");
  r.compression_ratio = Num(j, "compression_ratio");
  r.speedup = j.contains("speedup") ? Num(j, "speedup") : 1.0;
  r.feasible = j.value("feasible", true);
  r.violations = j.value("violations", std::vector<std::string>{});
  r.pareto = j.value("pareto", false);
  r.recommended = j.value("recommended", false);
  return r;
}

nlohmann::json PerRuntimeJson(const std::vector<RuntimeArtifact>& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const RuntimeArtifact& r : rows)
    out.push_back(
        {{"runtime", r.runtime}, {"candidate", r.candidate}, {"path", r.path}, {"note", r.note}});
  return out;
}

}  // namespace

const CandidateRow* ReportData::Recommended() const {
  for (const CandidateRow& c : candidates)
    if (c.recommended) return &c;
  return nullptr;
}

nlohmann::json ReportData::ToJson() const {
  nlohmann::json cands = nlohmann::json::array(), ls = nlohmann::json::array(),
                 cs = nlohmann::json::array();
  for (const CandidateRow& c : candidates) cands.push_back(RowJson(c));
  for (const LayerRow& l : layers)
    ls.push_back({{"layer", l.layer},
                  {"op_type", l.op_type},
                  {"sqnr_db", Num(l.sqnr_db)},
                  {"sensitivity_pct", Num(l.sensitivity_pct)}});
  for (const CohortRow& c : cohorts)
    cs.push_back({{"cohort", c.cohort},
                  {"key", c.key},
                  {"examples", c.examples},
                  {"baseline", Num(c.baseline)},
                  {"compressed", Num(c.compressed)},
                  {"flagged", c.flagged}});
  return {{"job", job},
          {"model", model},
          {"task", task},
          {"runtime", runtime},
          {"created_at", created_at},
          {"machine", machine},
          {"metric", metric},
          {"higher_is_better", higher_is_better},
          {"baseline", RowJson(baseline)},
          {"candidates", cands},
          {"layers", ls},
          {"cohorts", cs},
          {"risk_flags", risk_flags},
          {"recommendation", recommendation},
          {"per_runtime", PerRuntimeJson(per_runtime)},
          {"cost",
           {{"qps", cost.qps},
            {"price_per_instance_hour", cost.price_per_instance_hour},
            {"threads_per_instance", cost.threads_per_instance}}},
          {"lineage", lineage}};
}

Expected<ReportData> ReportData::FromJson(const nlohmann::json& j) {
  try {
    ReportData d;
    d.job = j.at("job").get<std::string>();
    d.model = j.value("model", "");
    d.task = j.value("task", "");
    d.runtime = j.value("runtime", "native");
    d.created_at = j.value("created_at", "");
    d.machine = j.value("machine", "");
    d.metric = j.at("metric").get<std::string>();
    d.higher_is_better = j.value("higher_is_better", true);
    d.baseline = RowFrom(j.at("baseline"));
    for (const auto& c : j.value("candidates", nlohmann::json::array()))
      d.candidates.push_back(RowFrom(c));
    for (const auto& l : j.value("layers", nlohmann::json::array()))
      d.layers.push_back({l.at("layer").get<std::string>(), l.value("op_type", ""),
                          Num(l, "sqnr_db"), Num(l, "sensitivity_pct")});
    for (const auto& c : j.value("cohorts", nlohmann::json::array()))
      d.cohorts.push_back({c.at("cohort").get<std::string>(), c.at("key").get<std::string>(),
                           c.value("examples", int64_t{0}), Num(c, "baseline"),
                           Num(c, "compressed"), c.value("flagged", false)});
    d.risk_flags = j.value("risk_flags", std::vector<std::string>{});
    d.recommendation = j.value("recommendation", "");
    for (const auto& r : j.value("per_runtime", nlohmann::json::array()))
      d.per_runtime.push_back({r.at("runtime").get<std::string>(), r.value("candidate", ""),
                               r.value("path", ""), r.value("note", "")});
    if (j.contains("cost")) {
      const auto& c = j.at("cost");
      d.cost = {c.value("qps", 100.0), c.value("price_per_instance_hour", 0.5),
                c.value("threads_per_instance", 2)};
    }
    d.lineage = j.value("lineage", nlohmann::json::object());
    return d;
  } catch (const nlohmann::json::exception& e) {
    return Corrupt(std::string("report data: ") + e.what());
  }
}

Expected<ReportData> LoadReportData(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return NotFound(path + ": no such file (run a compression job first)");
  std::stringstream ss;
  ss << f.rdbuf();
  nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded()) return Corrupt(path + ": not JSON");
  Expected<ReportData> d = ReportData::FromJson(j);
  if (!d.ok()) return Corrupt(path + ": " + d.status().message());
  return d;
}

}  // namespace shrink::report
