// Zoo manifest: <cache dir>/zoo.json, the record of what the zoo cache holds.
//
// Contract:
// - One entry per fetched model: name, file (relative to the cache dir, so the cache can move),
//   path (absolute, derived from the cache dir when loaded; written for humans), source, licence,
//   size, sha256, purpose, sample inputs, the builder name/version/seed/opset for built models,
//   extra files, and a free `metrics` JSON object that other parts fill (FetchZoo keeps it).
// - LoadManifest of a cache without zoo.json gives an empty manifest; a malformed one -> kCorrupt
//   naming the file and the problem. Entries with unknown keys are accepted (keys are ignored).
// - SaveManifest writes atomically (temp file + rename), entries sorted by name, and creates the
//   cache dir when needed.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "zoo/catalog.h"

namespace shrink::zoo {

struct ManifestFile {
  std::string file;  // relative to the cache dir
  std::string sha256;
};

struct ManifestEntry {
  std::string name;
  std::string file;  // relative to the cache dir
  std::string path;  // absolute: <cache dir>/<file>
  std::string source;
  std::string license;
  int64_t size_bytes = 0;
  std::string sha256;
  Purpose purpose = Purpose::kLatencyOnly;
  std::vector<SampleInput> sample_inputs;
  // Built models only (builder empty otherwise).
  std::string builder;
  int builder_version = 0;
  uint64_t seed = 0;
  int64_t opset = 0;
  int64_t parameters = 0;
  std::vector<ManifestFile> extra_files;  // pretrained companions (e.g. OCR keys)
  nlohmann::json metrics = nlohmann::json::object();
};

struct ZooManifest {
  std::string cache_dir;  // absolute
  std::vector<ManifestEntry> models;

  const ManifestEntry* Find(const std::string& name) const;
  ManifestEntry* Find(const std::string& name);
  // Adds or replaces the entry with the same name, keeping the old entry's metrics when `e` has
  // none.
  void Upsert(ManifestEntry e);
};

// $SHRINK_ZOO_DIR when set and non-empty, else <source dir>/zoo_cache.
std::string DefaultZooDir();
std::string ManifestPath(const std::string& cache_dir);  // <cache_dir>/zoo.json

Expected<ZooManifest> LoadManifest(const std::string& cache_dir);
Status SaveManifest(const ZooManifest& manifest);

// Merges `metrics` (a JSON object) into the named model's metrics and saves the manifest
// (kNotFound when the model is not in the manifest).
Status UpdateMetrics(const std::string& cache_dir, const std::string& model,
                     const nlohmann::json& metrics);

nlohmann::json ManifestEntryToJson(const ManifestEntry& e);
Expected<ManifestEntry> ManifestEntryFromJson(const nlohmann::json& j,
                                              const std::string& cache_dir);

}  // namespace shrink::zoo
