// The table of policy stage parsers: one line per stage kind.
#include <utility>

#include "pipeline/stage_config.h"
#include "pipeline/stages/configs.h"

namespace shrink::pipeline {
namespace {

const std::vector<std::pair<std::string, StageParser>>& Table() {
  static const std::vector<std::pair<std::string, StageParser>> t = {
      {"fold", ParseFoldStage},
      {"ptq", ParsePtqStage},
      {"weight_only", ParseWeightOnlyStage},
      {"search", ParseSearchStage},
  };
  return t;
}

}  // namespace

StageParser FindStageParser(const std::string& kind) {
  for (const auto& [k, p] : Table())
    if (k == kind) return p;
  return nullptr;
}

std::vector<std::string> StageKinds() {
  std::vector<std::string> k;
  for (const auto& [name, p] : Table()) k.push_back(name);
  return k;
}

}  // namespace shrink::pipeline
