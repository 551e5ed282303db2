// entropy: TensorRT-style KL-divergence threshold search on the |x| histogram (see observer.h).
#include <algorithm>
#include <cmath>
#include <vector>

#include "quant/observer.h"

namespace shrink::quant {
namespace {

// KL(P || Q) of the first `i` magnitude bins: P keeps the tail folded into its last bin; Q is
// the unfolded bins quantized to `levels` levels (bin k belongs to level k * levels / i, so levels
// differ by at most one bin) and expanded back over the bins where P is non-zero.
double ClippedKl(const std::vector<double>& mags, int i, int levels, std::vector<double>& p,
                 std::vector<double>& sum, std::vector<int>& nonzero) {
  p.assign(mags.begin(), mags.begin() + i);
  for (size_t k = static_cast<size_t>(i); k < mags.size(); ++k) p[i - 1] += mags[k];
  sum.assign(static_cast<size_t>(levels), 0.0);
  nonzero.assign(static_cast<size_t>(levels), 0);
  auto level = [&](int k) { return static_cast<size_t>(int64_t{k} * levels / i); };
  double total = 0, qtotal = 0;
  for (int k = 0; k < i; ++k) {
    sum[level(k)] += mags[k];  // Q leaves the folded tail out: clipping it must cost
    nonzero[level(k)] += p[k] != 0;
    total += p[k];
    qtotal += mags[k];
  }
  if (total <= 0 || qtotal <= 0) return INFINITY;
  double kl = 0;
  for (int k = 0; k < i; ++k) {
    if (p[k] <= 0) continue;
    const double pk = p[k] / total;
    const double qk = std::max(sum[level(k)] / nonzero[level(k)] / qtotal, 1e-12);
    kl += pk * std::log(pk / qk);
  }
  return kl;
}

class EntropyObserver : public Observer {
 public:
  using Observer::Observer;
  CalibrationMethod method() const override { return CalibrationMethod::kEntropy; }

 protected:
  Range Compute(const QuantGrid& grid) const override {
    const int64_t span = grid.qmax - grid.qmin + 1;
    if (grid.symmetric) {
      const double t = Threshold(0, static_cast<int>(span / 2));
      return {std::max(hist_.min(), -t), std::min(hist_.max(), t)};
    }
    // Asymmetric: each side gets its own search, with the grid levels it will use.
    const double lo = hist_.min() < 0 ? hist_.min() : 0, hi = hist_.max() > 0 ? hist_.max() : 0;
    auto levels = [&](double part) {
      return static_cast<int>(std::max<double>(16, std::round(span * part / (hi - lo))));
    };
    const double t_hi = hi > 0 ? Threshold(1, levels(hi)) : 0;
    const double t_lo = lo < 0 ? Threshold(-1, levels(-lo)) : 0;
    return {std::max(hist_.min(), -t_lo), std::min(hist_.max(), t_hi)};
  }

 private:
  // The |x| threshold with the least KL on `side` (see histogram.h) for `levels` levels.
  double Threshold(int side, int levels) const {
    const int bins = hist_.bins();
    double w = 0;
    const std::vector<double> mags = hist_.Magnitudes(bins, side, &w);
    levels = std::min(levels, bins);
    std::vector<double> p, sum;
    std::vector<int> nonzero;
    double best_kl = INFINITY;
    int best_i = bins;
    for (int i = levels; i <= bins; ++i) {
      const double kl = ClippedKl(mags, i, levels, p, sum, nonzero);
      if (kl < best_kl) {
        best_kl = kl;
        best_i = i;
      }
    }
    return best_i * w;
  }
};

}  // namespace

std::unique_ptr<Observer> MakeEntropyObserver(int bins) {
  return std::make_unique<EntropyObserver>(bins);
}

}  // namespace shrink::quant
