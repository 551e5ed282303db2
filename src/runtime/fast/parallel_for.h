// ParallelFor: a loop split across the session's OpenMP threads only when that pays. Internal to
// the fast runtime.
//
// Why not `#pragma omp parallel for if (cond)`: with cond false libgomp still starts a one-thread
// team, and while its thread pool is alive that costs ~0.4 us a call (futex wake-ups on this
// 2-vCPU VM): a third of a three-layer int8 MLP's run. ParallelFor runs a plain loop instead.
#pragma once

#include <omp.h>

#include <cstdint>

namespace shrink::runtime::fast {

// f(i) for i in [0, n): split across threads (static schedule) when `parallel` and there is more
// than one iteration and thread, else in order on this thread.
template <typename F>
void ParallelFor(int64_t n, bool parallel, const F& f) {
  if (parallel && n > 1 && omp_get_max_threads() > 1) {
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) f(i);
    return;
  }
  for (int64_t i = 0; i < n; ++i) f(i);
}

}  // namespace shrink::runtime::fast
