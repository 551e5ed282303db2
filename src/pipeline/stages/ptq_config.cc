#include "pipeline/stages/configs.h"

namespace shrink::pipeline {

std::vector<Axis> PtqConfig::Axes() const {
  std::vector<Axis> a;
  auto add = [&](const char* name, size_t n) { a.push_back({name, static_cast<int>(n)}); };
  add("method", methods.size());
  add("per_channel", per_channel.size());
  add("symmetric", symmetric.size());
  add("reduce_range", reduce_range.size());
  add("activations", activations.size());
  add("dynamic", dynamic.size());
  add("keep_first_last", keep_first_last.size());
  add("quantize_outputs", quantize_outputs.size());
  add("fold_hardswish", fold_hardswish.size());
  add("cle", cle.size());
  add("bias_correction", bias_correction.size());
  add("smoothquant", smoothquant.size());
  add("weight_rounding", weight_rounding.size());
  return a;
}

nlohmann::json PtqConfig::ToJson() const {
  return {{"method", methods},
          {"percentile", percentile},
          {"per_channel", per_channel},
          {"symmetric", symmetric},
          {"reduce_range", reduce_range},
          {"activations", activations},
          {"dynamic", dynamic},
          {"keep_first_last", keep_first_last},
          {"quantize_outputs", quantize_outputs},
          {"fold_hardswish", fold_hardswish},
          {"cle", cle},
          {"bias_correction", bias_correction},
          {"smoothquant", smoothquant},
          {"weight_rounding", weight_rounding},
          {"exclude", exclude},
          {"op_types", op_types},
          {"format", format},
          {"calibration_samples", calibration_samples}};
}

namespace {
// `smoothquant: 0.5`, `[off, 0.5, 0.8]`: alphas in [0, 1]; off / false -> -1 (none).
std::vector<double> SmoothQuantChoices(const data::YamlValue& v) {
  std::vector<double> out;
  for (const data::YamlValue& item : v.IsSequence() ? v.Items() : std::vector<data::YamlValue>{v}) {
    const std::string s = item.Str();
    out.push_back(s == "off" || s == "false" || s == "no" ? -1.0 : item.Double(0, 1));
  }
  if (out.empty()) out.push_back(-1);
  return out;
}
}  // namespace

std::unique_ptr<StageConfig> ParsePtqStage(const data::YamlValue& options) {
  auto c = std::make_unique<PtqConfig>();
  if (options.IsNull()) return c;
  data::YamlMap m = options.Map();
  if (auto v = m.Optional("method"))
    c->methods = EnumChoices(*v, {"minmax", "percentile", "entropy", "mse"});
  if (auto v = m.Optional("percentile")) c->percentile = v->Double(50, 100);
  if (auto v = m.Optional("per_channel")) c->per_channel = BoolChoices(*v);
  if (auto v = m.Optional("symmetric")) c->symmetric = BoolChoices(*v);
  if (auto v = m.Optional("reduce_range")) c->reduce_range = BoolChoices(*v);
  if (auto v = m.Optional("activations")) c->activations = EnumChoices(*v, {"u8", "s8"});
  if (auto v = m.Optional("dynamic")) c->dynamic = BoolChoices(*v);
  if (auto v = m.Optional("keep_first_last")) c->keep_first_last = BoolChoices(*v);
  if (auto v = m.Optional("quantize_outputs")) c->quantize_outputs = BoolChoices(*v);
  if (auto v = m.Optional("fold_hardswish")) c->fold_hardswish = BoolChoices(*v);
  if (auto v = m.Optional("cle")) c->cle = BoolChoices(*v);
  if (auto v = m.Optional("bias_correction")) c->bias_correction = BoolChoices(*v);
  if (auto v = m.Optional("smoothquant")) c->smoothquant = SmoothQuantChoices(*v);
  if (auto v = m.Optional("weight_rounding")) c->weight_rounding = EnumChoices(*v, {"rtn", "gptq"});
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
