// The trial log of a search: one JSON object per line (JSONL), appended and flushed to disk after
// every trial, so that an interrupted job (Ctrl-C, kill, power loss) resumes without repeating a
// finished trial.
//
// Contract:
// - Open() reads the existing records in order and positions for appending. A last line without
//   its newline (a write cut short by a kill) is dropped and truncated away, and reported in
//   dropped_partial(); any other malformed line is kCorrupt naming the file and line.
// - Append() writes one line and fsyncs before returning; the record's index must be the next one
//   (records().size()), else kInvalidArgument.
// - Objectives are stored as numbers; NaN/Inf (a failed measurement) are stored as null and read
//   back as NaN.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "search/nsga2.h"

namespace shrink::search {

struct TrialRecord {
  int64_t index = 0;
  Genome genome;
  nlohmann::json config;  // what the genome means (stage choices), for people and lineage
  nlohmann::json result;  // measured figures
  Objectives objectives;  // minimised
  bool ok = true;
  std::string error;  // when !ok
  double seconds = 0;

  nlohmann::json ToJson() const;
  static Expected<TrialRecord> FromJson(const nlohmann::json& j);
};

class TrialLog {
 public:
  static Expected<TrialLog> Open(const std::string& path);

  const std::vector<TrialRecord>& records() const { return records_; }
  bool dropped_partial() const { return dropped_partial_; }
  const std::string& path() const { return path_; }
  Status Append(const TrialRecord& r);

 private:
  std::string path_;
  std::vector<TrialRecord> records_;
  bool dropped_partial_ = false;
};

}  // namespace shrink::search
