// Unary math kernels (Sqrt Exp Log Neg Abs Reciprocal Erf Floor Ceil Round Sign Sin Cos Tan Atan
// Tanh IsNaN IsInf).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "runtime/kernel_test_helpers.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

struct FloatCase {
  const char* op;
  std::function<double(double)> ref;
  std::vector<double> inputs;
};

TEST(ElementwiseUnary, FloatOpsMatchStdFormulas) {
  const std::vector<FloatCase> cases = {
      {"Sqrt", [](double v) { return std::sqrt(v); }, {0, 0.25, 2, 1e6}},
      {"Exp", [](double v) { return std::exp(v); }, {-3, 0, 0.5, 10}},
      {"Log", [](double v) { return std::log(v); }, {0.1, 1, 2.5, 1e5}},
      {"Reciprocal", [](double v) { return 1.0 / v; }, {-4, 0.5, 3, 1e-3}},
      {"Erf", [](double v) { return std::erf(v); }, {-2, -0.3, 0, 0.7}},
      {"Sin", [](double v) { return std::sin(v); }, {-1, 0, 0.5, 3}},
      {"Cos", [](double v) { return std::cos(v); }, {-1, 0, 0.5, 3}},
      {"Tan", [](double v) { return std::tan(v); }, {-1, 0, 0.5, 1.2}},
      {"Atan", [](double v) { return std::atan(v); }, {-10, 0, 0.5, 3}},
      {"Tanh", [](double v) { return std::tanh(v); }, {-10, -0.5, 0, 2}},
  };
  for (const FloatCase& c : cases) {
    SCOPED_TRACE(c.op);
    std::vector<double> expected;
    for (double v : c.inputs) expected.push_back(c.ref(static_cast<float>(v)));
    ExpectTensor(RunOne(c.op, {F32({2, 2}, c.inputs)}), kF32, {2, 2}, expected, 1e-6);
    // float64 keeps double precision.
    std::vector<double> expected64;
    for (double v : c.inputs) expected64.push_back(c.ref(v));
    ExpectTensor(RunOne(c.op, {Make(DataType::kFloat64, {4}, c.inputs)}), DataType::kFloat64, {4},
                 expected64, 1e-14);
  }
}

TEST(ElementwiseUnary, RoundingOps) {
  const Tensor x = F32({6}, {-2.5, -1.5, -0.5, 0.5, 1.5, 2.7});
  ExpectTensor(RunOne("Floor", {x}), kF32, {6}, {-3, -2, -1, 0, 1, 2});
  ExpectTensor(RunOne("Ceil", {x}), kF32, {6}, {-2, -1, -0.0, 1, 2, 3});
  // Round: half to even.
  ExpectTensor(RunOne("Round", {x}), kF32, {6}, {-2, -2, -0.0, 0, 2, 3});
}

TEST(ElementwiseUnary, NegAbsSignOnIntegersAndFloats) {
  const Tensor i = Make(DataType::kInt32, {4}, {-3, 0, 5, std::numeric_limits<int32_t>::min()});
  ExpectTensor(RunOne("Neg", {i}), DataType::kInt32, {4},
               {3, 0, -5, std::numeric_limits<int32_t>::min()});  // wraps like numpy
  ExpectTensor(RunOne("Abs", {i}), DataType::kInt32, {4},
               {3, 0, 5, std::numeric_limits<int32_t>::min()});
  ExpectTensor(RunOne("Sign", {i}), DataType::kInt32, {4}, {-1, 0, 1, -1});
  const Tensor f = F32({4}, {-0.5, 0, 2, kNaN});
  ExpectTensor(RunOne("Sign", {f}), kF32, {4}, {-1, 0, 1, kNaN});
  ExpectTensor(RunOne("Abs", {f}), kF32, {4}, {0.5, 0, 2, kNaN});
  ExpectTensor(RunOne("Abs", {Make(DataType::kUInt8, {2}, {0, 200})}), DataType::kUInt8, {2},
               {0, 200});
}

TEST(ElementwiseUnary, UnsupportedDtypesAreReported) {
  // Neg of unsigned is not an ONNX type; Sqrt of integers neither.
  EXPECT_EQ(RunStatus("Neg", {Make(DataType::kUInt8, {1}, {1})}).code(),
            StatusCode::kUnimplemented);
  const Status s = RunStatus("Sqrt", {Make(DataType::kInt32, {1}, {4})});
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
  EXPECT_NE(s.message().find("int32"), std::string::npos) << s.message();
}

TEST(ElementwiseUnary, HalfTypesComputeInFloat) {
  const Tensor x = Make(DataType::kBFloat16, {2}, {4, 0.25});
  ExpectTensor(RunOne("Sqrt", {x}), DataType::kBFloat16, {2}, {2, 0.5});
  const Tensor h = Make(DataType::kFloat16, {1}, {1});
  // exp(1) = 2.71828 -> nearest float16 is 2.71875.
  ExpectTensor(RunOne("Exp", {h}), DataType::kFloat16, {1}, {2.71875}, 0);
}

TEST(ElementwiseUnary, IsNaNAndIsInf) {
  const Tensor x = F32({5}, {kNaN, kInf, -kInf, 0, 1});
  ExpectTensor(RunOne("IsNaN", {x}), DataType::kBool, {5}, {1, 0, 0, 0, 0});
  ExpectTensor(RunOne("IsInf", {x}), DataType::kBool, {5}, {0, 1, 1, 0, 0});
  ExpectTensor(RunOne("IsInf", {x}, {MakeAttr("detect_negative", int64_t{0})}), DataType::kBool,
               {5}, {0, 1, 0, 0, 0});
  ExpectTensor(RunOne("IsInf", {x}, {MakeAttr("detect_positive", int64_t{0})}), DataType::kBool,
               {5}, {0, 0, 1, 0, 0});
}

}  // namespace
}  // namespace shrink::testing
