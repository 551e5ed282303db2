// Comparison, boolean and selection kernels (Equal Less Greater LessOrEqual GreaterOrEqual Not And
// Or Xor Where).
#include <gtest/gtest.h>

#include <string>

#include "runtime/kernel_test_helpers.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

Tensor Bools(Shape shape, const std::vector<bool>& v) {
  return Tensor::FromVector<bool>(std::move(shape), v);
}

TEST(Logical, ComparisonsBroadcast) {
  const Tensor a = F32({2, 2}, {1, 2, 3, 4});
  const Tensor b = F32({2}, {2, 3});
  ExpectTensor(RunOne("Equal", {a, b}), kBool, {2, 2}, {0, 0, 0, 0});
  ExpectTensor(RunOne("Less", {a, b}), kBool, {2, 2}, {1, 1, 0, 0});
  ExpectTensor(RunOne("Greater", {a, b}), kBool, {2, 2}, {0, 0, 1, 1});
  ExpectTensor(RunOne("LessOrEqual", {a, b}), kBool, {2, 2}, {1, 1, 0, 0});
  ExpectTensor(RunOne("GreaterOrEqual", {a, F32({}, {2})}), kBool, {2, 2}, {0, 1, 1, 1});
  ExpectTensor(RunOne("Equal", {a, F32({2, 1}, {2, 3})}), kBool, {2, 2}, {0, 1, 1, 0});
}

TEST(Logical, IntegerBoolAndHalfComparisons) {
  const Tensor i = Make(DataType::kInt64, {3}, {-1, 5, 9});
  const Tensor j = Make(DataType::kInt64, {3}, {-1, 6, 8});
  ExpectTensor(RunOne("Equal", {i, j}), kBool, {3}, {1, 0, 0});
  ExpectTensor(RunOne("Less", {i, j}), kBool, {3}, {0, 1, 0});
  ExpectTensor(RunOne("Equal", {Bools({2}, {true, false}), Bools({2}, {true, true})}), kBool, {2},
               {1, 0});
  // float16 compares by value, not by bit pattern (-1 < 0.5 although 0xBC00 > 0x3800).
  const Tensor h = Make(DataType::kFloat16, {2}, {-1, 2});
  const Tensor k = Make(DataType::kFloat16, {2}, {0.5, 2});
  ExpectTensor(RunOne("Less", {h, k}), kBool, {2}, {1, 0});
  ExpectTensor(RunOne("Equal", {h, k}), kBool, {2}, {0, 1});
}

TEST(Logical, EqualStringsFromOpset19) {
  Tensor a(DataType::kString, {2});
  a.strings() = {"cat", "dog"};
  Tensor b(DataType::kString, {});
  b.strings() = {"dog"};
  ExpectTensor(RunOne("Equal", {a, b}, {}, 19), kBool, {2}, {0, 1});
}

TEST(Logical, LegacyBroadcastBeforeOpset7) {
  const Tensor a = F32({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor b = F32({2}, {2, 5});
  // broadcast=1 with axis=0 aligns b with a's first dim.
  const Tensor y = RunOne("Greater", {a, b},
                          {MakeAttr("broadcast", int64_t{1}), MakeAttr("axis", int64_t{0})}, 1);
  ExpectTensor(y, kBool, {2, 3}, {0, 0, 1, 0, 0, 1});
  EXPECT_EQ(RunStatus("Greater", {a, b}, {}, 1).code(), StatusCode::kInvalidArgument);
  const Tensor t = Bools({2, 2}, {true, true, false, false});
  const Tensor u = Bools({2}, {true, false});
  ExpectTensor(RunOne("And", {t, u}, {MakeAttr("broadcast", int64_t{1})}, 1), kBool, {2, 2},
               {1, 0, 0, 0});
}

TEST(Logical, BooleanOps) {
  const Tensor a = Bools({4}, {false, false, true, true});
  const Tensor b = Bools({4}, {false, true, false, true});
  ExpectTensor(RunOne("And", {a, b}), kBool, {4}, {0, 0, 0, 1});
  ExpectTensor(RunOne("Or", {a, b}), kBool, {4}, {0, 1, 1, 1});
  ExpectTensor(RunOne("Xor", {a, b}), kBool, {4}, {0, 1, 1, 0});
  ExpectTensor(RunOne("Not", {a}), kBool, {4}, {1, 1, 0, 0});
  ExpectTensor(RunOne("Or", {a, Bools({}, {true})}), kBool, {4}, {1, 1, 1, 1});
  // Non-bool operands are rejected.
  EXPECT_EQ(RunStatus("And", {F32({1}, {1}), F32({1}, {1})}).code(), StatusCode::kInvalidArgument);
}

TEST(Logical, WhereBroadcastsAllThree) {
  const Tensor cond = Bools({2, 1}, {true, false});
  const Tensor x = F32({1, 3}, {1, 2, 3});
  const Tensor y = F32({}, {-1});
  ExpectTensor(RunOne("Where", {cond, x, y}), DataType::kFloat32, {2, 3}, {1, 2, 3, -1, -1, -1});
  // Half and integer payloads are moved unchanged.
  const Tensor hx = Make(DataType::kFloat16, {2}, {0.5, 1.5});
  const Tensor hy = Make(DataType::kFloat16, {2}, {-2, -4});
  ExpectTensor(RunOne("Where", {Bools({2}, {false, true}), hx, hy}), DataType::kFloat16, {2},
               {-2, 1.5});
  EXPECT_EQ(RunStatus("Where", {Bools({3}, {true, true, false}), x, F32({2}, {1, 2})}).code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shrink::testing
