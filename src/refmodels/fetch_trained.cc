#include "refmodels/fetch_trained.h"

#include <filesystem>
#include <utility>

#include "core/sha256.h"
#include "onnx/export.h"
#include "refmodels/train_reference.h"
#include "zoo/builders.h"

namespace shrink::refmodels {
namespace fs = std::filesystem;

namespace {

using Kind = zoo::FetchEvent::Kind;

// Why the cached copy cannot be used, or "" when it can.
std::string StaleReason(const zoo::ManifestEntry* prev, const std::string& path,
                        const std::string& hash) {
  if (prev == nullptr) return "not cached";
  const std::string recorded = prev->metrics.value("recipe_hash", "");
  if (recorded != hash)
    return recorded.empty() ? "no recipe hash recorded"
                            : "recipe changed (hash " + recorded.substr(0, 12) + " -> " +
                                  hash.substr(0, 12) + ")";
  Expected<std::string> sha = Sha256File(path);
  if (!sha.ok()) return "cached file missing";
  if (*sha != prev->sha256)
    return "cached file has sha256 " + *sha + ", manifest says " + prev->sha256;
  return "";
}

}  // namespace

Status FetchTrained(const Recipe& recipe, const zoo::CatalogEntry& entry,
                    zoo::ZooManifest& manifest, const zoo::FetchOptions& options,
                    const std::function<void(Kind, const std::string&)>& emit) {
  SHRINK_ASSIGN_OR_RETURN(std::string hash, RecipeHash(recipe));
  const std::string path = manifest.cache_dir + "/" + entry.file_name;
  const std::string reason =
      options.force ? "--force" : StaleReason(manifest.Find(entry.name), path, hash);
  if (reason.empty()) {
    emit(Kind::kCached, path + " (recipe " + hash.substr(0, 12) + ")");
    return Status::Ok();
  }
  emit(Kind::kTraining, reason + ": training recipe " + recipe.name);
  TrainReferenceOptions to;
  to.progress = [&](const std::string& line) { emit(Kind::kTraining, line); };
  SHRINK_ASSIGN_OR_RETURN(TrainedReference trained, TrainReference(recipe, to));
  const nlohmann::json& primary = trained.metrics["primary"];
  emit(Kind::kTraining, primary.value("name", "") + " " +
                            std::to_string(primary.value("value", 0.0)) + " on " +
                            std::to_string(trained.metrics.value("examples", 0)) + " examples");

  emit(Kind::kSaving, path);
  std::error_code ec;
  fs::create_directories(manifest.cache_dir, ec);
  const std::string tmp = path + ".partial";
  if (Status st = onnx_io::SaveModel(trained.model, tmp); !st.ok()) {
    fs::remove(tmp, ec);
    return st.WithContext("saving " + entry.name);
  }
  fs::rename(tmp, path, ec);
  if (ec) return IOError("cannot move " + tmp + " to " + path + ": " + ec.message());
  SHRINK_ASSIGN_OR_RETURN(std::string sha, Sha256File(path));

  const zoo::BuilderInfo* arch = zoo::FindArchitecture(recipe.architecture);
  zoo::ManifestEntry m;
  m.name = entry.name;
  m.file = entry.file_name;
  m.path = path;
  m.source = entry.source;
  m.license = entry.license;
  m.size_bytes = static_cast<int64_t>(fs::file_size(path, ec));
  m.sha256 = sha;
  m.purpose = zoo::Purpose::kAccuracy;
  m.sample_inputs = entry.sample_inputs;
  m.builder = recipe.architecture;
  m.builder_version = arch != nullptr ? arch->version : 0;
  m.seed = recipe.seed;
  m.opset = recipe.opset;
  m.parameters = zoo::CountParameters(*trained.model.graph);
  m.metrics = std::move(trained.metrics);
  manifest.Upsert(std::move(m));
  return Status::Ok();
}

zoo::TrainFn TrainHook(std::vector<Recipe> recipes) {
  return [recipes = std::move(recipes)](const zoo::CatalogEntry& entry, zoo::ZooManifest& manifest,
                                        const zoo::FetchOptions& options,
                                        const std::function<void(Kind, const std::string&)>& emit) {
    for (const Recipe& r : recipes)
      if (r.name == entry.recipe) return FetchTrained(r, entry, manifest, options, emit);
    return NotFound("no refmodels recipe named '" + entry.recipe + "' for zoo model " + entry.name);
  };
}

}  // namespace shrink::refmodels
