// percentile: clips the (100 - p)% tails on each side (see observer.h).
#include <algorithm>
#include <cmath>

#include "quant/observer.h"

namespace shrink::quant {
namespace {

class PercentileObserver : public Observer {
 public:
  PercentileObserver(double percentile, int bins) : Observer(bins), p_(percentile / 100.0) {}
  CalibrationMethod method() const override { return CalibrationMethod::kPercentile; }

 protected:
  Range Compute(const QuantGrid& grid) const override {
    Range r{hist_.Quantile(1.0 - p_), hist_.Quantile(p_)};
    if (grid.symmetric) {
      const double t = std::max(std::abs(r.lo), std::abs(r.hi));
      r = {-t, t};
    }
    return r;
  }

 private:
  double p_;
};

}  // namespace

std::unique_ptr<Observer> MakePercentileObserver(double percentile, int bins) {
  return std::make_unique<PercentileObserver>(percentile, bins);
}

}  // namespace shrink::quant
