// ThreadTuner: how many OpenMP threads a Session's Runs use, measured.
//
// Steps of a small model are too short to gain from threads: each parallel primitive pays its
// fork / join, and activations written by one core's threads are read from another core's cache
// by the next step. At batch 1 the trained Fashion-MNIST CNN's int8 plan ran 33 us on 2 threads
// and 28 us on 1; its fp32 plan 56 us on 2 and 81 us on 1. So the session measures both.
// oneDNN fixes a primitive's thread count when it is created, so each count gets its own kernels:
//   warm    `kWarmRuns` Runs on `max` threads, untimed (kernels built, layouts decided);
//   time    a block of Runs on `max`: untimed ones first (at least `kSkip`, until they sum to
//           `kSkipMs`, at most `kMaxSkip`: the first milliseconds after a change of thread count
//           run slower, e.g. the int8 Fashion-MNIST CNN's first ~2 ms of one-thread Runs took
//           21-25 us a Run, the rest 17-18), then timed ones until there are at least
//           `kMinSamples` summing to `kBlockMs`, or `kMaxSamples` (a block, not alternating runs:
//           one thread gains by keeping the activations in one core's caches from run to run);
//   rebuild the kernels on one thread, `kWarmRuns` untimed Runs, then a block as above;
//   choose  one thread only when its median is at least `kMargin` faster (noise keeps `max`);
//           choosing `max` rebuilds the kernels once more (`kWarmRuns` untimed Runs).
// A timed Run on `max` threads longer than `kLongRunMs` chooses `max` at once (work that large
// gains from threads, and tuning it would cost seconds). With `max` <= 1 nothing is measured.
// The Session asks before each Run how many threads to use and whether to rebuild its kernels
// first, and reports each Run's wall time.
#pragma once

#include <vector>

namespace shrink::runtime::fast {

class ThreadTuner {
 public:
  static constexpr int kWarmRuns = 2;
  static constexpr int kSkip = 3;
  static constexpr double kSkipMs = 5.0;
  static constexpr int kMaxSkip = 1000;
  static constexpr int kMinSamples = 5;
  static constexpr int kMaxSamples = 200;
  static constexpr double kBlockMs = 10.0;
  static constexpr double kMargin = 0.05;
  static constexpr double kLongRunMs = 20.0;

  explicit ThreadTuner(int max);

  int threads() const;   // for the next Run
  bool rebuild() const;  // whether the next Run must rebuild the kernels first
  bool decided() const { return phase_ == Phase::kDone; }
  void Record(double ms);  // the wall time of the Run just made

 private:
  enum class Phase { kWarmMax, kTimeMax, kWarmOne, kTimeOne, kRewarmMax, kDone };
  void Enter(Phase p);
  // Adds a timed Run of a block (after its kSkip runs); whether the block is complete.
  bool Sample(std::vector<double>& block, double ms);

  int max_;
  int chosen_ = 0;
  Phase phase_ = Phase::kWarmMax;
  int runs_ = 0;           // Runs made in this phase
  double skipped_ms_ = 0;  // time of the untimed Runs of this phase's block
  std::vector<double> at_max_, at_one_;
};

}  // namespace shrink::runtime::fast
