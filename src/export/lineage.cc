#include "export/lineage.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>

#include "core/sha256.h"
#include "core/version.h"

namespace shrink::exporting {
namespace fs = std::filesystem;

std::string UtcNowIso8601() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Lineage Lineage::ForThisProcess() {
  Lineage l;
  l.shrink_version = Version();
  l.git_revision = GitRevision();
  l.machine = ReadMachineInfo();
  l.started_at = UtcNowIso8601();
  return l;
}

Status Lineage::AddInput(const std::string& role, const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return NotFound(role + ": no such file or folder: " + path);
  InputRecord r{role, fs::absolute(path, ec).lexically_normal().string(), 0, ""};
  if (fs::is_directory(path, ec)) {
    std::vector<std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(path, ec))
      if (e.is_regular_file()) files.push_back(fs::relative(e.path(), path).string());
    std::sort(files.begin(), files.end());
    std::string listing;
    for (const std::string& f : files) {
      SHRINK_ASSIGN_OR_RETURN(std::string h, Sha256File((fs::path(path) / f).string()));
      r.bytes += static_cast<int64_t>(fs::file_size(fs::path(path) / f, ec));
      listing += f + "\t" + h + "\n";
    }
    r.sha256 = Sha256Hex(listing);
  } else {
    SHRINK_ASSIGN_OR_RETURN(r.sha256, Sha256File(path));
    r.bytes = static_cast<int64_t>(fs::file_size(path, ec));
  }
  inputs.push_back(std::move(r));
  return Status::Ok();
}

nlohmann::json Lineage::ToJson() const {
  nlohmann::json in = nlohmann::json::array();
  for (const InputRecord& r : inputs)
    in.push_back({{"role", r.role}, {"path", r.path}, {"bytes", r.bytes}, {"sha256", r.sha256}});
  nlohmann::json st = nlohmann::json::array();
  for (const StageTiming& s : stages) st.push_back({{"stage", s.stage}, {"seconds", s.seconds}});
  return {{"inputs", in},
          {"seeds", seeds},
          {"libraries", libraries},
          {"options", options},
          {"shrink_version", shrink_version},
          {"git_revision", git_revision},
          {"machine", machine.ToJson()},
          {"threads", threads},
          {"command_line", command_line},
          {"started_at", started_at},
          {"stages", st},
          {"reproducibility_key", ReproducibilityKey()}};
}

std::string Lineage::ReproducibilityKey() const {
  nlohmann::json k = {{"seeds", seeds},
                      {"options", options},
                      {"shrink_version", shrink_version},
                      {"git_revision", git_revision},
                      {"inputs", nlohmann::json::array()}};
  for (const InputRecord& r : inputs) k["inputs"].push_back({r.role, r.sha256});
  return Sha256Hex(k.dump());
}

}  // namespace shrink::exporting
