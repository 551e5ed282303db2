// Helpers for the tests of the compute-heavy reference kernels (conv, pool, gemm, rnn, quant):
// deterministic random data, conversions between double vectors and tensors, a status check.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "runtime_util/op_test_util.h"

namespace shrink::testing {

inline std::vector<double> RandomValues(int64_t n, uint32_t seed, double lo = -1.0,
                                        double hi = 1.0) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<double> v(static_cast<size_t>(n));
  for (double& x : v) x = dist(rng);
  return v;
}

// Values rounded through float so that float and double computations see identical inputs.
inline std::vector<double> RandomFloatValues(int64_t n, uint32_t seed) {
  std::vector<double> v = RandomValues(n, seed);
  for (double& x : v) x = static_cast<float>(x);
  return v;
}

inline Tensor MakeTensor(DataType dtype, const Shape& shape, const std::vector<double>& v) {
  Tensor t(dtype, shape);
  EXPECT_EQ(t.numel(), static_cast<int64_t>(v.size()));
  for (int64_t i = 0; i < t.numel(); ++i) t.SetFromDouble(i, v[static_cast<size_t>(i)]);
  return t;
}

inline Tensor F32(const Shape& shape, const std::vector<double>& v) {
  return MakeTensor(DataType::kFloat32, shape, v);
}

inline std::vector<double> Values(const Tensor& t) {
  std::vector<double> v(static_cast<size_t>(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) v[static_cast<size_t>(i)] = t.GetAsDouble(i);
  return v;
}

// Runs an op expected to succeed and returns output `index`.
inline Tensor RunOk(const std::string& op, const std::vector<Tensor>& inputs,
                    std::vector<ir::Attribute> attrs = {}, int64_t opset = 17, int num_outputs = 1,
                    int index = 0) {
  auto r = RunOp(op, inputs, std::move(attrs), num_outputs, opset);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return Tensor();
  return (*r)[static_cast<size_t>(index)];
}

// Element-wise comparison with a tolerance relative to max(1, |expected|).
inline void ExpectNear(const Tensor& actual, const Shape& shape,
                       const std::vector<double>& expected, double tol = 1e-4) {
  ASSERT_TRUE(actual.defined());
  ASSERT_EQ(actual.shape(), shape);
  ASSERT_EQ(actual.numel(), static_cast<int64_t>(expected.size()));
  for (int64_t i = 0; i < actual.numel(); ++i) {
    const double e = expected[static_cast<size_t>(i)];
    ASSERT_NEAR(actual.GetAsDouble(i), e, tol * std::max(1.0, std::fabs(e))) << "element " << i;
  }
}

}  // namespace shrink::testing
