#include "quant/histogram.h"

#include <algorithm>
#include <cmath>

namespace shrink::quant {

Histogram::Histogram(int bins) : counts_(static_cast<size_t>(std::max(2, bins + bins % 2)), 0.0) {}

void Histogram::Grow(double v) {
  const int n = bins();
  while (v < lo_ || v > hi()) {
    std::vector<double> merged(counts_.size(), 0.0);
    const bool down = v < lo_;  // the old range becomes the upper half
    for (int i = 0; i < n; ++i)
      merged[static_cast<size_t>((down ? n / 2 : 0) + i / 2)] += counts_[i];
    if (down) lo_ -= width_ * n;
    width_ *= 2;
    counts_.swap(merged);
  }
}

void Histogram::AddCount(double v, double count) {
  const int n = bins();
  const int i = std::clamp(static_cast<int>(std::floor((v - lo_) / width_)), 0, n - 1);
  counts_[static_cast<size_t>(i)] += count;
}

void Histogram::Add(const float* data, int64_t n) {
  double bmin = INFINITY, bmax = -INFINITY;
  int64_t finite = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float v = data[i];
    if (!std::isfinite(v)) continue;
    bmin = std::min<double>(bmin, v);
    bmax = std::max<double>(bmax, v);
    ++finite;
  }
  nonfinite_ += n - finite;
  if (finite == 0) return;
  if (total_ == 0) {
    lo_ = bmin;
    width_ = (bmax - bmin) / bins();
    if (!(width_ > 0)) width_ = std::max(std::abs(bmin), 1e-6) / bins();
    min_ = bmin;
    max_ = bmax;
  }
  Grow(bmin);
  Grow(bmax);
  min_ = std::min(min_, bmin);
  max_ = std::max(max_, bmax);
  for (int64_t i = 0; i < n; ++i)
    if (std::isfinite(data[i])) {
      AddCount(data[i], 1.0);
      zeros_ += data[i] == 0;
    }
  total_ += static_cast<double>(finite);
}

void Histogram::Merge(const Histogram& other) {
  nonfinite_ += other.nonfinite_;
  if (other.empty()) return;
  if (empty()) {
    *this = other;
    return;
  }
  Grow(other.min_);
  Grow(other.max_);
  for (int i = 0; i < other.bins(); ++i)
    if (other.counts_[i] > 0)
      AddCount(std::clamp(other.center(i), other.min_, other.max_), other.counts_[i]);
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  total_ += other.total_;
  zeros_ += other.zeros_;
}

double Histogram::Quantile(double q) const {
  if (empty()) return 0;
  const double target = std::clamp(q, 0.0, 1.0) * total_;
  double cum = 0;
  for (int i = 0; i < bins(); ++i) {
    const double c = counts_[i];
    if (c > 0 && cum + c >= target) {
      const double v = lo_ + (i + (target - cum) / c) * width_;
      return std::clamp(v, min_, max_);
    }
    cum += c;
  }
  return max_;
}

std::vector<double> Histogram::Magnitudes(int bins, int side, double* bin_width) const {
  std::vector<double> out(static_cast<size_t>(bins), 0.0);
  const double lo = side > 0 ? 0.0 : min_, hi = side < 0 ? 0.0 : max_;
  const double m = std::max(std::abs(lo), std::abs(hi));
  *bin_width = m > 0 ? m / bins : 1.0;
  if (empty() || !(m > 0)) return out;
  const double w = *bin_width;
  // Spreads `count` uniformly over magnitudes [u, v].
  auto spread = [&](double u, double v, double count) {
    if (count <= 0) return;
    if (v <= u) {
      out[static_cast<size_t>(std::min(bins - 1, static_cast<int>(u / w)))] += count;
      return;
    }
    const int first = std::min(bins - 1, static_cast<int>(u / w));
    const int last = std::min(bins - 1, static_cast<int>(v / w));
    for (int k = first; k <= last; ++k) {
      const double overlap = std::min(v, (k + 1) * w) - std::max(u, k * w);
      if (overlap > 0) out[static_cast<size_t>(k)] += count * overlap / (v - u);
    }
  };
  for (int i = 0; i < this->bins(); ++i) {
    double c = counts_[i];
    const double a0 = lo_ + i * width_, b0 = lo_ + (i + 1) * width_;
    if (a0 <= 0 && 0 < b0) c -= zeros_;  // the bin holding the exact zeros
    if (c <= 0) continue;
    const double a = std::clamp(a0, min_, max_), b = std::clamp(b0, min_, max_);
    // The part of [a, b] on the requested side, and its share of the count.
    const double u = side > 0 ? std::max(a, 0.0) : a, v = side < 0 ? std::min(b, 0.0) : b;
    if (v < u) continue;
    const double share = b > a ? c * (v - u) / (b - a) : c;
    if (u < 0 && v > 0) {
      spread(0, -u, share * -u / (v - u));
      spread(0, v, share * v / (v - u));
    } else {
      spread(std::min(std::abs(u), std::abs(v)), std::max(std::abs(u), std::abs(v)), share);
    }
  }
  return out;
}

}  // namespace shrink::quant
