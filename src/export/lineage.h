// Lineage: everything needed to say where an artifact came from and to reproduce it.
//
// Contract:
// - Inputs (model, datasets, task and policy files) are recorded by role with path, size and
//   SHA-256 (AddInput hashes the file; a missing file -> kNotFound naming the role). A folder
//   input (an image dataset) is hashed as the sorted list of its regular files' relative paths and
//   hashes, so renaming or editing any file changes it.
// - Seeds, shrink version and git revision, library versions (filled by the caller: each part
//   knows its own library), the machine, thread count, the command line and per-stage wall times.
// - ToJson() is the `lineage` object of artifact metadata; two runs with equal
//   ReproducibilityKey() (inputs, seeds, version, revision, options) must produce the same
//   artifact bytes.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "export/machine_info.h"

namespace shrink::exporting {

struct InputRecord {
  std::string role;  // "model", "task", "policy", "dataset:evaluation", ...
  std::string path;
  int64_t bytes = 0;
  std::string sha256;
};

struct StageTiming {
  std::string stage;
  double seconds = 0;
};

struct Lineage {
  std::vector<InputRecord> inputs;
  std::map<std::string, uint64_t> seeds;
  std::map<std::string, std::string> libraries;       // name -> version
  nlohmann::json options = nlohmann::json::object();  // the resolved configuration
  std::string shrink_version;
  std::string git_revision;
  MachineInfo machine;
  int threads = 0;
  std::string command_line;
  std::string started_at;  // UTC, ISO 8601
  std::vector<StageTiming> stages;

  // Version, revision, machine and start time filled from this process.
  static Lineage ForThisProcess();
  Status AddInput(const std::string& role, const std::string& path);
  nlohmann::json ToJson() const;
  // SHA-256 over the inputs' hashes, seeds, options, version and revision (not the machine,
  // times or paths): equal keys mean a rerun must reproduce the artifact.
  std::string ReproducibilityKey() const;
};

std::string UtcNowIso8601();

}  // namespace shrink::exporting
