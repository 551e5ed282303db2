// What machine a result was measured on, for lineage and reports (Linux: /proc and uname).
//
// Contract: never fails; a field that cannot be read is left empty / 0. cpu_flags lists only the
// flags that matter for ML kernels (SIMD and matrix extensions), in a fixed order.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace shrink::exporting {

struct MachineInfo {
  std::string cpu_model;               // "Intel(R) Xeon(R) ..." from /proc/cpuinfo
  std::vector<std::string> cpu_flags;  // e.g. avx2, avx512f, avx512_vnni, amx_int8
  int logical_cpus = 0;
  int64_t memory_bytes = 0;
  std::string os;  // "Linux 6.1.0-... x86_64"

  nlohmann::json ToJson() const;
  // "Intel(R) Xeon(R) ... (2 CPUs, AVX-512 VNNI), 24 GiB, Linux ..."
  std::string Summary() const;
};

MachineInfo ReadMachineInfo();

}  // namespace shrink::exporting
