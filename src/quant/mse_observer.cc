// mse: the range with the least expected squared quantization error (see observer.h).
#include <algorithm>
#include <cmath>

#include "quant/observer.h"

namespace shrink::quant {
namespace {

class MseObserver : public Observer {
 public:
  using Observer::Observer;
  CalibrationMethod method() const override { return CalibrationMethod::kMse; }

 protected:
  Range Compute(const QuantGrid& grid) const override {
    const Range base = FinalizeRange({hist_.min(), hist_.max()}, grid);
    auto error = [&](double alpha) {
      const double lo = alpha * base.lo, hi = alpha * base.hi;
      const double step = (hi - lo) / static_cast<double>(grid.qmax - grid.qmin);
      const double rounding = step * step / 12;
      double err = 0;
      for (int i = 0; i < hist_.bins(); ++i) {
        const double n = hist_.counts()[i];
        if (n <= 0) continue;
        const double c = std::clamp(hist_.center(i), hist_.min(), hist_.max());
        const double d = c < lo ? lo - c : (c > hi ? c - hi : 0);
        err += n * (d > 0 ? d * d : rounding);
      }
      return err;
    };
    if (!(base.hi - base.lo > 0)) return base;
    constexpr int kCoarse = 160;  // factors 1 .. 2^-20
    int best_k = 0;
    double best = error(1.0);
    for (int k = 1; k <= kCoarse; ++k) {
      const double e = error(std::exp2(-k / 8.0));
      if (e < best) {
        best = e;
        best_k = k;
      }
    }
    double best_alpha = std::exp2(-best_k / 8.0);
    const double a0 = std::exp2(-(best_k + 1) / 8.0),
                 a1 = std::min(1.0, std::exp2(-(best_k - 1) / 8.0));
    constexpr int kFine = 32;
    for (int j = 0; j <= kFine; ++j) {
      const double alpha = a0 + (a1 - a0) * j / kFine;
      const double e = error(alpha);
      if (e < best) {
        best = e;
        best_alpha = alpha;
      }
    }
    return {best_alpha * base.lo, best_alpha * base.hi};
  }
};

}  // namespace

std::unique_ptr<Observer> MakeMseObserver(int bins) { return std::make_unique<MseObserver>(bins); }

}  // namespace shrink::quant
