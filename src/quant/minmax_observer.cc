// minmax: the range is everything seen (see observer.h).
#include "quant/observer.h"

namespace shrink::quant {
namespace {

class MinMaxObserver : public Observer {
 public:
  using Observer::Observer;
  CalibrationMethod method() const override { return CalibrationMethod::kMinMax; }

 protected:
  Range Compute(const QuantGrid&) const override { return {hist_.min(), hist_.max()}; }
};

}  // namespace

std::unique_ptr<Observer> MakeMinMaxObserver(int bins) {
  return std::make_unique<MinMaxObserver>(bins);
}

}  // namespace shrink::quant
