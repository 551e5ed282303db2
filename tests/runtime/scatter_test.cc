// ScatterElements, Scatter (opset 9-10), ScatterND, including reductions (opset 16 / 18).
#include <gtest/gtest.h>

#include "runtime/kernel_test_helpers.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

TEST(ScatterElements, Axis0) {
  const Tensor data = F32({3, 3}, std::vector<double>(9, 0));
  const Tensor idx = I64({2, 3}, {1, 0, 2, 0, 2, 1});
  const Tensor upd = F32({2, 3}, {1.0, 1.1, 1.2, 2.0, 2.1, 2.2});
  const std::vector<double> want = {2.0, 1.1, 0, 1.0, 0, 2.2, 0, 2.1, 1.2};
  ExpectTensor(RunOne("ScatterElements", {data, idx, upd}), kF32, {3, 3}, want);
  // The deprecated Scatter (opset 9-10) has the same semantics.
  ExpectTensor(RunOne("Scatter", {data, idx, upd}, {}, 9), kF32, {3, 3}, want);
}

TEST(ScatterElements, ReductionsAndNegativeIndices) {
  const Tensor data = F32({1, 5}, {1, 2, 3, 4, 5});
  const Tensor idx = I64({1, 2}, {1, 1});
  const Tensor upd = F32({1, 2}, {1.1, 2.1});
  const auto axis = MakeAttr("axis", 1);
  ExpectTensor(
      RunOne("ScatterElements", {data, idx, upd}, {axis, MakeAttr("reduction", "add")}, 16), kF32,
      {1, 5}, {1, 5.2, 3, 4, 5}, 1e-6);
  ExpectTensor(
      RunOne("ScatterElements", {data, idx, upd}, {axis, MakeAttr("reduction", "mul")}, 16), kF32,
      {1, 5}, {1, 4.62, 3, 4, 5}, 1e-6);
  ExpectTensor(
      RunOne("ScatterElements", {data, idx, upd}, {axis, MakeAttr("reduction", "max")}, 18), kF32,
      {1, 5}, {1, 2.1, 3, 4, 5}, 1e-6);
  // "max" only exists from opset 18.
  EXPECT_EQ(RunStatus("ScatterElements", {data, idx, upd}, {axis, MakeAttr("reduction", "max")}, 16)
                .code(),
            StatusCode::kInvalidArgument);
  ExpectTensor(RunOne("ScatterElements", {data, I64({1, 1}, {-1}), F32({1, 1}, {9})}, {axis}), kF32,
               {1, 5}, {1, 2, 3, 4, 9});
  EXPECT_EQ(RunStatus("ScatterElements", {data, I64({1, 1}, {5}), F32({1, 1}, {9})}, {axis}).code(),
            StatusCode::kInvalidArgument);
}

TEST(ScatterND, ElementsAndSlices) {
  ExpectTensor(RunOne("ScatterND", {F32({8}, {1, 2, 3, 4, 5, 6, 7, 8}), I64({4, 1}, {4, 3, 1, 7}),
                                    F32({4}, {9, 10, 11, 12})}),
               kF32, {8}, {1, 11, 3, 10, 9, 6, 7, 12});
  ExpectTensor(
      RunOne("ScatterND", {I64({2, 2}, {0, 1, 2, 3}), I64({1, 1}, {-1}), I64({1, 2}, {7, 8})}),
      kI64, {2, 2}, {0, 1, 7, 8});
}

TEST(ScatterND, ReductionsIncludingFloat16) {
  ExpectTensor(
      RunOne("ScatterND", {F32({4}, {1, 2, 3, 4}), I64({3, 1}, {0, 0, 2}), F32({3}, {2, 3, 5})},
             {MakeAttr("reduction", "mul")}, 16),
      kF32, {4}, {6, 2, 15, 4});
  ExpectTensor(RunOne("ScatterND",
                      {Make(DataType::kFloat16, {2}, {1.5, 2}), I64({2, 1}, {1, 1}),
                       Make(DataType::kFloat16, {2}, {0.25, 0.5})},
                      {MakeAttr("reduction", "add")}, 16),
               DataType::kFloat16, {2}, {1.5, 2.75});
}

TEST(ScatterND, WrongUpdatesShapeIsAnError) {
  EXPECT_EQ(
      RunStatus("ScatterND", {F32({4}, {1, 2, 3, 4}), I64({2, 1}, {0, 1}), F32({3}, {1, 2, 3})})
          .code(),
      StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shrink::testing
