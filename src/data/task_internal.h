// Internal to the data part: pieces of the task-file parser (task.cc, task_dataset.cc). Every
// function throws shrink::Error with a "<file>:<line>:<col>: field '<path>': ..." message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "data/dataset.h"
#include "data/yaml_util.h"

namespace shrink::data::detail {

// Absolute, normalised path of `v`'s string resolved against `base_dir`. When `must_exist`, a
// missing file throws kNotFound naming the resolved path and the field.
std::string ResolveTaskPath(const YamlValue& v, const std::string& base_dir, bool must_exist);

// One dataset role (datasets.calibration etc.): `common` (datasets.common, may be absent) is
// applied first, then `role`. A role without a split name gets `default_split`; a split without
// a seed gets `seed`.
DatasetSpec ParseDatasetRole(const std::optional<YamlValue>& common, const YamlValue& role,
                             const std::string& default_split, uint64_t seed,
                             const std::string& base_dir);

}  // namespace shrink::data::detail
