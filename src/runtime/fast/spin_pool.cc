// See spin_pool.h.
#include "runtime/fast/spin_pool.h"

#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace shrink::runtime::fast {
namespace {

// The job word: generation (16 bits) | chunk count (6) | claimed chunks (a 32-bit mask). Claiming
// compares the whole word, so a chunk is only ever claimed from the job that is published.
constexpr int kCountShift = 32, kGenShift = 38;
constexpr uint64_t kClaimedMask = 0xFFFFFFFFu;

using Clock = std::chrono::steady_clock;

class Pool {
 public:
  using Call = void (*)(const void*, int64_t);

  static Pool& Get() {
    static Pool pool;
    return pool;
  }

  ~Pool() {
    stop_.store(true);
    epoch_.fetch_add(1);
    epoch_.notify_all();
    for (std::thread& t : helpers_) t.join();
  }

  // False when another job holds the pool (the caller then runs its chunks itself).
  bool Run(int64_t n, int threads, Call call, const void* ctx) {
    if (n > SpinPool::kMaxChunks || busy_.exchange(true, std::memory_order_acquire)) return false;
    const int want = std::min(threads - 1, max_helpers_);
    const int participants = want + 1;
    Start(want);
    call_.store(call, std::memory_order_relaxed);
    ctx_.store(ctx, std::memory_order_relaxed);
    wanted_.store(want, std::memory_order_relaxed);
    participants_.store(participants, std::memory_order_relaxed);
    done_.store(0, std::memory_order_relaxed);
    gen_ = (gen_ + 1) & 0xFFFF;
    state_.store(gen_ << kGenShift | static_cast<uint64_t>(n) << kCountShift);
    if (sleepers_.load() > 0) {
      epoch_.fetch_add(1);
      epoch_.notify_all();
    }
    uint64_t s = state_.load(std::memory_order_relaxed);
    int64_t i = 0, mine = 0;
    while (Claim(s, 0, participants, i)) {
      call(ctx, i);
      ++mine;
    }
    while (done_.load(std::memory_order_acquire) != n - mine) _mm_pause();
    busy_.store(false, std::memory_order_release);
    return true;
  }

 private:
  Pool() : max_helpers_(std::max(1, static_cast<int>(std::thread::hardware_concurrency())) - 1) {}

  // Claims a chunk of the job in `s` (reloaded on contention) into i: first one of those it owns
  // (chunks `self`, self + participants, ...: each thread keeps to the same part of every step,
  // and so of the activations, while all are awake), else any left. False when none is left.
  bool Claim(uint64_t& s, int self, int participants, int64_t& i) {
    for (;;) {
      const int n = static_cast<int>(s >> kCountShift & 63);
      const uint32_t free =
          ~static_cast<uint32_t>(s & kClaimedMask) & static_cast<uint32_t>((uint64_t{1} << n) - 1);
      if (free == 0) return false;
      uint32_t owned = 0;
      for (int c = self; c < n; c += participants) owned |= uint32_t{1} << c;
      const int chunk = __builtin_ctz((free & owned) ? free & owned : free);
      if (state_.compare_exchange_weak(s, s | uint64_t{1} << chunk, std::memory_order_acquire,
                                       std::memory_order_acquire)) {
        i = chunk;
        return true;
      }
    }
  }

  void Start(int want) {
    if (started_.load(std::memory_order_acquire) >= want) return;
    std::lock_guard<std::mutex> lock(start_mu_);
    while (static_cast<int>(helpers_.size()) < want) {
      const int index = static_cast<int>(helpers_.size());
      helpers_.emplace_back([this, index] { Helper(index); });
    }
    started_.store(want, std::memory_order_release);
  }

  void Helper(int index) {
    Clock::time_point last = Clock::now();
    uint32_t spins = 0;
    while (!stop_.load(std::memory_order_relaxed)) {
      uint64_t s = state_.load(std::memory_order_acquire);
      int64_t i = 0;
      const int participants = participants_.load(std::memory_order_relaxed);
      if (index < wanted_.load(std::memory_order_relaxed) && Claim(s, index + 1, participants, i)) {
        do {
          call_.load(std::memory_order_relaxed)(ctx_.load(std::memory_order_relaxed), i);
          done_.fetch_add(1, std::memory_order_release);
        } while (Claim(s, index + 1, participants, i));
        last = Clock::now();
        continue;
      }
      if (++spins % 256 != 0 ||
          Clock::now() - last < std::chrono::microseconds(SpinPool::kSpinUs)) {
        _mm_pause();
        continue;
      }
      // Sleep until a job is published after `s` (the publisher wakes sleepers).
      const uint32_t e = epoch_.load();
      sleepers_.fetch_add(1);
      if (state_.load() == s && !stop_.load()) epoch_.wait(e);
      sleepers_.fetch_sub(1);
      last = Clock::now();
    }
  }

  alignas(64) std::atomic<uint64_t> state_{0};
  alignas(64) std::atomic<int64_t> done_{0};
  alignas(64) std::atomic<Call> call_{nullptr};
  std::atomic<const void*> ctx_{nullptr};
  std::atomic<int> wanted_{0}, participants_{1};
  std::atomic<bool> busy_{false};
  uint64_t gen_ = 0;  // written under busy_
  alignas(64) std::atomic<uint32_t> epoch_{0};
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stop_{false};
  std::atomic<int> started_{0};
  const int max_helpers_;
  std::mutex start_mu_;
  std::vector<std::thread> helpers_;
};

thread_local bool use_openmp = false;

}  // namespace

void SpinPool::SetOpenMp(bool on) { use_openmp = on; }
bool SpinPool::OpenMp() { return use_openmp; }

void SpinPool::RunJob(int64_t n, int threads, Call call, const void* ctx) {
  if (use_openmp) {
    // Chunk t on OpenMP thread t (static schedule), as the pool's helpers would take them.
    const int team = static_cast<int>(std::min<int64_t>(threads, n));
#pragma omp parallel for schedule(static) num_threads(team)
    for (int64_t i = 0; i < n; ++i) call(ctx, i);
    return;
  }
  if (Pool::Get().Run(n, threads, call, ctx)) return;
  for (int64_t i = 0; i < n; ++i) call(ctx, i);
}

}  // namespace shrink::runtime::fast
