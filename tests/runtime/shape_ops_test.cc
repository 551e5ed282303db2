// Reshape, Flatten, Squeeze, Unsqueeze, Shape, Size, Identity, Dropout.
#include <gtest/gtest.h>

#include "runtime/kernel_test_helpers.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

TEST(Reshape, ZeroCopiesDimAndMinusOneInfers) {
  ExpectTensor(RunOne("Reshape", {F32({2, 3, 4}, Iota(24)), I64({3}, {4, 0, -1})}, {}, 13), kF32,
               {4, 3, 2}, Iota(24));
}

TEST(Reshape, AllowZeroChangesMeaningOfZeroAtOpset14) {
  const Tensor empty = F32({0, 3}, {});
  // Opset 13: 0 copies dim 1 (= 3) -> [3, 3] has 9 elements, not 0.
  EXPECT_EQ(RunStatus("Reshape", {empty, I64({2}, {3, 0})}, {}, 13).code(),
            StatusCode::kInvalidArgument);
  // Opset 14 allowzero=1: 0 is a literal zero.
  ExpectTensor(RunOne("Reshape", {empty, I64({2}, {3, 0})}, {MakeAttr("allowzero", 1)}, 14), kF32,
               {3, 0}, {});
}

TEST(Reshape, ShapeAttributeBeforeOpset5) {
  ExpectTensor(RunOne("Reshape", {F32({2, 3}, Iota(6))},
                      {MakeAttr("shape", std::vector<int64_t>{3, -1})}, 4),
               kF32, {3, 2}, Iota(6));
}

TEST(Reshape, WrongElementCountIsAnError) {
  const Status s = RunStatus("Reshape", {F32({2, 3}, Iota(6)), I64({2}, {4, 2})});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_EQ(RunStatus("Reshape", {F32({2, 3}, Iota(6)), I64({2}, {-1, -1})}).code(),
            StatusCode::kInvalidArgument);
}

TEST(Flatten, AxesIncludingNegative) {
  const Tensor x = F32({2, 3, 4}, Iota(24));
  ExpectTensor(RunOne("Flatten", {x}), kF32, {2, 12}, Iota(24));
  ExpectTensor(RunOne("Flatten", {x}, {MakeAttr("axis", 0)}), kF32, {1, 24}, Iota(24));
  ExpectTensor(RunOne("Flatten", {x}, {MakeAttr("axis", 3)}), kF32, {24, 1}, Iota(24));
  ExpectTensor(RunOne("Flatten", {x}, {MakeAttr("axis", -1)}, 13), kF32, {6, 4}, Iota(24));
  // Negative axes arrived in opset 11.
  EXPECT_EQ(RunStatus("Flatten", {x}, {MakeAttr("axis", -1)}, 9).code(),
            StatusCode::kInvalidArgument);
}

TEST(Squeeze, AttributeBefore13InputFrom13) {
  const Tensor x = F32({2, 1, 3, 1}, Iota(6));
  ExpectTensor(RunOne("Squeeze", {x}, {MakeAttr("axes", std::vector<int64_t>{-1})}, 11), kF32,
               {2, 1, 3}, Iota(6));
  ExpectTensor(RunOne("Squeeze", {x, I64({1}, {1})}, {}, 13), kF32, {2, 3, 1}, Iota(6));
  ExpectTensor(RunOne("Squeeze", {x}, {}, 13), kF32, {2, 3}, Iota(6));
  ExpectTensor(RunOne("Squeeze", {x}, {}, 11), kF32, {2, 3}, Iota(6));
}

TEST(Squeeze, NonUnitAxisIsAnError) {
  EXPECT_EQ(RunStatus("Squeeze", {F32({2, 1}, {1, 2}), I64({1}, {0})}, {}, 13).code(),
            StatusCode::kInvalidArgument);
}

TEST(Unsqueeze, AttributeBefore13InputFrom13) {
  const Tensor x = F32({2, 3}, Iota(6));
  // Axes refer to the output rank (4): 0 and -1 -> 3.
  ExpectTensor(RunOne("Unsqueeze", {x}, {MakeAttr("axes", std::vector<int64_t>{0, -1})}, 11), kF32,
               {1, 2, 3, 1}, Iota(6));
  ExpectTensor(RunOne("Unsqueeze", {x, I64({2}, {3, 1})}, {}, 13), kF32, {2, 1, 3, 1}, Iota(6));
  EXPECT_EQ(RunStatus("Unsqueeze", {x, I64({2}, {1, 1})}, {}, 13).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RunStatus("Unsqueeze", {x, I64({1}, {4})}, {}, 13).code(),
            StatusCode::kInvalidArgument);
}

TEST(Shape, StartEndFromOpset15) {
  const Tensor x = F32({2, 3, 4}, Iota(24));
  ExpectTensor(RunOne("Shape", {x}, {}, 13), kI64, {3}, {2, 3, 4});
  ExpectTensor(RunOne("Shape", {x}, {MakeAttr("start", 1)}, 15), kI64, {2}, {3, 4});
  ExpectTensor(RunOne("Shape", {x}, {MakeAttr("end", -1)}, 15), kI64, {2}, {2, 3});
  ExpectTensor(RunOne("Shape", {x}, {MakeAttr("start", -10), MakeAttr("end", 10)}, 15), kI64, {3},
               {2, 3, 4});
  ExpectTensor(RunOne("Shape", {x}, {MakeAttr("start", 2), MakeAttr("end", 1)}, 15), kI64, {0}, {});
  // Before opset 15 the attributes do not exist: the whole shape is returned.
  ExpectTensor(RunOne("Shape", {x}, {MakeAttr("start", 1)}, 13), kI64, {3}, {2, 3, 4});
}

TEST(Size, CountsElements) {
  ExpectTensor(RunOne("Size", {F32({2, 3, 4}, Iota(24))}), kI64, {}, {24});
  ExpectTensor(RunOne("Size", {F32({0, 3}, {})}), kI64, {}, {0});
}

TEST(Identity, AnyDtype) {
  ExpectTensor(RunOne("Identity", {Make(DataType::kInt8, {3}, {-1, 0, 7})}), DataType::kInt8, {3},
               {-1, 0, 7});
  ExpectTensor(RunOne("Identity", {Make(DataType::kBool, {2}, {1, 0})}), DataType::kBool, {2},
               {1, 0});
  ExpectTensor(RunOne("Identity", {Make(DataType::kFloat16, {2}, {1.5, -2})}), DataType::kFloat16,
               {2}, {1.5, -2});
}

TEST(Dropout, InferenceIsIdentityWithTrueMask) {
  const Tensor x = F32({2, 2}, {1, -2, 3, -4});
  auto out = RunOk("Dropout", {x, F32({}, {0.3})}, {}, 13, 2);
  ExpectTensor(out[0], kF32, {2, 2}, {1, -2, 3, -4});
  ExpectTensor(out[1], DataType::kBool, {2, 2}, {1, 1, 1, 1});
  // training_mode=true with ratio 0 is still the identity.
  out = RunOk("Dropout", {x, F32({}, {0}), Make(DataType::kBool, {}, {1})}, {}, 13, 2);
  ExpectTensor(out[0], kF32, {2, 2}, {1, -2, 3, -4});
  // Opset 7-9: the mask has the input dtype.
  out = RunOk("Dropout", {x}, {MakeAttr("ratio", 0.5f)}, 7, 2);
  ExpectTensor(out[1], kF32, {2, 2}, {1, 1, 1, 1});
}

TEST(Dropout, RandomTrainingModeIsUnsupported) {
  const Tensor x = F32({2}, {1, 2});
  EXPECT_EQ(
      RunStatus("Dropout", {x, F32({}, {0.5}), Make(DataType::kBool, {}, {1})}, {}, 13).code(),
      StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace shrink::testing
