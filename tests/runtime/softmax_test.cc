// Softmax, LogSoftmax, Hardmax: per-axis (opset 13+) versus 2D coercion (before 13).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "runtime/kernel_test_helpers.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

// Softmax of a row, computed directly from the definition.
std::vector<double> SoftmaxOf(const std::vector<double>& row) {
  double sum = 0;
  for (double v : row) sum += std::exp(v);
  std::vector<double> out;
  for (double v : row) out.push_back(std::exp(v) / sum);
  return out;
}

// x[2, 2, 2] = 0..7 / 4
std::vector<double> XValues() {
  std::vector<double> v;
  for (int i = 0; i < 8; ++i) v.push_back(i / 4.0);
  return v;
}

TEST(Softmax, Opset13RunsAlongTheLastAxisByDefault) {
  const std::vector<double> x = XValues();
  std::vector<double> expected;
  for (int r = 0; r < 4; ++r) {
    for (double v : SoftmaxOf({x[2 * r], x[2 * r + 1]})) expected.push_back(v);
  }
  ExpectTensor(RunOne("Softmax", {F32({2, 2, 2}, x)}, {}, 13), kF32, {2, 2, 2}, expected);
}

TEST(Softmax, Opset13AlongAMiddleAxis) {
  const std::vector<double> x = XValues();
  // axis=1: pairs (x[0], x[2]), (x[1], x[3]), (x[4], x[6]), (x[5], x[7]).
  std::vector<double> expected(8);
  for (int b : {0, 4}) {
    for (int k : {0, 1}) {
      const auto s = SoftmaxOf({x[b + k], x[b + k + 2]});
      expected[b + k] = s[0];
      expected[b + k + 2] = s[1];
    }
  }
  ExpectTensor(RunOne("Softmax", {F32({2, 2, 2}, x)}, {MakeAttr("axis", int64_t{1})}, 13), kF32,
               {2, 2, 2}, expected);
}

TEST(Softmax, BeforeOpset13CoercesTo2D) {
  const std::vector<double> x = XValues();
  // Default axis=1: each batch row of 4 elements (dims 1 and 2 flattened) is one softmax.
  std::vector<double> expected;
  for (int b : {0, 4}) {
    for (double v : SoftmaxOf({x[b], x[b + 1], x[b + 2], x[b + 3]})) expected.push_back(v);
  }
  ExpectTensor(RunOne("Softmax", {F32({2, 2, 2}, x)}, {}, 11), kF32, {2, 2, 2}, expected);
  // axis=0: the whole tensor is one row.
  ExpectTensor(RunOne("Softmax", {F32({2, 2, 2}, x)}, {MakeAttr("axis", int64_t{0})}, 1), kF32,
               {2, 2, 2}, SoftmaxOf(x));
}

TEST(Softmax, LogSoftmaxIsLogOfSoftmaxAndStable) {
  const std::vector<double> x = {1, 2, 3};
  std::vector<double> expected;
  for (double v : SoftmaxOf(x)) expected.push_back(std::log(v));
  ExpectTensor(RunOne("LogSoftmax", {F32({1, 3}, x)}), kF32, {1, 3}, expected);
  // Shifted by 1000: same result, no overflow.
  ExpectTensor(RunOne("LogSoftmax", {F32({1, 3}, {1001, 1002, 1003})}), kF32, {1, 3}, expected,
               1e-5);
  ExpectTensor(RunOne("Softmax", {F32({3}, {1000, 1000, 1000})}), kF32, {3},
               {1.0 / 3, 1.0 / 3, 1.0 / 3});
}

TEST(Softmax, HardmaxMarksFirstMaximum) {
  const Tensor x = F32({2, 3}, {1, 3, 3, -1, -5, -2});
  ExpectTensor(RunOne("Hardmax", {x}, {}, 13), kF32, {2, 3}, {0, 1, 0, 1, 0, 0});
  ExpectTensor(RunOne("Hardmax", {x}, {MakeAttr("axis", int64_t{0})}, 13), kF32, {2, 3},
               {1, 1, 1, 0, 0, 0});
  // Opset 11, axis=0: one maximum over the whole tensor.
  ExpectTensor(RunOne("Hardmax", {x}, {MakeAttr("axis", int64_t{0})}, 11), kF32, {2, 3},
               {0, 1, 0, 0, 0, 0});
}

TEST(Softmax, BadAxisAndDtypeFail) {
  EXPECT_EQ(
      RunStatus("Softmax", {F32({2, 2}, {1, 2, 3, 4})}, {MakeAttr("axis", int64_t{2})}, 13).code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(RunStatus("Softmax", {Make(DataType::kInt32, {2}, {1, 2})}, {}, 13).code(),
            StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace shrink::testing
