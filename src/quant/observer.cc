#include "quant/observer.h"

#include <algorithm>
#include <cmath>

namespace shrink::quant {

const char* CalibrationMethodName(CalibrationMethod m) {
  switch (m) {
    case CalibrationMethod::kMinMax:
      return "minmax";
    case CalibrationMethod::kPercentile:
      return "percentile";
    case CalibrationMethod::kEntropy:
      return "entropy";
    case CalibrationMethod::kMse:
      return "mse";
  }
  return "?";
}

Expected<CalibrationMethod> ParseCalibrationMethod(const std::string& s) {
  for (auto m : {CalibrationMethod::kMinMax, CalibrationMethod::kPercentile,
                 CalibrationMethod::kEntropy, CalibrationMethod::kMse})
    if (s == CalibrationMethodName(m)) return m;
  return InvalidArgument("unknown calibration method '" + s +
                         "' (expected minmax, percentile, entropy or mse)");
}

Range FinalizeRange(Range r, const QuantGrid& grid) {
  r.lo = std::min(r.lo, 0.0);
  r.hi = std::max(r.hi, 0.0);
  if (grid.symmetric) {
    const double t = std::max(-r.lo, r.hi);
    r = {-t, t};
  }
  return r;
}

Range Observer::ComputeRange(const QuantGrid& grid) const {
  if (hist_.empty()) return {0, 0};
  return FinalizeRange(Compute(grid), grid);
}

double Observer::OutlierRatio() const {
  if (hist_.empty()) return 1;
  const double p = std::max(std::abs(hist_.Quantile(0.001)), std::abs(hist_.Quantile(0.999)));
  const double m = std::max(std::abs(hist_.min()), std::abs(hist_.max()));
  return p > 0 ? m / p : (m > 0 ? INFINITY : 1.0);
}

Status ValidateObserverOptions(const ObserverOptions& o) {
  if (!(o.percentile > 50 && o.percentile <= 100))
    return InvalidArgument("percentile must be in (50, 100], got " + std::to_string(o.percentile));
  if (o.bins < 256) return InvalidArgument("observer bins must be >= 256");
  return Status::Ok();
}

std::unique_ptr<Observer> MakeObserver(const ObserverOptions& o) {
  switch (o.method) {
    case CalibrationMethod::kMinMax:
      return MakeMinMaxObserver(o.bins);
    case CalibrationMethod::kPercentile:
      return MakePercentileObserver(o.percentile, o.bins);
    case CalibrationMethod::kEntropy:
      return MakeEntropyObserver(o.bins);
    case CalibrationMethod::kMse:
      return MakeMseObserver(o.bins);
  }
  return nullptr;
}

}  // namespace shrink::quant
