// Reduce* kernels: axes as attribute (before opset 18 / 13 for ReduceSum) or input, keepdims,
// noop_with_empty_axes, integer reductions, empty reductions.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "runtime/kernel_test_helpers.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

// x[2, 3] = {{1, -2, 3}, {4, 5, -6}}
Tensor X() { return F32({2, 3}, {1, -2, 3, 4, 5, -6}); }
Tensor Axes(const std::vector<int64_t>& a) {
  return Tensor::FromVector<int64_t>({static_cast<int64_t>(a.size())}, a);
}

TEST(Reduce, AllKindsAlongAxis1WithAttributeAxes) {
  const auto attrs = [] {
    return std::vector<ir::Attribute>{MakeAttr("axes", std::vector<int64_t>{1})};
  };
  const auto lse = [](double a, double b, double c) {
    return std::log(std::exp(a) + std::exp(b) + std::exp(c));
  };
  struct Case {
    const char* op;
    std::vector<double> expected;
  };
  const std::vector<Case> cases = {
      {"ReduceSum", {2, 3}},
      {"ReduceMean", {2.0 / 3, 1}},
      {"ReduceMax", {3, 5}},
      {"ReduceMin", {-2, -6}},
      {"ReduceProd", {-6, -120}},
      {"ReduceL1", {6, 15}},
      {"ReduceL2", {std::sqrt(14.0), std::sqrt(77.0)}},
      {"ReduceSumSquare", {14, 77}},
      {"ReduceLogSumExp", {lse(1, -2, 3), lse(4, 5, -6)}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.op);
    // ReduceSum takes axes as an attribute only before opset 13.
    const int64_t opset = std::string(c.op) == "ReduceSum" ? 12 : 17;
    ExpectTensor(RunOne(c.op, {X()}, attrs(), opset), kF32, {2, 1}, c.expected, 1e-6);
  }
  ExpectTensor(RunOne("ReduceLogSum", {F32({2, 2}, {1, 2, 3, 4})}, attrs(), 17), kF32, {2, 1},
               {std::log(3.0), std::log(7.0)});
}

TEST(Reduce, KeepdimsAndDefaultAllAxes) {
  ExpectTensor(RunOne("ReduceSum", {X()}, {MakeAttr("keepdims", int64_t{0})}, 11), kF32, {}, {5});
  ExpectTensor(RunOne("ReduceMax", {X()}, {}, 11), kF32, {1, 1}, {5});
  ExpectTensor(
      RunOne("ReduceMean", {X()},
             {MakeAttr("axes", std::vector<int64_t>{-2}), MakeAttr("keepdims", int64_t{0})}, 13),
      kF32, {3}, {2.5, 1.5, -1.5});
}

TEST(Reduce, AxesInputFromOpset13ForSumAnd18ForOthers) {
  ExpectTensor(RunOne("ReduceSum", {X(), Axes({0})}, {}, 13), kF32, {1, 3}, {5, 3, -3});
  ExpectTensor(RunOne("ReduceMin", {X(), Axes({0})}, {}, 18), kF32, {1, 3}, {1, -2, -6});
  // Axes omitted: reduce everything.
  ExpectTensor(RunOne("ReduceProd", {X()}, {}, 18), kF32, {1, 1}, {720});
  // An `axes` attribute is not valid once axes is an input.
  const Status s = RunStatus("ReduceSum", {X()}, {MakeAttr("axes", std::vector<int64_t>{1})}, 13);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
}

TEST(Reduce, NoopWithEmptyAxes) {
  const auto noop = [] {
    return std::vector<ir::Attribute>{MakeAttr("noop_with_empty_axes", int64_t{1})};
  };
  ExpectTensor(RunOne("ReduceSum", {X(), Axes({})}, noop(), 13), kF32, {2, 3},
               {1, -2, 3, 4, 5, -6});
  // Each element reduced alone: SumSquare squares it, L1 takes |x|.
  ExpectTensor(RunOne("ReduceSumSquare", {X(), Axes({})}, noop(), 18), kF32, {2, 3},
               {1, 4, 9, 16, 25, 36});
  ExpectTensor(RunOne("ReduceL1", {X()}, noop(), 18), kF32, {2, 3}, {1, 2, 3, 4, 5, 6});
  // Without the flag, empty axes mean all axes.
  ExpectTensor(RunOne("ReduceSum", {X(), Axes({})}, {}, 13), kF32, {1, 1}, {5});
}

TEST(Reduce, IntegerReductions) {
  const Tensor x = Make(DataType::kInt32, {2, 2}, {7, -3, 2, 2});
  const auto axes1 = [] {
    return std::vector<ir::Attribute>{MakeAttr("axes", std::vector<int64_t>{1})};
  };
  ExpectTensor(RunOne("ReduceSum", {x}, axes1(), 11), DataType::kInt32, {2, 1}, {4, 4});
  ExpectTensor(RunOne("ReduceMean", {x}, axes1(), 11), DataType::kInt32, {2, 1}, {2, 2});
  ExpectTensor(RunOne("ReduceMax", {x}, axes1(), 11), DataType::kInt32, {2, 1}, {7, 2});
  ExpectTensor(RunOne("ReduceProd", {x}, axes1(), 11), DataType::kInt32, {2, 1}, {-21, 4});
  ExpectTensor(RunOne("ReduceL1", {x}, axes1(), 11), DataType::kInt32, {2, 1}, {10, 4});
  // sqrt(49 + 9) = 7.6 -> truncated to 7.
  ExpectTensor(RunOne("ReduceL2", {x}, axes1(), 11), DataType::kInt32, {2, 1}, {7, 2});
}

TEST(Reduce, EmptyReductionGivesIdentity) {
  const Tensor empty = F32({2, 0}, {});
  const auto axes1 = [] {
    return std::vector<ir::Attribute>{MakeAttr("axes", std::vector<int64_t>{1})};
  };
  const double inf = std::numeric_limits<double>::infinity();
  ExpectTensor(RunOne("ReduceSum", {empty}, axes1(), 11), kF32, {2, 1}, {0, 0});
  ExpectTensor(RunOne("ReduceProd", {empty}, axes1(), 11), kF32, {2, 1}, {1, 1});
  ExpectTensor(RunOne("ReduceMax", {empty}, axes1(), 11), kF32, {2, 1}, {-inf, -inf});
  ExpectTensor(RunOne("ReduceLogSumExp", {empty}, axes1(), 11), kF32, {2, 1}, {-inf, -inf});
}

TEST(Reduce, LogSumExpIsStableForLargeValues) {
  const Tensor x = F32({2}, {1000, 1000});
  ExpectTensor(RunOne("ReduceLogSumExp", {x}, {}, 11), kF32, {1}, {1000 + std::log(2.0)});
}

TEST(Reduce, BadAxesFail) {
  EXPECT_EQ(RunStatus("ReduceMean", {X()}, {MakeAttr("axes", std::vector<int64_t>{2})}, 13).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      RunStatus("ReduceMean", {X()}, {MakeAttr("axes", std::vector<int64_t>{1, -1})}, 13).code(),
      StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shrink::testing
