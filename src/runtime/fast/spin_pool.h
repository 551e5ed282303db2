// SpinPool: hands the chunks of one short loop to helper threads that wait for work by spinning,
// for splitting steps of a few microseconds across cores. Internal to the fast runtime.
//
// Why not OpenMP: a `#pragma omp parallel` region costs ~0.6-1.1 us on this 2-vCPU VM (a futex
// wake-up and a join barrier), as much as a whole small int8 convolution; a helper that spins on
// one cache line takes a job in ~0.1 us (round trip ~0.17 us, measured). So a batch-1 int8 CNN of
// two dozen steps can run each step on both cores.
//
// How: a job is n chunks, f(0) .. f(n - 1) (n <= kMaxChunks). The caller publishes it in one
// atomic word (a generation, n, and a mask of the chunks claimed), then claims chunks itself, as do
// the helpers; it returns when every chunk is done. Thread k of p (the caller is 0) claims chunks
// k, k + p, ... first, so while all are awake each keeps to the same part of every step, and so
// of the activations (each core reads what it wrote); then it takes any left. So a helper that is
// asleep or descheduled costs nothing: the caller runs what nobody took. A helper spins for
// `kSpinUs` after its last job, then sleeps (a futex) until the next one, so an idle process, or a
// oneDNN step on OpenMP threads, does not lose a core to it for long.
// OpenMP mode (SetOpenMp, per calling thread): jobs run as OpenMP parallel loops instead, for a
// session whose plan runs OpenMP regions anyway (oneDNN's primitives): libgomp's worker spins
// ~4 ms after each region (measured here), so the pool's helper would fight it for the second
// core. Sessions set the mode for each Run from their kernels (FastKernel::openmp_free).
// One job at a time in the process: a caller that finds the pool busy (another session's job)
// runs its chunks itself. Helpers start on first use, at most `threads - 1` of them and one fewer
// than the machine's hardware threads.
#pragma once

#include <algorithm>
#include <cstdint>

namespace shrink::runtime::fast {

class SpinPool {
 public:
  static constexpr int64_t kSpinUs = 200;
  static constexpr int64_t kMaxChunks = 32;  // a job of more runs on the caller alone
  // Where chunk t of n starts when [0, total) is split evenly for a job, in multiples of `unit`
  // (the last chunk ends at total).
  static int64_t ChunkStart(int64_t total, int64_t t, int64_t n, int64_t unit = 1) {
    if (t >= n) return total;
    return std::min(total, (total * t + n * unit / 2) / (n * unit) * unit);
  }

  // This thread's jobs as OpenMP parallel loops (on) or on the pool (off, the default).
  static void SetOpenMp(bool on);
  static bool OpenMp();

  // f(i) for i in [0, n), on up to `threads` threads (this one included). f must not throw: the
  // kernels hand it arithmetic on buffers their Reshape prepared.
  template <typename F>
  static void Run(int64_t n, int threads, const F& f) {
    if (n <= 1 || threads <= 1) {
      for (int64_t i = 0; i < n; ++i) f(i);
      return;
    }
    RunJob(
        n, threads, [](const void* c, int64_t i) { (*static_cast<const F*>(c))(i); }, &f);
  }

 private:
  using Call = void (*)(const void* ctx, int64_t chunk);
  static void RunJob(int64_t n, int threads, Call call, const void* ctx);
};

}  // namespace shrink::runtime::fast
