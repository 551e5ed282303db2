#include "pipeline/stages/configs.h"

namespace shrink::pipeline {

std::vector<Axis> WeightOnlyConfig::Axes() const {
  std::vector<Axis> a;
  auto add = [&](const char* name, size_t n) { a.push_back({name, static_cast<int>(n)}); };
  add("bits", bits.size());
  add("block_size", block_size.size());
  add("method", methods.size());
  add("symmetric", symmetric.size());
  add("embeddings", embeddings.size());
  return a;
}

nlohmann::json WeightOnlyConfig::ToJson() const {
  return {{"bits", bits},           {"block_size", block_size}, {"method", methods},
          {"symmetric", symmetric}, {"embeddings", embeddings}, {"exclude", exclude}};
}

std::unique_ptr<StageConfig> ParseWeightOnlyStage(const data::YamlValue& options) {
  auto c = std::make_unique<WeightOnlyConfig>();
  if (options.IsNull()) return c;
  data::YamlMap m = options.Map();
  if (auto v = m.Optional("bits")) {
    c->bits = IntChoices(*v, 4, 8);
    for (int64_t b : c->bits)
      if (b != 4 && b != 8) v->Fail("bits must be 4 or 8");
  }
  if (auto v = m.Optional("block_size")) {
    c->block_size = IntChoices(*v, 32, 128);
    for (int64_t b : c->block_size)
      if (b != 32 && b != 64 && b != 128) v->Fail("block_size must be 32, 64 or 128");
  }
  if (auto v = m.Optional("method")) c->methods = EnumChoices(*v, {"rtn", "gptq"});
  if (auto v = m.Optional("symmetric")) c->symmetric = BoolChoices(*v);
  if (auto v = m.Optional("embeddings")) c->embeddings = BoolChoices(*v);
  if (auto v = m.Optional("exclude")) c->exclude = v->StrList();
  m.Finish();
  return c;
}

}  // namespace shrink::pipeline
