#include "pipeline/policy.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "data/yaml_util.h"

namespace shrink::pipeline {
namespace {

using data::YamlMap;
using data::YamlValue;

constexpr int64_t kSchemaVersion = 1;

search::Constraints ParseConstraints(const YamlValue& v) {
  search::Constraints c;
  YamlMap m = v.Map();
  auto read = [&](const char* key, std::optional<double>& out, double min, double max) {
    if (auto x = m.Optional(key)) out = x->Double(min, max);
  };
  read("max_metric_drop_pct", c.max_metric_drop_pct, 0, 100);
  read("max_latency_ms_p50", c.max_latency_ms_p50, 1e-6, 1e9);
  read("max_latency_ms_p95", c.max_latency_ms_p95, 1e-6, 1e9);
  read("min_compression_ratio", c.min_compression_ratio, 1, 1e6);
  read("max_size_mb", c.max_size_mb, 1e-6, 1e9);
  m.Finish();
  return c;
}

Budget ParseBudget(const YamlValue& v) {
  Budget b;
  YamlMap m = v.Map();
  if (auto x = m.Optional("trials")) b.trials = x->Int(1, 100000);
  if (auto x = m.Optional("max_minutes")) b.max_minutes = x->Double(0.01, 1e6);
  m.Finish();
  return b;
}

std::shared_ptr<const StageConfig> ParseStage(const YamlValue& v) {
  if (!v.IsMap())
    v.Fail("a stage is a one-key mapping such as `- ptq: {...}`, got " + v.Describe());
  YamlMap m = v.Map();
  const std::vector<std::string> keys = m.Keys();
  if (keys.size() != 1)
    v.Fail("a stage is a one-key mapping such as `- ptq: {...}`; this one has " +
           std::to_string(keys.size()) + " keys");
  const std::string kind = keys[0];
  StageParser parse = FindStageParser(kind);
  if (!parse) {
    std::string known;
    for (const std::string& k : StageKinds()) known += (known.empty() ? "" : ", ") + k;
    const auto hint = data::ClosestMatch(kind, StageKinds());
    v.At(v.path() + "." + kind)
        .Fail("unknown stage kind" + (hint ? " (did you mean '" + *hint + "'?)" : std::string()) +
              "; known: " + known);
  }
  return parse(m.Required(kind));
}

Policy ParseRoot(const YamlValue& root, Policy p) {
  YamlMap m = root.Map();
  p.version = m.Required("version").Int();
  if (p.version != kSchemaVersion)
    m.self().At("version").Fail("unsupported policy schema version " + std::to_string(p.version) +
                                " (this shrink reads version 1)");
  p.name = m.Required("name").NonEmptyStr();
  if (auto v = m.Optional("description")) p.description = v->Str();
  if (auto v = m.Optional("seed")) p.seed = static_cast<uint64_t>(v->Int(0));
  if (auto v = m.Optional("target_runtimes")) {
    p.target_runtimes = EnumChoices(*v, {"native", "onnxruntime"});
  }
  if (auto v = m.Optional("constraints")) p.constraints = ParseConstraints(*v);
  if (auto v = m.Optional("budget")) p.budget = ParseBudget(*v);
  if (auto v = m.Optional("report")) {
    YamlMap r = v->Map();
    if (auto x = r.Optional("cohort_tolerance_pct")) p.cohort_tolerance_pct = x->Double(0, 100);
    r.Finish();
  }
  const YamlValue stages = m.Required("stages");
  const std::vector<YamlValue> items = stages.Items();
  if (items.empty()) stages.Fail("give at least one stage");
  for (size_t i = 0; i < items.size(); ++i) {
    std::shared_ptr<const StageConfig> s = ParseStage(items[i]);
    if (p.Stage(s->kind())) items[i].Fail("stage '" + s->kind() + "' appears twice");
    if (!p.stages.empty() && p.stages.back()->kind() == "search")
      items[i - 1].Fail("`search` must be the last stage");
    p.stages.push_back(std::move(s));
  }
  m.Finish();
  return p;
}

}  // namespace

const StageConfig* Policy::Stage(const std::string& kind) const {
  for (const auto& s : stages)
    if (s->kind() == kind) return s.get();
  return nullptr;
}

nlohmann::json Policy::ToJson() const {
  nlohmann::json c = nlohmann::json::object();
  auto put = [&](const char* key, const std::optional<double>& v) {
    if (v) c[key] = *v;
  };
  put("max_metric_drop_pct", constraints.max_metric_drop_pct);
  put("max_latency_ms_p50", constraints.max_latency_ms_p50);
  put("max_latency_ms_p95", constraints.max_latency_ms_p95);
  put("min_compression_ratio", constraints.min_compression_ratio);
  put("max_size_mb", constraints.max_size_mb);
  nlohmann::json st = nlohmann::json::array();
  for (const auto& s : stages) st.push_back({{s->kind(), s->ToJson()}});
  return {{"version", version},
          {"name", name},
          {"seed", seed},
          {"target_runtimes", target_runtimes},
          {"constraints", c},
          {"budget", {{"trials", budget.trials}, {"max_minutes", budget.max_minutes}}},
          {"report", {{"cohort_tolerance_pct", cohort_tolerance_pct}}},
          {"stages", st}};
}

Expected<Policy> ParsePolicy(const std::string& text, const std::string& file_name) {
  try {
    Policy p;
    p.file = file_name;
    return ParseRoot(data::ParseYaml(text, file_name.empty() ? "<policy>" : file_name),
                     std::move(p));
  } catch (const Error& e) {
    return e.ToStatus();
  } catch (const std::exception& e) {
    return Internal(file_name + ": " + e.what());
  }
}

Expected<Policy> LoadPolicy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return NotFound(path + ": no such policy file");
    return IOError(path + ": cannot be read");
  }
  std::ostringstream os;
  os << in.rdbuf();
  return ParsePolicy(os.str(), path);
}

}  // namespace shrink::pipeline
