// Percentile bootstrap confidence intervals over examples.
//
// Contract: each of `samples` resamples draws n example indices uniformly with replacement from a
// SplitMix64 stream seeded by `seed` (identical on every platform), turns them into per-example
// counts and evaluates `compute(counts)`. The interval is the (1-confidence)/2 and
// (1+confidence)/2 quantiles (linear interpolation between order statistics) of the finite
// values. With n == 0, samples <= 0 or no finite value, both ends are NaN.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace shrink::eval {

struct Interval {
  double low = 0, high = 0;
};

Interval BootstrapInterval(int64_t n, int samples, uint64_t seed,
                           const std::function<double(const std::vector<double>& counts)>& compute,
                           double confidence = 0.95);

// Quantile q in [0, 1] of `values` (sorted in place), linear interpolation; NaN when empty.
double Quantile(std::vector<double>& values, double q);

}  // namespace shrink::eval
