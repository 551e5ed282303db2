#include "pipeline/stages/configs.h"

namespace shrink::pipeline {

nlohmann::json FoldConfig::ToJson() const { return {{"fuse", fuse}}; }

std::unique_ptr<StageConfig> ParseFoldStage(const data::YamlValue& options) {
  auto c = std::make_unique<FoldConfig>();
  if (options.IsNull()) return c;
  data::YamlMap m = options.Map();
  if (auto v = m.Optional("fuse")) c->fuse = v->Bool();
  m.Finish();
  return c;
}

}  // namespace shrink::pipeline
