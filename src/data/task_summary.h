// Human- and machine-readable views of a validated TaskSpec (for `shrink task validate`, reports
// and lineage records).
//
// Contract: TaskToJson is a faithful, stable dump of every TaskSpec field that a task file can set
// (datasets with their format options, output mapping, metrics, cohorts); charsets longer than 64
// symbols are summarised by their size only. TaskSummaryText is a short multi-line overview.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "data/dataset.h"
#include "data/task.h"

namespace shrink::data {

nlohmann::json DatasetSpecToJson(const DatasetSpec& spec);
nlohmann::json TaskToJson(const TaskSpec& task);
std::string TaskSummaryText(const TaskSpec& task);

}  // namespace shrink::data
