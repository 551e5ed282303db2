#include "zoo/manifest.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace shrink::zoo {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int kFormatVersion = 1;

json SampleToJson(const SampleInput& s) {
  return json{{"name", s.name},
              {"dtype", DataTypeName(s.dtype)},
              {"shape", s.shape},
              {"fill", SampleFillToString(s.fill)}};
}

SampleInput SampleFromJson(const json& j) {
  SampleInput s;
  s.name = j.at("name").get<std::string>();
  const std::string dt = j.at("dtype").get<std::string>();
  std::optional<DataType> parsed = ParseDataType(dt);
  if (!parsed) Throw(StatusCode::kCorrupt, "unknown dtype '" + dt + "'");
  s.dtype = *parsed;
  s.shape = j.at("shape").get<Shape>();
  Expected<SampleFill> fill = ParseSampleFill(j.at("fill").get<std::string>());
  if (!fill.ok()) Throw(StatusCode::kCorrupt, fill.status().message());
  s.fill = *fill;
  return s;
}

std::string ReadFile(const std::string& path, Status* st) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *st = IOError("cannot read " + path);
    return "";
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

const ManifestEntry* ZooManifest::Find(const std::string& name) const {
  for (const ManifestEntry& e : models)
    if (e.name == name) return &e;
  return nullptr;
}

ManifestEntry* ZooManifest::Find(const std::string& name) {
  for (ManifestEntry& e : models)
    if (e.name == name) return &e;
  return nullptr;
}

void ZooManifest::Upsert(ManifestEntry e) {
  ManifestEntry* old = Find(e.name);
  if (old == nullptr) {
    models.push_back(std::move(e));
    return;
  }
  if ((e.metrics.is_null() || e.metrics.empty()) && old->metrics.is_object())
    e.metrics = std::move(old->metrics);
  *old = std::move(e);
}

std::string DefaultZooDir() {
  const char* env = std::getenv("SHRINK_ZOO_DIR");
  if (env != nullptr && env[0] != '\0') return env;
  return std::string(SHRINK_SOURCE_DIR) + "/zoo_cache";
}

std::string ManifestPath(const std::string& cache_dir) { return cache_dir + "/zoo.json"; }

json ManifestEntryToJson(const ManifestEntry& e) {
  json j;
  j["name"] = e.name;
  j["file"] = e.file;
  j["path"] = e.path;
  j["source"] = e.source;
  j["license"] = e.license;
  j["size_bytes"] = e.size_bytes;
  j["sha256"] = e.sha256;
  j["purpose"] = PurposeName(e.purpose);
  json samples = json::array();
  for (const SampleInput& s : e.sample_inputs) samples.push_back(SampleToJson(s));
  j["sample_inputs"] = samples;
  if (!e.builder.empty()) {
    j["builder"] = json{{"name", e.builder},
                        {"version", e.builder_version},
                        {"seed", e.seed},
                        {"opset", e.opset},
                        {"parameters", e.parameters}};
  }
  if (!e.extra_files.empty()) {
    json extras = json::array();
    for (const ManifestFile& f : e.extra_files)
      extras.push_back(json{{"file", f.file}, {"sha256", f.sha256}});
    j["extra_files"] = extras;
  }
  j["metrics"] = e.metrics.is_object() ? e.metrics : json::object();
  return j;
}

Expected<ManifestEntry> ManifestEntryFromJson(const json& j, const std::string& cache_dir) {
  try {
    ManifestEntry e;
    e.name = j.at("name").get<std::string>();
    e.file = j.at("file").get<std::string>();
    if (e.file.empty() || e.file[0] == '/' || e.file.find("..") != std::string::npos)
      return Corrupt("model '" + e.name + "': file '" + e.file + "' is not a plain relative name");
    e.path = cache_dir + "/" + e.file;
    e.source = j.value("source", "");
    e.license = j.value("license", "");
    e.size_bytes = j.value("size_bytes", int64_t{0});
    e.sha256 = j.value("sha256", "");
    const std::string purpose = j.value("purpose", "latency only");
    std::optional<Purpose> p = ParsePurpose(purpose);
    if (!p) return Corrupt("model '" + e.name + "': unknown purpose '" + purpose + "'");
    e.purpose = *p;
    if (j.contains("sample_inputs"))
      for (const json& s : j.at("sample_inputs")) e.sample_inputs.push_back(SampleFromJson(s));
    if (j.contains("builder")) {
      const json& b = j.at("builder");
      e.builder = b.at("name").get<std::string>();
      e.builder_version = b.at("version").get<int>();
      e.seed = b.at("seed").get<uint64_t>();
      e.opset = b.value("opset", int64_t{0});
      e.parameters = b.value("parameters", int64_t{0});
    }
    if (j.contains("extra_files"))
      for (const json& f : j.at("extra_files"))
        e.extra_files.push_back({f.at("file").get<std::string>(), f.value("sha256", "")});
    if (j.contains("metrics")) {
      if (!j.at("metrics").is_object())
        return Corrupt("model '" + e.name + "': metrics not an object");
      e.metrics = j.at("metrics");
    }
    return e;
  } catch (const json::exception& ex) {
    return Corrupt(std::string("manifest entry: ") + ex.what());
  } catch (const Error& ex) {
    return ex.ToStatus();
  }
}

Expected<ZooManifest> LoadManifest(const std::string& cache_dir) {
  ZooManifest m;
  std::error_code ec;
  m.cache_dir = fs::absolute(cache_dir, ec).lexically_normal().string();
  if (ec) return IOError("bad cache dir '" + cache_dir + "': " + ec.message());
  while (m.cache_dir.size() > 1 && m.cache_dir.back() == '/') m.cache_dir.pop_back();
  const std::string path = ManifestPath(m.cache_dir);
  if (!fs::exists(path, ec)) return m;
  Status st;
  const std::string text = ReadFile(path, &st);
  SHRINK_RETURN_IF_ERROR(st);
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Corrupt(path + ": not a JSON object");
  if (!j.contains("models") || !j.at("models").is_array())
    return Corrupt(path + ": missing \"models\" array");
  if (j.value("version", 0) > kFormatVersion)
    return Unimplemented(path + ": manifest version " + std::to_string(j.value("version", 0)) +
                         " is newer than this shrink understands");
  for (const json& e : j.at("models")) {
    Expected<ManifestEntry> entry = ManifestEntryFromJson(e, m.cache_dir);
    if (!entry.ok()) return entry.status().WithContext(path);
    m.Upsert(std::move(entry).value());
  }
  return m;
}

Status SaveManifest(const ZooManifest& manifest) {
  std::error_code ec;
  fs::create_directories(manifest.cache_dir, ec);
  if (ec) return IOError("cannot create " + manifest.cache_dir + ": " + ec.message());
  std::vector<const ManifestEntry*> sorted;
  for (const ManifestEntry& e : manifest.models) sorted.push_back(&e);
  std::sort(sorted.begin(), sorted.end(),
            [](const ManifestEntry* a, const ManifestEntry* b) { return a->name < b->name; });
  json models = json::array();
  for (const ManifestEntry* e : sorted) models.push_back(ManifestEntryToJson(*e));
  json j{{"format", "shrink zoo manifest"}, {"version", kFormatVersion}, {"models", models}};
  const std::string path = ManifestPath(manifest.cache_dir);
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << j.dump(2) << "\n";
    out.close();
    if (!out) return IOError("cannot write " + tmp);
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return IOError("cannot replace " + path);
  }
  return Status::Ok();
}

Status UpdateMetrics(const std::string& cache_dir, const std::string& model, const json& metrics) {
  if (!metrics.is_object()) return InvalidArgument("metrics must be a JSON object");
  Expected<ZooManifest> m = LoadManifest(cache_dir);
  if (!m.ok()) return m.status();
  ManifestEntry* e = m->Find(model);
  if (e == nullptr)
    return NotFound("model '" + model + "' is not in " + ManifestPath(m->cache_dir));
  if (!e->metrics.is_object()) e->metrics = json::object();
  e->metrics.merge_patch(metrics);
  return SaveManifest(*m);
}

}  // namespace shrink::zoo
