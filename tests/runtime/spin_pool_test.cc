// SpinPool (runtime/fast/spin_pool.h): every chunk of every job runs exactly once, whatever the
// thread count, with callers racing for the pool, and after its helpers went to sleep.
#include "runtime/fast/spin_pool.h"

#include <gtest/gtest.h>
#include <omp.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace shrink::testing {
namespace {

using runtime::fast::SpinPool;

// Runs a job of n chunks on `threads`; expects each chunk to have run once.
void ExpectEachChunkOnce(int64_t n, int threads) {
  std::vector<std::atomic<int>> runs(static_cast<size_t>(n));
  SpinPool::Run(n, threads, [&](int64_t i) { runs[static_cast<size_t>(i)].fetch_add(1); });
  for (int64_t i = 0; i < n; ++i)
    EXPECT_EQ(runs[static_cast<size_t>(i)].load(), 1) << "chunk " << i << " of " << n;
}

TEST(SpinPool, RunsEachChunkOnce) {
  for (int threads : {1, 2, 3, 8})
    for (int64_t n : {int64_t{0}, int64_t{1}, int64_t{2}, int64_t{5}, SpinPool::kMaxChunks})
      for (int repeat = 0; repeat < 50; ++repeat) ExpectEachChunkOnce(n, threads);
}

TEST(SpinPool, ChunkStartsSplitEvenlyInWholeUnits) {
  for (int64_t total : {0, 1, 7, 28, 4704, 4705})
    for (int64_t n : {1, 2, 3, 5})
      for (int64_t unit : {1, 14, 64}) {
        SCOPED_TRACE(std::to_string(total) + " / " + std::to_string(n) + " unit " +
                     std::to_string(unit));
        EXPECT_EQ(SpinPool::ChunkStart(total, 0, n, unit), 0);
        EXPECT_EQ(SpinPool::ChunkStart(total, n, n, unit), total);
        for (int64_t t = 1; t < n; ++t) {
          const int64_t start = SpinPool::ChunkStart(total, t, n, unit);
          EXPECT_TRUE(start % unit == 0 || start == total);
          EXPECT_LE(SpinPool::ChunkStart(total, t - 1, n, unit), start);
          // Within one unit of an even share.
          EXPECT_LE(std::abs(static_cast<double>(start) - static_cast<double>(total * t) / n),
                    static_cast<double>(unit));
        }
      }
}

TEST(SpinPool, MoreChunksThanItTakesRunOnTheCaller) {
  const std::thread::id caller = std::this_thread::get_id();
  std::atomic<int> elsewhere{0};
  std::atomic<int64_t> sum{0};
  const int64_t n = SpinPool::kMaxChunks + 1;
  SpinPool::Run(n, 2, [&](int64_t i) {
    sum += i;
    elsewhere += std::this_thread::get_id() != caller;
  });
  EXPECT_EQ(sum.load(), n * (n - 1) / 2);
  EXPECT_EQ(elsewhere.load(), 0);
}

TEST(SpinPool, CallersRacingForThePoolEachGetTheirWorkDone) {
  std::vector<std::thread> callers;
  std::atomic<int> wrong{0};
  for (int c = 0; c < 3; ++c)
    callers.emplace_back([&wrong, c] {
      for (int job = 0; job < 2000; ++job) {
        std::vector<int64_t> out(8, -1);
        SpinPool::Run(8, 2, [&](int64_t i) { out[static_cast<size_t>(i)] = i * 10 + c; });
        for (int64_t i = 0; i < 8; ++i) wrong += out[static_cast<size_t>(i)] != i * 10 + c;
      }
    });
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(SpinPool, OpenMpModeRunsEachChunkOnceInAParallelRegion) {
  SpinPool::SetOpenMp(true);
  std::vector<std::atomic<int>> runs(4);
  std::atomic<int> in_region{0};
  SpinPool::Run(4, 2, [&](int64_t i) {
    runs[static_cast<size_t>(i)] += 1;
    in_region += omp_in_parallel() ? 1 : 0;
  });
  SpinPool::SetOpenMp(false);
  for (const auto& r : runs) EXPECT_EQ(r.load(), 1);
  EXPECT_EQ(in_region.load(), 4);  // a team of two, whatever the default thread count
}

TEST(SpinPool, WakesItsSleepingHelpers) {
  ExpectEachChunkOnce(4, 2);
  // Past the spin time the helpers sleep; the next jobs still complete, and within a few
  // thousand jobs a helper (woken by the first) takes a chunk, on a machine with a second thread.
  std::this_thread::sleep_for(std::chrono::microseconds(20 * SpinPool::kSpinUs));
  std::set<std::thread::id> seen;
  for (int job = 0; job < 2000; ++job) {
    std::vector<std::thread::id> ids(2);
    SpinPool::Run(2, 2, [&](int64_t i) {
      ids[static_cast<size_t>(i)] = std::this_thread::get_id();
      const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(20);
      while (std::chrono::steady_clock::now() < until) {
      }
    });
    seen.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(seen.size(), std::thread::hardware_concurrency() > 1 ? 2u : 1u);
}

}  // namespace
}  // namespace shrink::testing
