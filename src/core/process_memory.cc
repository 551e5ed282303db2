#include "core/process_memory.h"

#include <algorithm>
#include <fstream>
#include <string>

namespace shrink {
namespace {

int64_t StatusField(const char* key) {
  std::ifstream f("/proc/self/status");
  const std::string k(key);
  std::string line;
  while (std::getline(f, line))
    if (line.rfind(k, 0) == 0) {
      try {
        return std::stoll(line.substr(k.size())) * 1024;  // "VmRSS:    1234 kB"
      } catch (...) {
        return -1;
      }
    }
  return -1;
}

}  // namespace

int64_t CurrentRssBytes() { return StatusField("VmRSS:"); }
int64_t PeakRssBytes() { return StatusField("VmHWM:"); }

bool ResetPeakRss() {
  std::ofstream f("/proc/self/clear_refs");
  f << "5";
  f.close();
  return static_cast<bool>(f);
}

PeakRssScope::PeakRssScope() : reset_(ResetPeakRss()), base_(CurrentRssBytes()) {}

int64_t PeakRssScope::AddedBytes() const {
  const int64_t peak = PeakRssBytes();
  if (!reset_ || base_ < 0 || peak < 0) return -1;
  return std::max<int64_t>(0, peak - base_);
}

}  // namespace shrink
