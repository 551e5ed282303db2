// ParallelFor: a loop split across the session's threads only when that pays, on the spin pool
// (spin_pool.h: its helpers, or OpenMP for sessions whose plans run OpenMP regions anyway).
// Internal to the fast runtime.
//
// Why not `#pragma omp parallel for if (cond)`: with cond false libgomp still starts a one-thread
// team, and while its thread pool is alive that costs ~0.4 us a call (futex wake-ups on this
// 2-vCPU VM): a third of a three-layer int8 MLP's run. ParallelFor runs a plain loop instead.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>

#include "runtime/fast/spin_pool.h"

namespace shrink::runtime::fast {

// f(i) for i in [0, n): in one contiguous range a thread when `parallel` and there is more than
// one iteration and thread, else in order on this thread.
template <typename F>
void ParallelFor(int64_t n, bool parallel, const F& f) {
  const int threads = omp_get_max_threads();
  if (!parallel || n <= 1 || threads <= 1) {
    for (int64_t i = 0; i < n; ++i) f(i);
    return;
  }
  const int64_t chunks = std::min<int64_t>(n, std::min<int64_t>(threads, SpinPool::kMaxChunks));
  SpinPool::Run(chunks, threads, [&](int64_t c) {
    const int64_t end = SpinPool::ChunkStart(n, c + 1, chunks);
    for (int64_t i = SpinPool::ChunkStart(n, c, chunks); i < end; ++i) f(i);
  });
}

}  // namespace shrink::runtime::fast
