#include "eval/bootstrap.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace shrink::eval {
namespace {

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Uniform in [0, n) without modulo bias (rejection of the short last range).
uint64_t Below(uint64_t& state, uint64_t n) {
  const uint64_t limit =
      std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % n;
  for (;;) {
    const uint64_t x = SplitMix64(state);
    if (x < limit) return x % n;
  }
}

}  // namespace

double Quantile(std::vector<double>& values, double q) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const double pos = q * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (pos - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

Interval BootstrapInterval(int64_t n, int samples, uint64_t seed,
                           const std::function<double(const std::vector<double>&)>& compute,
                           double confidence) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (n <= 0 || samples <= 0) return {nan, nan};
  uint64_t state = seed;
  std::vector<double> counts(static_cast<size_t>(n));
  std::vector<double> values;
  values.reserve(static_cast<size_t>(samples));
  for (int s = 0; s < samples; ++s) {
    std::fill(counts.begin(), counts.end(), 0.0);
    for (int64_t i = 0; i < n; ++i) counts[Below(state, static_cast<uint64_t>(n))] += 1.0;
    const double v = compute(counts);
    if (std::isfinite(v)) values.push_back(v);
  }
  if (values.empty()) return {nan, nan};
  const double tail = (1.0 - confidence) / 2.0;
  Interval out;
  out.low = Quantile(values, tail);
  out.high = Quantile(values, 1.0 - tail);
  return out;
}

}  // namespace shrink::eval
