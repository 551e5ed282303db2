#include "quant/observer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace shrink::quant {
namespace {

const QuantGrid kU8{0, 255, false};
const QuantGrid kS8{-127, 127, true};

// Feeds `data` to `obs` in batches of `batch`.
void Feed(Observer& obs, const std::vector<float>& data, size_t batch) {
  for (size_t i = 0; i < data.size(); i += batch)
    obs.Observe(data.data() + i, static_cast<int64_t>(std::min(batch, data.size() - i)));
}

std::vector<std::unique_ptr<Observer>> Observers(bool with_minmax) {
  std::vector<std::unique_ptr<Observer>> v;
  if (with_minmax) v.push_back(MakeMinMaxObserver());
  v.push_back(MakePercentileObserver(99.99));
  v.push_back(MakeEntropyObserver());
  v.push_back(MakeMseObserver());
  return v;
}

std::vector<float> Uniform(float lo, float hi, size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(gen);
  return v;
}

// N(0, 1) with `outliers` values of +-`at` spread through the stream.
std::vector<float> GaussianWithOutliers(size_t n, int outliers, float at, uint32_t seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> d(0, 1);
  std::vector<float> v(n);
  for (float& x : v) x = d(gen);
  for (int k = 0; k < outliers; ++k) v[(k + 1) * n / (outliers + 1)] = k % 2 ? -at : at;
  return v;
}

TEST(HistogramTest, GrowsByMergingAndKeepsCountsAndMemory) {
  Histogram h(2048);
  const std::vector<float> narrow = Uniform(0, 1, 10000, 1);
  const std::vector<float> wide = Uniform(-7, 20, 10000, 2);  // forces growth both ways
  h.Add(narrow.data(), 10000);
  h.Add(wide.data(), 10000);
  EXPECT_EQ(h.bins(), 2048);
  EXPECT_DOUBLE_EQ(h.total(), 20000);
  double sum = 0;
  for (double c : h.counts()) sum += c;
  EXPECT_DOUBLE_EQ(sum, 20000);
  EXPECT_LE(h.lo(), h.min());
  EXPECT_GE(h.hi(), h.max());
  // Growth by doubling: the width is at most 2x what the final range needs (27 / 2048) * 2.
  EXPECT_LE(h.width(), 2 * 2 * (h.max() - h.min()) / 2048);
  const float bad[] = {NAN, INFINITY, 1.0f};
  h.Add(bad, 3);
  EXPECT_EQ(h.nonfinite(), 2);
  EXPECT_DOUBLE_EQ(h.total(), 20001);
}

TEST(HistogramTest, QuantileOfUniformMatchesItsDefinition) {
  Histogram h;
  const std::vector<float> v = Uniform(-2, 6, 200000, 3);
  h.Add(v.data(), static_cast<int64_t>(v.size()));
  // Uniform on [-2, 6]: the q-quantile is -2 + 8q (sampling error ~ 8 / sqrt(2e5) << 0.05).
  for (double q : {0.1, 0.5, 0.9}) EXPECT_NEAR(h.Quantile(q), -2 + 8 * q, 0.05) << q;
}

TEST(HistogramTest, MergeAddsCounts) {
  Histogram a, b;
  const std::vector<float> x = Uniform(0, 1, 5000, 4), y = Uniform(-3, 0, 3000, 5);
  a.Add(x.data(), 5000);
  b.Add(y.data(), 3000);
  a.Merge(b);
  EXPECT_DOUBLE_EQ(a.total(), 8000);
  EXPECT_FLOAT_EQ(a.min(), *std::min_element(y.begin(), y.end()));
  EXPECT_FLOAT_EQ(a.max(), *std::max_element(x.begin(), x.end()));
}

TEST(ObserverTest, MinMaxIsTheExactRangeAcrossBatches) {
  auto obs = MakeMinMaxObserver();
  const std::vector<float> v = Uniform(-1.5f, 4.0f, 50000, 6);
  Feed(*obs, v, 1000);
  const Range r = obs->ComputeRange(kU8);
  EXPECT_FLOAT_EQ(r.lo, *std::min_element(v.begin(), v.end()));
  EXPECT_FLOAT_EQ(r.hi, *std::max_element(v.begin(), v.end()));
  const Range s = obs->ComputeRange(kS8);  // symmetric: the larger magnitude both ways
  EXPECT_FLOAT_EQ(s.hi, r.hi);
  EXPECT_FLOAT_EQ(s.lo, -r.hi);
}

TEST(ObserverTest, RangesAlwaysContainZero) {
  const std::vector<float> v = Uniform(2, 3, 10000, 7);  // all positive
  for (auto& obs : Observers(true)) {
    Feed(*obs, v, 2500);
    const Range r = obs->ComputeRange(kU8);
    EXPECT_EQ(r.lo, 0) << CalibrationMethodName(obs->method());
    EXPECT_GT(r.hi, 2) << CalibrationMethodName(obs->method());
  }
}

// Uniform data has no tail worth clipping: every method keeps (nearly) the whole range. For MSE,
// clipping a uniform U[0, 1] at t costs (1-t)^3/3 and saves only rounding noise ~ (1/255)^2/12,
// so t stays within a few percent of 1; for entropy, clipping piles mass into the last bin.
TEST(ObserverTest, UniformDataKeepsTheFullRange) {
  const std::vector<float> v = Uniform(0, 1, 200000, 8);
  for (auto& obs : Observers(false)) {
    Feed(*obs, v, 20000);
    const Range r = obs->ComputeRange(kU8);
    EXPECT_GT(r.hi, 0.9) << CalibrationMethodName(obs->method());
    EXPECT_LE(r.hi, 1.0) << CalibrationMethodName(obs->method());
  }
}

// N(0, 1) (1M samples) with 4 outliers at +-50. Min-max spends the whole grid on them (step
// 100/254 ~ 0.39, rounding noise ~ 0.013 per sample, 1.3e4 in total); clipping at ~4 sigma
// costs only the 4 outliers' distance squared (4 * 46^2 ~ 8.5e3) plus tiny rounding noise, so
// MSE must clip; the outliers are 4e-6 of the mass, far beyond the 99.99th percentile (3.7
// sigma); and for entropy they are a negligible part of P, so the KL search clips too. All
// three must land well below the outlier (< 25), and above the bulk (> 2.5 sigma).
TEST(ObserverTest, OutliersAreClippedByPercentileEntropyAndMse) {
  const std::vector<float> v = GaussianWithOutliers(1000000, 4, 50, 9);
  auto minmax = MakeMinMaxObserver();
  Feed(*minmax, v, 100000);
  EXPECT_FLOAT_EQ(minmax->ComputeRange(kS8).hi, 50);
  EXPECT_GT(minmax->OutlierRatio(), 10);
  for (auto& obs : Observers(false)) {
    Feed(*obs, v, 100000);
    for (const QuantGrid& g : {kS8, kU8}) {
      const Range r = obs->ComputeRange(g);
      EXPECT_LT(r.hi, 25) << CalibrationMethodName(obs->method());
      EXPECT_GT(r.hi, 2.5) << CalibrationMethodName(obs->method());
      EXPECT_LT(r.lo, -2.5) << CalibrationMethodName(obs->method());
    }
  }
  auto p = MakePercentileObserver(99.99);
  Feed(*p, v, 100000);
  EXPECT_NEAR(p->ComputeRange(kS8).hi, 3.72, 0.15);  // the 99.99th percentile of N(0, 1)
}

// ReLU6-like activations: 40% exact zeros, the rest |N(0, 2)| saturated at 6 (a spike there).
// Percentile (99.99) and MSE keep nearly everything: clipping at t costs the squared distance of
// every value above t, far more than the rounding noise saved (step 6/255). KL tolerates
// clipping a few percent of the tail but must keep the bulk: above the 95th percentile of the
// non-zero part (3.92). (A search with integer level widths collapsed to ~1.5 here: the last
// level absorbed the remainder bins while every other level stayed one bin wide.)
TEST(ObserverTest, Relu6ActivationsKeepTheirBulk) {
  std::mt19937 gen(10);
  std::normal_distribution<float> d(0, 2);
  std::vector<float> v(400000);
  for (size_t i = 0; i < v.size(); ++i) v[i] = i % 5 < 2 ? 0.0f : std::min(6.0f, std::abs(d(gen)));
  for (auto& obs : Observers(false)) {
    Feed(*obs, v, 50000);
    const double bound = obs->method() == CalibrationMethod::kEntropy ? 3.92 : 5.5;
    EXPECT_GT(obs->ComputeRange(kU8).hi, bound) << CalibrationMethodName(obs->method());
  }
}

TEST(ObserverTest, EmptyObserverGivesZeroRange) {
  auto obs = MakeEntropyObserver();
  const Range r = obs->ComputeRange(kU8);
  EXPECT_EQ(r.lo, 0);
  EXPECT_EQ(r.hi, 0);
}

TEST(ObserverTest, BadOptionsAndMethodNames) {
  EXPECT_EQ(ParseCalibrationMethod("kl").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*ParseCalibrationMethod("entropy"), CalibrationMethod::kEntropy);
  ObserverOptions o;
  o.percentile = 30;
  EXPECT_EQ(ValidateObserverOptions(o).code(), StatusCode::kInvalidArgument);
  o.percentile = 99.9;
  EXPECT_TRUE(ValidateObserverOptions(o).ok());
}

}  // namespace
}  // namespace shrink::quant
