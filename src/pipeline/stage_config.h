// Stage configurations: what one policy stage asks for, parsed from YAML by a parser registered
// under the stage's key ("fold", "ptq", "weight_only", "search", later "prune", "lowrank", ...).
//
// Contract:
// - A policy stage is a one-key mapping `- <kind>: {options}`; the registered parser for <kind>
//   reads the options through data::YamlMap (so unknown keys and bad values fail with
//   file:line:col and the field path) and returns its typed config.
// - Options that the search may explore accept a scalar or a list of values; Axes() names every
//   such option with its number of values (1 = fixed), so the pipeline can enumerate or search
//   the product of the stages' axes. In ToJson() these options are always lists.
// - ToJson() reproduces the parsed options (for the job's lineage and report).
// - One line in stage_registry.cc's table registers a parser (a table, not static initialisers:
//   nothing depends on link order or whole-archive linking).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/yaml_util.h"

namespace shrink::pipeline {

struct Axis {
  std::string option;  // e.g. "method"
  int size = 1;        // number of values
};

class StageConfig {
 public:
  virtual ~StageConfig() = default;
  virtual std::string kind() const = 0;
  virtual std::vector<Axis> Axes() const { return {}; }
  virtual nlohmann::json ToJson() const = 0;
};

// Parses the options mapping of one stage. Throws shrink::Error (yaml_util style) on bad input.
using StageParser = std::unique_ptr<StageConfig> (*)(const data::YamlValue& options);

// nullptr when no parser is registered for `kind` (stage_registry.cc).
StageParser FindStageParser(const std::string& kind);
std::vector<std::string> StageKinds();  // in table order

// Helpers for stage parsers: a scalar or a non-empty list of distinct values.
std::vector<std::string> EnumChoices(const data::YamlValue& v,
                                     std::initializer_list<std::string_view> allowed);
std::vector<bool> BoolChoices(const data::YamlValue& v);
std::vector<int64_t> IntChoices(const data::YamlValue& v, int64_t min, int64_t max);
std::vector<double> DoubleChoices(const data::YamlValue& v, double min, double max);

}  // namespace shrink::pipeline
