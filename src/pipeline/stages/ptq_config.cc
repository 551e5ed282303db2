#include "pipeline/stages/configs.h"

namespace shrink::pipeline {

std::vector<Axis> PtqConfig::Axes() const {
  std::vector<Axis> a;
  auto add = [&](const char* name, size_t n) { a.push_back({name, static_cast<int>(n)}); };
  add("method", methods.size());
  add("per_channel", per_channel.size());
  add("symmetric", symmetric.size());
  add("activations", activations.size());
  add("dynamic", dynamic.size());
  add("keep_first_last", keep_first_last.size());
  return a;
}

nlohmann::json PtqConfig::ToJson() const {
  return {{"method", methods},
          {"percentile", percentile},
          {"per_channel", per_channel},
          {"symmetric", symmetric},
          {"activations", activations},
          {"dynamic", dynamic},
          {"keep_first_last", keep_first_last},
          {"exclude", exclude},
          {"op_types", op_types},
          {"format", format},
          {"calibration_samples", calibration_samples}};
}

std::unique_ptr<StageConfig> ParsePtqStage(const data::YamlValue& options) {
  auto c = std::make_unique<PtqConfig>();
  if (options.IsNull()) return c;
  data::YamlMap m = options.Map();
  if (auto v = m.Optional("method"))
    c->methods = EnumChoices(*v, {"minmax", "percentile", "entropy", "mse"});
  if (auto v = m.Optional("percentile")) c->percentile = v->Double(50, 100);
  if (auto v = m.Optional("per_channel")) c->per_channel = BoolChoices(*v);
  if (auto v = m.Optional("symmetric")) c->symmetric = BoolChoices(*v);
  if (auto v = m.Optional("activations")) c->activations = EnumChoices(*v, {"u8", "s8"});
  if (auto v = m.Optional("dynamic")) c->dynamic = BoolChoices(*v);
  if (auto v = m.Optional("keep_first_last")) c->keep_first_last = BoolChoices(*v);
  if (auto v = m.Optional("exclude")) c->exclude = v->StrList();
  if (auto v = m.Optional("op_types"))
    c->op_types = EnumChoices(*v, {"Conv", "MatMul", "Gemm", "Add", "Mul", "Concat", "AveragePool",
                                   "GlobalAveragePool", "MaxPool"});
  if (auto v = m.Optional("format")) c->format = v->Enum({"qdq", "qoperator"});
  if (auto v = m.Optional("calibration_samples")) c->calibration_samples = v->Int(1, 1 << 20);
  m.Finish();
  return c;
}

}  // namespace shrink::pipeline
