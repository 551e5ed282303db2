#include "pipeline/stages/configs.h"

namespace shrink::pipeline {

nlohmann::json SearchConfig::ToJson() const {
  return {{"algorithm", algorithm},   {"objectives", objectives},
          {"per_layer", per_layer},   {"layer_choices", layer_choices},
          {"population", population}, {"sensitivity_samples", sensitivity_samples}};
}

std::unique_ptr<StageConfig> ParseSearchStage(const data::YamlValue& options) {
  auto c = std::make_unique<SearchConfig>();
  if (options.IsNull()) return c;
  data::YamlMap m = options.Map();
  for (const char* key : {"constraints", "budget"})
    if (m.Has(key))
      m.self().At(m.self().path() + "." + key).Fail("belongs at the top level of the policy");
  if (auto v = m.Optional("algorithm")) c->algorithm = v->Enum({"nsga2", "grid"});
  if (auto v = m.Optional("objectives")) {
    c->objectives = EnumChoices(*v, {"metric", "latency_ms_p50", "latency_ms_p95", "size_mb"});
    if (c->objectives.size() < 2) v->Fail("give at least two objectives");
  }
  if (auto v = m.Optional("per_layer")) c->per_layer = v->Bool();
  if (auto v = m.Optional("layer_choices")) {
    c->layer_choices = EnumChoices(*v, {"float", "int8", "w4a8", "int4"});
    if (c->layer_choices.size() < 2) v->Fail("give at least two layer choices");
  }
  if (auto v = m.Optional("population")) c->population = v->Int(4, 1024);
  if (auto v = m.Optional("sensitivity_samples")) c->sensitivity_samples = v->Int(0, 1 << 20);
  m.Finish();
  return c;
}

}  // namespace shrink::pipeline
