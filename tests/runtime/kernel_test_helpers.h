// Helpers for single-op kernel tests: build tensors of any numeric dtype from doubles
// (Make/F32/I64/I64s), deterministic inputs (Iota, RandomValues), run one op through RunOp
// expecting success (RunOk/RunOne) or expecting a particular error (RunStatus), and compare
// outputs with expected values computed in the test, by hand or by an independent formula
// (ExpectTensor checks dtype, shape and values; ExpectNear checks shape and values only).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "ir/attribute.h"
#include "runtime_util/op_test_util.h"

namespace shrink::testing {

inline constexpr DataType kF32 = DataType::kFloat32;
inline constexpr DataType kI32 = DataType::kInt32;
inline constexpr DataType kI64 = DataType::kInt64;
inline constexpr DataType kBool = DataType::kBool;

// A tensor of `dtype` holding `values` (converted with the dtype's own conversion).
inline Tensor Make(DataType dtype, Shape shape, const std::vector<double>& values) {
  Tensor t(dtype, std::move(shape));
  EXPECT_EQ(t.numel(), static_cast<int64_t>(values.size())) << "test bug: value count";
  const int64_t n = std::min<int64_t>(t.numel(), static_cast<int64_t>(values.size()));
  for (int64_t i = 0; i < n; ++i) t.SetFromDouble(i, values[static_cast<size_t>(i)]);
  return t;
}

inline Tensor F32(Shape shape, const std::vector<double>& values) {
  return Make(kF32, std::move(shape), values);
}

inline Tensor I64(Shape shape, const std::vector<double>& values) {
  return Make(kI64, std::move(shape), values);
}

// A 1-D int64 tensor (shapes, axes, pads, sizes inputs).
inline Tensor I64s(const std::vector<int64_t>& v) {
  return Tensor::FromVector<int64_t>({static_cast<int64_t>(v.size())}, v);
}

inline std::vector<double> Values(const Tensor& t) {
  std::vector<double> v;
  for (int64_t i = 0; i < t.numel(); ++i) v.push_back(t.GetAsDouble(i));
  return v;
}

// first, first + 1, ..., first + n - 1.
inline std::vector<double> Iota(int64_t n, double first = 0) {
  std::vector<double> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), first);
  return v;
}

// `n` deterministic uniform values in [lo, hi).
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

// Runs the op; records a test failure and returns undefined tensors when it fails.
inline std::vector<Tensor> RunOk(const std::string& op, const std::vector<Tensor>& inputs,
                                 std::vector<ir::Attribute> attrs = {}, int64_t opset = 17,
                                 int num_outputs = 1) {
  auto r = RunOp(op, inputs, std::move(attrs), num_outputs, opset);
  EXPECT_TRUE(r.ok()) << op << " (opset " << opset << "): " << r.status().ToString();
  if (!r.ok()) return std::vector<Tensor>(static_cast<size_t>(num_outputs));
  return std::move(r).value();
}

// The first output of a run expected to succeed (undefined, with a failure recorded, if not).
inline Tensor RunOne(const std::string& op, const std::vector<Tensor>& inputs,
                     std::vector<ir::Attribute> attrs = {}, int64_t opset = 17) {
  return RunOk(op, inputs, std::move(attrs), opset)[0];
}

// The status of a run that is expected to fail (kOk if it unexpectedly succeeded).
inline Status RunStatus(const std::string& op, const std::vector<Tensor>& inputs,
                        std::vector<ir::Attribute> attrs = {}, int64_t opset = 17,
                        int num_outputs = 1) {
  auto r = RunOp(op, inputs, std::move(attrs), num_outputs, opset);
  return r.ok() ? Status::Ok() : r.status();
}

// Expects dtype, shape and values (relative tolerance `tol`, NaN matches NaN).
inline void ExpectTensor(const Tensor& actual, DataType dtype, const Shape& shape,
                         const std::vector<double>& expected, double tol = 1e-6) {
  ASSERT_EQ(actual.dtype(), dtype) << DataTypeName(actual.dtype()) << " vs " << DataTypeName(dtype);
  ASSERT_EQ(actual.shape(), shape) << ShapeToString(actual.shape());
  ASSERT_EQ(actual.numel(), static_cast<int64_t>(expected.size()));
  for (int64_t i = 0; i < actual.numel(); ++i) {
    const double e = expected[static_cast<size_t>(i)];
    const double a = actual.GetAsDouble(i);
    if (std::isnan(e)) {
      EXPECT_TRUE(std::isnan(a)) << "element " << i << " = " << a << ", expected NaN";
    } else if (std::isinf(e)) {
      EXPECT_EQ(a, e) << "element " << i;
    } else {
      EXPECT_NEAR(a, e, tol * std::max(1.0, std::fabs(e))) << "element " << i;
    }
  }
}

// Expects a defined tensor of `shape` whose elements are within `tol` * max(1, |expected|).
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
