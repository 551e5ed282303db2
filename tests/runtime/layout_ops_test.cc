// Transpose, Expand, Tile, DepthToSpace, SpaceToDepth, Trilu.
#include <gtest/gtest.h>

#include "runtime/kernel_test_helpers.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

TEST(Transpose, DefaultReversesAxes) {
  ExpectTensor(RunOne("Transpose", {F32({2, 3}, Iota(6))}), kF32, {3, 2}, {0, 3, 1, 4, 2, 5});
}

TEST(Transpose, ExplicitPermOnInt8) {
  // out[j, i, k] = x[i, j, k] = 12 i + 4 j + k.
  const Tensor x = Make(DataType::kInt8, {2, 3, 4}, Iota(24));
  ExpectTensor(RunOne("Transpose", {x}, {MakeAttr("perm", std::vector<int64_t>{1, 0, 2})}),
               DataType::kInt8, {3, 2, 4}, {0,  1,  2,  3,  12, 13, 14, 15, 4,  5,  6,  7,
                                            16, 17, 18, 19, 8,  9,  10, 11, 20, 21, 22, 23});
}

TEST(Transpose, Strings) {
  Tensor x(DataType::kString, {2, 2});
  x.strings() = {"a", "b", "c", "d"};
  const Tensor y = RunOne("Transpose", {x});
  ASSERT_EQ(y.dtype(), DataType::kString);
  EXPECT_EQ(y.strings(), (std::vector<std::string>{"a", "c", "b", "d"}));
}

TEST(Transpose, BadPermIsAnError) {
  EXPECT_EQ(
      RunStatus("Transpose", {F32({2, 3}, Iota(6))}, {MakeAttr("perm", std::vector<int64_t>{0, 0})})
          .code(),
      StatusCode::kInvalidArgument);
}

TEST(Expand, BidirectionalBroadcast) {
  const std::vector<double> half = {1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3};
  std::vector<double> both = half;
  both.insert(both.end(), half.begin(), half.end());
  ExpectTensor(RunOne("Expand", {F32({3, 1}, {1, 2, 3}), I64({3}, {2, 1, 4})}), kF32, {2, 3, 4},
               both);
  // A target shape smaller than the input keeps the input dims.
  ExpectTensor(RunOne("Expand", {F32({2, 3}, Iota(6)), I64({2}, {1, 1})}), kF32, {2, 3}, Iota(6));
  EXPECT_EQ(RunStatus("Expand", {F32({3}, {1, 2, 3}), I64({1}, {2})}).code(),
            StatusCode::kInvalidArgument);
}

TEST(Tile, RepeatsEachAxis) {
  ExpectTensor(RunOne("Tile", {F32({2, 2}, {1, 2, 3, 4}), I64({2}, {2, 3})}), kF32, {4, 6},
               {1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4, 1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4});
  ExpectTensor(RunOne("Tile", {Make(DataType::kBool, {2}, {1, 0}), I64({1}, {2})}), DataType::kBool,
               {4}, {1, 0, 1, 0});
  EXPECT_EQ(RunStatus("Tile", {F32({2}, {1, 2}), I64({2}, {1, 1})}).code(),
            StatusCode::kInvalidArgument);
}

TEST(DepthToSpace, DcrAndCrdModes) {
  // 8 channels, blocksize 2 -> 2 channels of 2x2. DCR: channel = (by*2 + bx)*2 + c.
  const Tensor x = F32({1, 8, 1, 1}, Iota(8));
  ExpectTensor(RunOne("DepthToSpace", {x}, {MakeAttr("blocksize", 2)}), kF32, {1, 2, 2, 2},
               {0, 2, 4, 6, 1, 3, 5, 7});
  // CRD: channel = c*4 + by*2 + bx.
  ExpectTensor(RunOne("DepthToSpace", {x}, {MakeAttr("blocksize", 2), MakeAttr("mode", "CRD")}),
               kF32, {1, 2, 2, 2}, Iota(8));
  // Opset 1 has no mode attribute: always DCR.
  ExpectTensor(RunOne("DepthToSpace", {x}, {MakeAttr("blocksize", 2)}, 1), kF32, {1, 2, 2, 2},
               {0, 2, 4, 6, 1, 3, 5, 7});
  EXPECT_EQ(
      RunStatus("DepthToSpace", {F32({1, 3, 1, 1}, {1, 2, 3})}, {MakeAttr("blocksize", 2)}).code(),
      StatusCode::kInvalidArgument);
}

TEST(SpaceToDepth, InverseOfDcr) {
  // x[c, h, w] = 4c + 2h + w; out channel (h*2 + w)*2 + c.
  ExpectTensor(RunOne("SpaceToDepth", {F32({1, 2, 2, 2}, Iota(8))}, {MakeAttr("blocksize", 2)}),
               kF32, {1, 8, 1, 1}, {0, 4, 1, 5, 2, 6, 3, 7});
  EXPECT_EQ(
      RunStatus("SpaceToDepth", {F32({1, 1, 3, 2}, Iota(6))}, {MakeAttr("blocksize", 2)}).code(),
      StatusCode::kInvalidArgument);
}

TEST(Trilu, UpperLowerAndOffset) {
  const Tensor x = F32({3, 3}, Iota(9, 1));
  ExpectTensor(RunOne("Trilu", {x}, {}, 14), kF32, {3, 3}, {1, 2, 3, 0, 5, 6, 0, 0, 9});
  ExpectTensor(RunOne("Trilu", {x, I64({}, {1})}, {}, 14), kF32, {3, 3},
               {0, 2, 3, 0, 0, 6, 0, 0, 0});
  ExpectTensor(RunOne("Trilu", {x, I64({}, {-1})}, {MakeAttr("upper", 0)}, 14), kF32, {3, 3},
               {0, 0, 0, 4, 0, 0, 7, 8, 0});
  // Batched: the mask applies to every trailing matrix.
  ExpectTensor(RunOne("Trilu", {Make(kI64, {2, 2, 2}, Iota(8, 1))}, {MakeAttr("upper", 0)}, 14),
               kI64, {2, 2, 2}, {1, 0, 3, 4, 5, 0, 7, 8});
  EXPECT_EQ(RunStatus("Trilu", {F32({3}, {1, 2, 3})}, {}, 14).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shrink::testing
