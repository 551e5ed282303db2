// Artifact metadata: the JSON written beside every model shrink produces (<artifact>.json), the
// record the report, the API and users read to trust an artifact.
//
// Contract:
// - artifact_id is "art_" + the first 16 hex digits of the file's SHA-256, so the same bytes
//   always get the same id; sha256 and size_bytes describe the file as written.
// - compression names what was applied with stable strings, "none" when a technique was not used
//   (quantization e.g. "int8_static_qdq_per_channel_symmetric_weights_u8_activations_entropy",
//   pruning, low_rank, clustering), with free-form details.
// - metrics: the primary metric (and extras) as {baseline, compressed} pairs, latency p50/p95 in
//   ms, throughput, peak memory, sizes and the compression ratio, measured on `runtime`.
// - compatibility: per runtime whether its operators were validated by actually loading and
//   running the file, with unsupported operators and warnings.
// - FromJson(ToJson(m)) == m; malformed JSON -> kCorrupt naming the missing/mistyped field.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"

namespace shrink::exporting {

struct MetricPair {
  std::string name;
  double baseline = 0;
  double compressed = 0;
  bool higher_is_better = true;
  bool operator==(const MetricPair&) const = default;
};

struct CompressionApplied {
  std::string quantization = "none";
  std::string pruning = "none";
  std::string low_rank = "none";
  std::string clustering = "none";
  nlohmann::json details = nlohmann::json::object();
  bool operator==(const CompressionApplied&) const = default;
};

struct RuntimeCompatibility {
  std::string runtime;
  bool operators_validated = false;  // the runtime loaded and ran the artifact
  std::vector<std::string> unsupported_ops;
  std::vector<std::string> warnings;
  bool operator==(const RuntimeCompatibility&) const = default;
};

struct ArtifactMetadata {
  std::string artifact_id;
  std::string file;  // file name, relative to the metadata file's folder
  std::string sha256;
  int64_t size_bytes = 0;
  std::string runtime;  // the runtime the metrics were measured on
  int64_t opset = 0;
  CompressionApplied compression;
  MetricPair primary;
  std::vector<MetricPair> extra;
  double latency_ms_p50 = 0, latency_ms_p95 = 0, throughput_qps = 0;
  int64_t peak_memory_bytes = -1;  // added by loading and running the model; -1 unknown
  int64_t baseline_size_bytes = 0;
  double compression_ratio = 1;
  std::vector<RuntimeCompatibility> compatibility;
  std::vector<std::string> warnings;
  nlohmann::json lineage = nlohmann::json::object();
  bool operator==(const ArtifactMetadata&) const = default;

  nlohmann::json ToJson() const;
  static Expected<ArtifactMetadata> FromJson(const nlohmann::json& j);
};

std::string ArtifactIdForSha256(const std::string& sha256_hex);

// Hashes `model_path` and fills artifact_id, file (base name), sha256 and size_bytes.
Status DescribeFile(const std::string& model_path, ArtifactMetadata& m);
// Writes m.ToJson() to `path` atomically (temp file + rename).
Status SaveMetadata(const ArtifactMetadata& m, const std::string& path);
Expected<ArtifactMetadata> LoadMetadata(const std::string& path);

}  // namespace shrink::exporting
