#include "search/trial_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace shrink::search {

nlohmann::json TrialRecord::ToJson() const {
  nlohmann::json obj = nlohmann::json::array();
  for (double v : objectives) obj.push_back(std::isfinite(v) ? nlohmann::json(v) : nullptr);
  nlohmann::json j = {{"index", index},    {"genome", genome},  {"config", config},
                      {"result", result},  {"objectives", obj}, {"ok", ok},
                      {"seconds", seconds}};
  if (!ok) j["error"] = error;
  return j;
}

Expected<TrialRecord> TrialRecord::FromJson(const nlohmann::json& j) {
  try {
    TrialRecord r;
    r.index = j.at("index").get<int64_t>();
    r.genome = j.at("genome").get<Genome>();
    r.config = j.value("config", nlohmann::json::object());
    r.result = j.value("result", nlohmann::json::object());
    for (const auto& v : j.at("objectives"))
      r.objectives.push_back(v.is_null() ? NAN : v.get<double>());
    r.ok = j.at("ok").get<bool>();
    r.error = j.value("error", "");
    r.seconds = j.value("seconds", 0.0);
    return r;
  } catch (const nlohmann::json::exception& e) {
    return Corrupt(std::string("trial record: ") + e.what());
  }
}

Expected<TrialLog> TrialLog::Open(const std::string& path) {
  TrialLog log;
  log.path_ = path;
  std::ifstream f(path, std::ios::binary);
  if (!f) return log;  // a new log
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string text = ss.str();
  size_t start = 0, line_no = 0, keep = 0;
  while (start < text.size()) {
    const size_t nl = text.find('\n', start);
    if (nl == std::string::npos) {  // a write cut short: drop it
      log.dropped_partial_ = true;
      break;
    }
    ++line_no;
    const std::string line = text.substr(start, nl - start);
    start = nl + 1;
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded())
      return Corrupt(path + ":" + std::to_string(line_no) + ": not a JSON trial record");
    Expected<TrialRecord> r = TrialRecord::FromJson(j);
    if (!r.ok()) return Corrupt(path + ":" + std::to_string(line_no) + ": " + r.status().message());
    log.records_.push_back(std::move(*r));
    keep = start;
  }
  if (log.dropped_partial_) {
    std::error_code ec;
    std::filesystem::resize_file(path, keep, ec);
    if (ec)
      return IOError("cannot truncate the partial last line of " + path + ": " + ec.message());
  }
  return log;
}

Status TrialLog::Append(const TrialRecord& r) {
  if (r.index != static_cast<int64_t>(records_.size()))
    return InvalidArgument("trial index " + std::to_string(r.index) + " out of order (expected " +
                           std::to_string(records_.size()) + ")");
  const std::string line = r.ToJson().dump() + "\n";
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return IOError("cannot open " + path_ + " for appending");
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return IOError("cannot write to " + path_);
  records_.push_back(r);
  return Status::Ok();
}

}  // namespace shrink::search
