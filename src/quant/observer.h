// Observers: streaming statistics of one tensor over calibration batches, turned into the float
// range [lo, hi] that its quantization grid should cover.
//
// Contract: Observe() may be called any number of times (one call per batch); memory stays
// constant (a quant::Histogram of `bins` bins, 8x that for entropy, plus the exact min/max).
// ComputeRange() may be called at any time and does not change the observer. Every range it returns
// contains 0 (a zero point must exist) and, for a symmetric grid, is symmetric (lo == -hi). An
// observer that saw nothing returns [0, 0]. Methods (one file each):
//   minmax      — [min, max] of everything seen;
//   percentile  — the p-th and (100-p)-th percentiles (symmetric: the larger magnitude of both);
//   entropy     — TensorRT's KL-divergence calibration on |x| histograms (exact zeros left out:
//                 every grid represents them exactly): for every candidate threshold, the
//                 clipped distribution P (tail folded into the last bin) is compared to the
//                 unclipped bins quantized to the grid's levels; the least KL(P || Q) wins.
//                 Unlike TensorRT, every candidate is compared at the same resolution (8 bins
//                 per level, from a histogram 8x finer than `bins`), so that spiky
//                 distributions are not pushed to the smallest threshold (see
//                 entropy_observer.cc); thresholds go down to 1/8 of the largest |x| at best.
//                 Symmetric grids search both signs together with half the levels; asymmetric
//                 grids search each sign apart with its share of the levels;
//   mse         — the range minimising the expected squared quantization error (rounding noise
//                 step^2 / 12 inside the range, squared clipping distance outside), searched over
//                 the min/max range scaled by factors 2^(-k/8) and refined linearly.
// New methods plug in by implementing Observer and adding a case to MakeObserver.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "quant/histogram.h"

namespace shrink::quant {

enum class CalibrationMethod { kMinMax, kPercentile, kEntropy, kMse };
const char* CalibrationMethodName(CalibrationMethod m);  // "minmax", ...
// kInvalidArgument naming the valid methods when unknown.
Expected<CalibrationMethod> ParseCalibrationMethod(const std::string& s);

// The integer grid a range is computed for: [qmin, qmax] and whether the zero point is fixed at
// the grid's middle (symmetric). u8 asymmetric: {0, 255, false}; s8 symmetric: {-127, 127, true}.
struct QuantGrid {
  int64_t qmin = 0;
  int64_t qmax = 255;
  bool symmetric = false;
};

struct Range {
  double lo = 0;
  double hi = 0;
};

// Includes 0 and, for a symmetric grid, makes the range symmetric.
Range FinalizeRange(Range r, const QuantGrid& grid);

class Observer {
 public:
  explicit Observer(int bins) : hist_(bins) {}
  virtual ~Observer() = default;
  virtual CalibrationMethod method() const = 0;
  void Observe(const float* data, int64_t n) { hist_.Add(data, n); }
  Range ComputeRange(const QuantGrid& grid) const;
  const Histogram& histogram() const { return hist_; }
  // max|x| / |99.9th percentile| of the magnitudes seen (1 for flat data, large with outliers).
  double OutlierRatio() const;

 protected:
  // The method's range before FinalizeRange; the histogram is not empty.
  virtual Range Compute(const QuantGrid& grid) const = 0;
  Histogram hist_;
};

struct ObserverOptions {
  CalibrationMethod method = CalibrationMethod::kMinMax;
  double percentile = 99.99;  // kPercentile: in (50, 100]
  int bins = 2048;
};

// kInvalidArgument for a percentile outside (50, 100] or fewer than 256 bins.
Status ValidateObserverOptions(const ObserverOptions& o);
std::unique_ptr<Observer> MakeObserver(const ObserverOptions& o);

std::unique_ptr<Observer> MakeMinMaxObserver(int bins = 2048);
std::unique_ptr<Observer> MakePercentileObserver(double percentile, int bins = 2048);
std::unique_ptr<Observer> MakeEntropyObserver(int bins = 2048);
std::unique_ptr<Observer> MakeMseObserver(int bins = 2048);

}  // namespace shrink::quant
