#include "eval/bootstrap.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

namespace shrink::eval {
namespace {

double WeightedMean(const std::vector<double>& x, const std::vector<double>& w) {
  double s = 0, t = 0;
  for (size_t i = 0; i < x.size(); ++i) s += w[i] * x[i], t += w[i];
  return s / t;
}

TEST(Bootstrap, QuantileInterpolates) {
  std::vector<double> v = {4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(Quantile(v, 0.25), 1.75);  // sorted [1,2,3,4], position 0.75
  EXPECT_DOUBLE_EQ(Quantile(v, 1.0), 4.0);
  std::vector<double> empty;
  EXPECT_TRUE(std::isnan(Quantile(empty, 0.5)));
}

TEST(Bootstrap, SeededAndBracketsTheMean) {
  std::vector<double> x(200);
  for (size_t i = 0; i < x.size(); ++i) x[i] = i % 4 == 0 ? 1.0 : 0.0;  // mean 0.25
  auto f = [&](const std::vector<double>& w) { return WeightedMean(x, w); };
  const Interval a = BootstrapInterval(200, 500, 7, f);
  const Interval b = BootstrapInterval(200, 500, 7, f);
  const Interval c = BootstrapInterval(200, 500, 8, f);
  EXPECT_EQ(a.low, b.low);
  EXPECT_EQ(a.high, b.high);
  EXPECT_NE(a.low, c.low);
  EXPECT_LT(a.low, 0.25);
  EXPECT_GT(a.high, 0.25);
  // Binomial standard error sqrt(.25 * .75 / 200) = 0.0306: the 95% interval is about +-0.06.
  EXPECT_GT(a.high - a.low, 0.06);
  EXPECT_LT(a.high - a.low, 0.18);
  // Constant data: no spread.
  const Interval k = BootstrapInterval(10, 50, 1, [](const std::vector<double>& w) {
    return std::accumulate(w.begin(), w.end(), 0.0) > 0 ? 1.0 : 0.0;
  });
  EXPECT_EQ(k.low, 1.0);
  EXPECT_EQ(k.high, 1.0);
  EXPECT_TRUE(std::isnan(BootstrapInterval(0, 50, 1, f).low));
}

}  // namespace
}  // namespace shrink::eval
