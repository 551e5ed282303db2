#include "runtime/fast/thread_tuner.h"

#include <algorithm>

namespace shrink::runtime::fast {
namespace {

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

ThreadTuner::ThreadTuner(int max) : max_(std::max(max, 1)) {
  if (max_ == 1) {
    chosen_ = 1;
    phase_ = Phase::kDone;
  }
}

int ThreadTuner::threads() const {
  if (phase_ == Phase::kDone) return chosen_;
  return phase_ == Phase::kWarmOne || phase_ == Phase::kTimeOne ? 1 : max_;
}

bool ThreadTuner::rebuild() const {
  return runs_ == 0 && (phase_ == Phase::kWarmOne || phase_ == Phase::kRewarmMax);
}

void ThreadTuner::Enter(Phase p) {
  phase_ = p;
  runs_ = 0;
  skipped_ms_ = 0;
}

bool ThreadTuner::Sample(std::vector<double>& block, double ms) {
  if (block.empty() && (runs_ <= kSkip || (skipped_ms_ < kSkipMs && runs_ <= kMaxSkip))) {
    skipped_ms_ += ms;
    return false;
  }
  block.push_back(ms);
  double sum = 0;
  for (double v : block) sum += v;
  const int n = static_cast<int>(block.size());
  return (n >= kMinSamples && sum >= kBlockMs) || n >= kMaxSamples;
}

void ThreadTuner::Record(double ms) {
  ++runs_;
  switch (phase_) {
    case Phase::kWarmMax:
      if (runs_ == kWarmRuns) Enter(Phase::kTimeMax);
      return;
    case Phase::kTimeMax:
      if (ms > kLongRunMs) {
        chosen_ = max_;
        return Enter(Phase::kDone);  // the kernels are max's already
      }
      if (Sample(at_max_, ms)) Enter(Phase::kWarmOne);
      return;
    case Phase::kWarmOne:
      if (runs_ == kWarmRuns) Enter(Phase::kTimeOne);
      return;
    case Phase::kTimeOne:
      if (!Sample(at_one_, ms)) return;
      chosen_ = Median(at_one_) < (1.0 - kMargin) * Median(at_max_) ? 1 : max_;
      return Enter(chosen_ == 1 ? Phase::kDone : Phase::kRewarmMax);
    case Phase::kRewarmMax:
      if (runs_ == kWarmRuns) Enter(Phase::kDone);
      return;
    case Phase::kDone:
      return;
  }
}

}  // namespace shrink::runtime::fast
