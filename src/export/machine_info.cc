#include "export/machine_info.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace shrink::exporting {
namespace {

const char* const kInterestingFlags[] = {"sse4_2",      "avx",      "avx2",        "fma",
                                         "f16c",        "avx512f",  "avx512bw",    "avx512vl",
                                         "avx512_vnni", "avx_vnni", "avx512_bf16", "avx512_fp16",
                                         "amx_tile",    "amx_int8", "amx_bf16"};

std::string Trim(std::string s) {
  const auto b = s.find_first_not_of(" \t");
  const auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

}  // namespace

nlohmann::json MachineInfo::ToJson() const {
  return {{"cpu_model", cpu_model},
          {"cpu_flags", cpu_flags},
          {"logical_cpus", logical_cpus},
          {"memory_bytes", memory_bytes},
          {"os", os}};
}

std::string MachineInfo::Summary() const {
  std::ostringstream o;
  o << (cpu_model.empty() ? "unknown CPU" : cpu_model) << " (" << logical_cpus << " CPUs";
  const auto has = [&](const char* f) {
    return std::find(cpu_flags.begin(), cpu_flags.end(), f) != cpu_flags.end();
  };
  if (has("amx_int8"))
    o << ", AMX";
  else if (has("avx512_vnni"))
    o << ", AVX-512 VNNI";
  else if (has("avx512f"))
    o << ", AVX-512";
  else if (has("avx2"))
    o << ", AVX2";
  o << "), " << (memory_bytes >> 30) << " GiB";
  if (!os.empty()) o << ", " << os;
  return o.str();
}

MachineInfo ReadMachineInfo() {
  MachineInfo m;
  m.logical_cpus = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  std::ifstream cpu("/proc/cpuinfo");
  std::string line;
  std::set<std::string> flags;
  while (std::getline(cpu, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = Trim(line.substr(0, colon)), value = Trim(line.substr(colon + 1));
    if (key == "model name" && m.cpu_model.empty()) m.cpu_model = value;
    if (key == "flags" && flags.empty()) {
      std::istringstream in(value);
      for (std::string f; in >> f;) flags.insert(f);
    }
  }
  for (const char* f : kInterestingFlags)
    if (flags.count(f)) m.cpu_flags.push_back(f);
  std::ifstream mem("/proc/meminfo");
  while (std::getline(mem, line))
    if (line.rfind("MemTotal:", 0) == 0) m.memory_bytes = std::stoll(line.substr(9)) * 1024;
  utsname u{};
  if (uname(&u) == 0) m.os = std::string(u.sysname) + " " + u.release + " " + u.machine;
  return m;
}

}  // namespace shrink::exporting
