// Histogram: a streaming, fixed-size histogram of float values for calibration observers.
//
// Contract: the histogram holds `bins` equal-width bins covering [lo(), hi()). The first Add()
// sets the range from that batch's finite min/max. When a later value falls outside, the width is
// doubled (pairs of adjacent bins merge exactly, the old range becomes the lower or upper half of
// the new one) until every value fits, so memory never grows with the number of samples and no
// count is ever re-binned by interpolation. Resolution is at worst half of what a histogram built
// with the final range from the start would have. Non-finite values are counted apart and
// ignored. The exact min()/max() of the finite values seen are tracked besides the bins.
#pragma once

#include <cstdint>
#include <vector>

namespace shrink::quant {

class Histogram {
 public:
  explicit Histogram(int bins = 2048);

  void Add(const float* data, int64_t n);
  // Merges another histogram (any range and width): its bin centres are re-added with counts.
  void Merge(const Histogram& other);

  bool empty() const { return total_ == 0; }
  int bins() const { return static_cast<int>(counts_.size()); }
  double lo() const { return lo_; }
  double width() const { return width_; }
  double hi() const { return lo_ + width_ * bins(); }
  double min() const { return min_; }
  double max() const { return max_; }
  double total() const { return total_; }
  int64_t nonfinite() const { return nonfinite_; }
  const std::vector<double>& counts() const { return counts_; }
  double center(int i) const { return lo_ + (i + 0.5) * width_; }

  // Value below which a fraction `q` in [0, 1] of the samples lies (linear inside a bin), clamped
  // to [min(), max()]. 0 when empty.
  double Quantile(double q) const;
  // Number of exact zeros seen (ReLU outputs): zero is exact on every grid.
  double zeros() const { return zeros_; }
  // Histogram of |x| with `bins` bins over [0, max |x|] of the values on `side` (> 0: positive
  // values only, < 0: negative only, 0: both), exact zeros left out; each signed bin's count is
  // spread uniformly over the magnitudes it covers. The input of threshold searches.
  std::vector<double> Magnitudes(int bins, int side, double* bin_width) const;

 private:
  void AddCount(double v, double count);
  void Grow(double v);

  std::vector<double> counts_;
  double lo_ = 0, width_ = 0;
  double min_ = 0, max_ = 0, total_ = 0, zeros_ = 0;
  int64_t nonfinite_ = 0;
};

}  // namespace shrink::quant
