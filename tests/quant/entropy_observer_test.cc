// The entropy (KL) observer on the spiky distributions that broke it on depthwise_cnn: image
// inputs with a constant background and discrete pixel levels, and ReLU6 outputs where the
// background gives every channel one repeated value.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "quant/observer.h"

namespace shrink::quant {
namespace {

const QuantGrid kU8{0, 255, false};

Range EntropyRange(const std::vector<float>& v) {
  auto obs = MakeEntropyObserver();
  for (size_t i = 0; i < v.size(); i += 50000)
    obs->Observe(v.data() + i, static_cast<int64_t>(std::min<size_t>(50000, v.size() - i)));
  return obs->ComputeRange(kU8);
}

// Normalized 8-bit pixels: half background (0), the rest uniform over the 256 levels.
TEST(EntropyObserverTest, DiscretePixelsKeepBackgroundAndHighlights) {
  std::mt19937 gen(1);
  std::uniform_int_distribution<int> level(0, 255);
  std::vector<float> v(400000);
  auto normalize = [](int k) { return (k / 255.0f - 0.286f) / 0.353f; };
  for (size_t i = 0; i < v.size(); ++i) v[i] = normalize(i % 2 ? 0 : level(gen));
  const Range r = EntropyRange(v);
  EXPECT_FLOAT_EQ(r.lo, normalize(0));  // clipping the background would shift half the pixels
  EXPECT_GT(r.hi, normalize(230));
}

// ReLU6 outputs: 30% exact zeros, 40% on eight repeated background values in [0.1, 2], the rest
// |N(0, 2)| saturated at 6. KL may clip some tail but keeps the bulk: above the 95th percentile
// of the non-zero values (about 4.1; TensorRT's candidate scheme chose 1.7 here).
TEST(EntropyObserverTest, SpikyRelu6KeepsItsBulk) {
  std::mt19937 gen(2);
  std::normal_distribution<float> d(0, 2);
  std::vector<float> v(400000), nonzero;
  for (size_t i = 0; i < v.size(); ++i) {
    const size_t k = i % 10;
    v[i] = k < 3   ? 0.0f
           : k < 7 ? 0.1f + 0.27f * static_cast<float>(i % 8)
                   : std::min(6.0f, std::abs(d(gen)));
    if (v[i] != 0) nonzero.push_back(v[i]);
  }
  std::nth_element(nonzero.begin(), nonzero.begin() + nonzero.size() * 95 / 100, nonzero.end());
  const float p95 = nonzero[nonzero.size() * 95 / 100];
  EXPECT_GT(EntropyRange(v).hi, p95);
}

}  // namespace
}  // namespace shrink::quant
