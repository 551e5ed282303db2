#include "export/artifact_metadata.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/sha256.h"

namespace shrink::exporting {
namespace fs = std::filesystem;
namespace {

nlohmann::json PairJson(const MetricPair& p) {
  return {{"baseline", p.baseline},
          {"compressed", p.compressed},
          {"higher_is_better", p.higher_is_better}};
}

MetricPair PairFrom(const std::string& name, const nlohmann::json& j) {
  return {name, j.at("baseline").get<double>(), j.at("compressed").get<double>(),
          j.value("higher_is_better", true)};
}

}  // namespace

std::string ArtifactIdForSha256(const std::string& sha) { return "art_" + sha.substr(0, 16); }

nlohmann::json ArtifactMetadata::ToJson() const {
  nlohmann::json metrics = {{"primary", primary.name},
                            {primary.name, PairJson(primary)},
                            {"latency_ms_p50", latency_ms_p50},
                            {"latency_ms_p95", latency_ms_p95},
                            {"throughput_qps", throughput_qps},
                            {"peak_memory_bytes", peak_memory_bytes},
                            {"size_bytes", size_bytes},
                            {"baseline_size_bytes", baseline_size_bytes},
                            {"compression_ratio", compression_ratio}};
  nlohmann::json extras = nlohmann::json::array();
  for (const MetricPair& p : extra) {
    metrics[p.name] = PairJson(p);
    extras.push_back(p.name);
  }
  metrics["extra"] = extras;
  nlohmann::json compat = nlohmann::json::array();
  for (const RuntimeCompatibility& c : compatibility)
    compat.push_back({{"runtime", c.runtime},
                      {"operators_validated", c.operators_validated},
                      {"unsupported_ops", c.unsupported_ops},
                      {"warnings", c.warnings}});
  return {{"artifact_id", artifact_id},
          {"file", file},
          {"sha256", sha256},
          {"runtime", runtime},
          {"opset", opset},
          {"compression",
           {{"quantization", compression.quantization},
            {"pruning", compression.pruning},
            {"low_rank", compression.low_rank},
            {"clustering", compression.clustering},
            {"details", compression.details}}},
          {"metrics", metrics},
          {"compatibility", compat},
          {"warnings", warnings},
          {"lineage", lineage}};
}

Expected<ArtifactMetadata> ArtifactMetadata::FromJson(const nlohmann::json& j) {
  try {
    ArtifactMetadata m;
    m.artifact_id = j.at("artifact_id").get<std::string>();
    m.file = j.at("file").get<std::string>();
    m.sha256 = j.at("sha256").get<std::string>();
    m.runtime = j.at("runtime").get<std::string>();
    m.opset = j.at("opset").get<int64_t>();
    const auto& c = j.at("compression");
    m.compression = {c.at("quantization"), c.at("pruning"), c.at("low_rank"), c.at("clustering"),
                     c.value("details", nlohmann::json::object())};
    const auto& mt = j.at("metrics");
    const std::string primary = mt.at("primary").get<std::string>();
    m.primary = PairFrom(primary, mt.at(primary));
    for (const auto& name : mt.at("extra"))
      m.extra.push_back(PairFrom(name.get<std::string>(), mt.at(name.get<std::string>())));
    m.latency_ms_p50 = mt.at("latency_ms_p50").get<double>();
    m.latency_ms_p95 = mt.at("latency_ms_p95").get<double>();
    m.throughput_qps = mt.at("throughput_qps").get<double>();
    m.peak_memory_bytes = mt.value("peak_memory_bytes", int64_t{-1});
    m.size_bytes = mt.at("size_bytes").get<int64_t>();
    m.baseline_size_bytes = mt.at("baseline_size_bytes").get<int64_t>();
    m.compression_ratio = mt.at("compression_ratio").get<double>();
    for (const auto& r : j.at("compatibility"))
      m.compatibility.push_back({r.at("runtime"), r.at("operators_validated"),
                                 r.at("unsupported_ops").get<std::vector<std::string>>(),
                                 r.at("warnings").get<std::vector<std::string>>()});
    m.warnings = j.at("warnings").get<std::vector<std::string>>();
    m.lineage = j.value("lineage", nlohmann::json::object());
    return m;
  } catch (const nlohmann::json::exception& e) {
    return Corrupt(std::string("artifact metadata: ") + e.what());
  }
}

Status DescribeFile(const std::string& model_path, ArtifactMetadata& m) {
  SHRINK_ASSIGN_OR_RETURN(m.sha256, Sha256File(model_path));
  std::error_code ec;
  m.size_bytes = static_cast<int64_t>(fs::file_size(model_path, ec));
  if (ec) return IOError(model_path + ": " + ec.message());
  m.artifact_id = ArtifactIdForSha256(m.sha256);
  m.file = fs::path(model_path).filename().string();
  return Status::Ok();
}

Status SaveMetadata(const ArtifactMetadata& m, const std::string& path) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << m.ToJson().dump(2) << "\n";
    if (!f) return IOError("cannot write " + tmp);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return IOError("cannot rename " + tmp + " to " + path + ": " + ec.message());
  return Status::Ok();
}

Expected<ArtifactMetadata> LoadMetadata(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return NotFound(path + ": no such metadata file");
  std::stringstream ss;
  ss << f.rdbuf();
  nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded()) return Corrupt(path + ": not JSON");
  Expected<ArtifactMetadata> m = ArtifactMetadata::FromJson(j);
  if (!m.ok()) return Corrupt(path + ": " + m.status().message());
  return m;
}

}  // namespace shrink::exporting
