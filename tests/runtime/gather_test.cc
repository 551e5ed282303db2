// Gather, GatherElements, GatherND, Compress.
#include <gtest/gtest.h>

#include "runtime/kernel_test_helpers.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

Tensor Bools(const std::vector<double>& v) {
  return Make(DataType::kBool, {static_cast<int64_t>(v.size())}, v);
}

TEST(Gather, IndicesShapeReplacesAxis) {
  const Tensor data = F32({3, 2}, Iota(6));
  ExpectTensor(RunOne("Gather", {data, I64({2, 2}, {0, 2, -1, 1})}), kF32, {2, 2, 2},
               {0, 1, 4, 5, 4, 5, 2, 3});
  ExpectTensor(RunOne("Gather", {data, I64({}, {1})}, {MakeAttr("axis", -1)}), kF32, {3},
               {1, 3, 5});
  ExpectTensor(RunOne("Gather", {Make(DataType::kFloat16, {3}, {0.5, 1.5, -2}),
                                 Make(DataType::kInt32, {2}, {2, 0})}),
               DataType::kFloat16, {2}, {-2, 0.5});
}

TEST(Gather, OutOfRangeIndexIsAnError) {
  EXPECT_EQ(RunStatus("Gather", {F32({3}, {1, 2, 3}), I64({1}, {3})}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RunStatus("Gather", {F32({3}, {1, 2, 3}), I64({1}, {-4})}).code(),
            StatusCode::kInvalidArgument);
}

TEST(GatherElements, BothAxesAndNegativeIndices) {
  const Tensor data = F32({2, 2}, {1, 2, 3, 4});
  ExpectTensor(RunOne("GatherElements", {data, I64({2, 2}, {0, 0, 1, 0})}, {MakeAttr("axis", 1)}),
               kF32, {2, 2}, {1, 1, 4, 3});
  ExpectTensor(RunOne("GatherElements", {data, I64({1, 2}, {-1, 0})}, {MakeAttr("axis", -2)}), kF32,
               {1, 2}, {3, 2});
  EXPECT_EQ(RunStatus("GatherElements", {data, I64({2}, {0, 1})}).code(),
            StatusCode::kInvalidArgument);
}

TEST(GatherND, TuplesSlicesAndBatchDims) {
  const Tensor data = F32({2, 2}, {0, 1, 2, 3});
  ExpectTensor(RunOne("GatherND", {data, I64({2, 2}, {0, 0, 1, 1})}), kF32, {2}, {0, 3});
  ExpectTensor(RunOne("GatherND", {data, I64({2, 1}, {1, 0})}), kF32, {2, 2}, {2, 3, 0, 1});
  // batch_dims=1 (opset 12+): batch 0 takes data[0][1], batch 1 takes data[1][0].
  const Tensor cube = F32({2, 2, 2}, Iota(8));
  ExpectTensor(RunOne("GatherND", {cube, I64({2, 1}, {1, 0})}, {MakeAttr("batch_dims", 1)}, 13),
               kF32, {2, 2}, {2, 3, 4, 5});
  EXPECT_EQ(RunStatus("GatherND", {data, I64({1, 2}, {0, 2})}).code(),
            StatusCode::kInvalidArgument);
}

TEST(Compress, WithAndWithoutAxis) {
  const Tensor data = F32({3, 2}, Iota(6));
  ExpectTensor(RunOne("Compress", {data, Bools({0, 1, 1})}, {MakeAttr("axis", 0)}), kF32, {2, 2},
               {2, 3, 4, 5});
  ExpectTensor(RunOne("Compress", {data, Bools({0, 1})}, {MakeAttr("axis", -1)}), kF32, {3, 1},
               {1, 3, 5});
  // Without axis the input is flattened; a shorter condition drops the rest.
  ExpectTensor(RunOne("Compress", {data, Bools({1, 0, 0, 1})}), kF32, {2}, {0, 3});
  EXPECT_EQ(RunStatus("Compress", {data, Bools({0, 0, 0, 1})}, {MakeAttr("axis", 0)}).code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shrink::testing
