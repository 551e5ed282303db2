// Resident memory of this process, read from /proc/self (Linux).
//
// Contract:
// - CurrentRssBytes(): VmRSS; PeakRssBytes(): VmHWM (the high-water mark); -1 when unreadable.
// - ResetPeakRss(): writes "5" to /proc/self/clear_refs, which sets the high-water mark back to
//   the current RSS; false when the kernel refuses (then PeakRssBytes() keeps older peaks).
// - PeakRssScope measures the peak resident memory added by the work done during its lifetime:
//   PeakRssBytes() at AddedBytes() minus CurrentRssBytes() at construction, or -1 when the peak
//   could not be reset (a number polluted by earlier work is never reported). It counts pages,
//   so memory the allocator reuses from earlier frees is not seen as new.
#pragma once

#include <cstdint>

namespace shrink {

int64_t CurrentRssBytes();
int64_t PeakRssBytes();
bool ResetPeakRss();

class PeakRssScope {
 public:
  PeakRssScope();
  int64_t AddedBytes() const;

 private:
  bool reset_ = false;
  int64_t base_ = -1;
};

}  // namespace shrink
