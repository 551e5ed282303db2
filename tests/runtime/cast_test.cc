// Cast and CastLike across float, half, integer, bool and int4 dtypes.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "core/half.h"
#include "runtime/kernel_test_helpers.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

ir::Attribute To(DataType t) { return MakeAttr("to", static_cast<int64_t>(t)); }

TEST(Cast, FloatToIntegersTruncatesTowardZero) {
  const Tensor x = F32({4}, {1.9, -1.9, 0.5, 100});
  ExpectTensor(RunOne("Cast", {x}, {To(DataType::kInt32)}), DataType::kInt32, {4}, {1, -1, 0, 100});
  ExpectTensor(RunOne("Cast", {x}, {To(DataType::kInt8)}), DataType::kInt8, {4}, {1, -1, 0, 100});
}

TEST(Cast, OutOfRangeFloatSaturatesAndNaNIsZero) {
  const Tensor x = F32({3}, {1e10, -1e10, std::numeric_limits<double>::quiet_NaN()});
  ExpectTensor(RunOne("Cast", {x}, {To(DataType::kInt32)}), DataType::kInt32, {3},
               {std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min(), 0});
}

TEST(Cast, IntegerNarrowingWraps) {
  const Tensor x = Tensor::FromVector<int64_t>({3}, {300, -1, int64_t{1} << 40});
  const Tensor y = RunOne("Cast", {x}, {To(DataType::kUInt8)});
  ExpectTensor(y, DataType::kUInt8, {3}, {44, 255, 0});
  // int64 -> uint64 keeps all 64 bits.
  const Tensor big = Tensor::FromVector<int64_t>({1}, {std::numeric_limits<int64_t>::max()});
  const Tensor u = RunOne("Cast", {big}, {To(DataType::kUInt64)});
  ASSERT_EQ(u.dtype(), DataType::kUInt64);
  EXPECT_EQ(u.data<uint64_t>()[0], static_cast<uint64_t>(std::numeric_limits<int64_t>::max()));
}

TEST(Cast, BoolConversions) {
  const Tensor x = F32({3}, {0, -0.5, 2});
  ExpectTensor(RunOne("Cast", {x}, {To(DataType::kBool)}), DataType::kBool, {3}, {0, 1, 1});
  const Tensor b = Tensor::FromVector<bool>({2}, {true, false});
  ExpectTensor(RunOne("Cast", {b}, {To(DataType::kFloat32)}), DataType::kFloat32, {2}, {1, 0});
}

TEST(Cast, HalfTypesRoundToNearestEven) {
  // 1 + 2^-11 is halfway between float16 1 and 1 + 2^-10: ties to even -> 1.
  const Tensor x = Make(DataType::kFloat64, {3}, {1 + 1.0 / 2048, 65504, 0.1});
  const Tensor h = RunOne("Cast", {x}, {To(DataType::kFloat16)});
  ASSERT_EQ(h.dtype(), DataType::kFloat16);
  const uint16_t* bits = static_cast<const uint16_t*>(h.raw());
  EXPECT_EQ(bits[0], 0x3C00);  // 1.0
  EXPECT_EQ(bits[1], 0x7BFF);  // 65504, the largest finite float16
  EXPECT_EQ(bits[2], 0x2E66);  // 0.1 -> 0.0999755859375
  const Tensor back = RunOne("Cast", {h}, {To(DataType::kFloat32)});
  ExpectTensor(back, DataType::kFloat32, {3}, {1, 65504, 0.0999755859375}, 0);
  const Tensor bf = RunOne("Cast", {F32({1}, {1.00390625})}, {To(DataType::kBFloat16)});
  // bfloat16 has 7 fraction bits: 1 + 2^-8 is a tie between 1 and 1 + 2^-7 -> 1.
  EXPECT_EQ(static_cast<const uint16_t*>(bf.raw())[0], 0x3F80);
}

TEST(Cast, Int4SaturatesAndUnpacks) {
  const Tensor x = Make(DataType::kInt32, {3}, {-20, 5, 3});
  const Tensor q = RunOne("Cast", {x}, {To(DataType::kInt4)}, 21);
  ASSERT_EQ(q.dtype(), DataType::kInt4);
  const Tensor back = RunOne("Cast", {q}, {To(DataType::kInt32)}, 21);
  ExpectTensor(back, DataType::kInt32, {3}, {-8, 5, 3});
}

TEST(Cast, Opset1TakesTheTargetAsAString) {
  const Tensor y = RunOne("Cast", {F32({2}, {1.5, -2.5})}, {MakeAttr("to", "INT32")}, 1);
  ExpectTensor(y, DataType::kInt32, {2}, {1, -2});
}

TEST(Cast, StringsAreUnsupported) {
  const Status s = RunStatus("Cast", {F32({1}, {1})}, {To(DataType::kString)});
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented) << s.ToString();
}

TEST(CastLike, TakesTheTargetDtypeFromInput1) {
  const Tensor y =
      RunOne("CastLike", {F32({2}, {3.7, -0.2}), Make(DataType::kInt16, {}, {0})}, {}, 15);
  ExpectTensor(y, DataType::kInt16, {2}, {3, 0});
}

}  // namespace
}  // namespace shrink::testing
