// widen_int4_weights: int4 / uint4 weight codes of QDQ Conv / MatMul / Gemm units (W4A8) become
// 8-bit constants with the same values. Golden IR, equivalence on the reference executor (exact:
// the DequantizeLinear output is unchanged), and what stays: block-wise int4 (weight-only), a
// weight whose consumer's input is float (weight-only per channel), a DequantizeLinear with another
// reader.
#include "passes/widen_int4_weights.h"

#include <gtest/gtest.h>

#include "ir/printer.h"
#include "pass_test_util.h"

namespace shrink::passes {
namespace {

using ir::GraphBuilder;
using ir::MakeAttr;
using ir::Value;
using testing::RandomInts;

struct Case {
  DataType codes = DataType::kInt4;
  bool zero_point = false;
  bool float_x = false;    // x not dequantized: weight-only, not a QDQ unit
  bool blocked = false;    // block_size 4 along K (weight-only int4)
  bool extra_use = false;  // the dequantized weight is also a graph output
};

// uint8 x [2, 8] -> DQ -> MatMul(DQ(int4 w [8, 3], per column)) -> y.
testing::BuildFn W4MatMul(Case c) {
  return [=](GraphBuilder& b) {
    Value* x;
    if (c.float_x) {
      x = b.Input("x", DataType::kFloat32, Shape{2, 8});
    } else {
      x = b.Op("DequantizeLinear",
               {b.Input("xq", DataType::kUInt8, Shape{2, 8}),
                b.Const("xs", Tensor::Scalar<float>(0.05f)),
                b.Const("xzp", Tensor::Scalar<uint8_t>(128))},
               {}, "dq_x");
    }
    const bool u4 = c.codes == DataType::kUInt4;
    const Shape s_shape = c.blocked ? Shape{2, 3} : Shape{3};
    std::vector<Value*> w_in = {
        b.Const("wq", RandomInts(c.codes, {8, 3}, u4 ? 0 : -8, u4 ? 15 : 7, 1)),
        b.Const("ws", testing::RandomTensor(s_shape, 2, 0.01f, 0.03f))};
    if (c.zero_point)
      w_in.push_back(b.Const("wzp", RandomInts(c.codes, s_shape, u4 ? 6 : -1, u4 ? 9 : 1, 3)));
    std::vector<ir::Attribute> attrs = {MakeAttr("axis", int64_t{c.blocked ? 0 : 1})};
    if (c.blocked) attrs.push_back(MakeAttr("block_size", int64_t{4}));
    Value* w = b.Op("DequantizeLinear", w_in, attrs, "dq_w");
    b.Output(b.Op("MatMul", {x, w}, {}, "mm"), "y");
    if (c.extra_use) b.Output(w, "w");
  };
}

runtime::Feeds Feeds(const Case& c) {
  if (c.float_x) return {{"x", testing::RandomTensor({2, 8}, 5)}};
  return {{"xq", RandomInts(DataType::kUInt8, {2, 8}, 0, 255, 4)}};
}

std::unique_ptr<Pass> Make() { return std::make_unique<WidenInt4Weights>(); }

TEST(WidenInt4Weights, Int4PerColumnGolden) {
  Case c;
  ir::Model m = testing::ExpectEquivalentAfter(W4MatMul(c), Make, Feeds(c), true, 0.0, 21);
  EXPECT_EQ(ir::PrintGraph(*m.graph),
            "graph main(%xq: uint8[2, 8]) -> (%y: undefined[?]) {\n"
            "  %xs = initializer float32[] {0.05}\n"
            "  %xzp = initializer uint8[] {128}\n"
            "  %ws = initializer float32[3] {0.0187199, 0.0137016, 0.0105185}\n"
            "  %wq.int8 = initializer int8[8, 3]\n"
            "  %dq_x_out = DequantizeLinear(%xq, %xs, %xzp)  # dq_x\n"
            "  %dq_w_out = DequantizeLinear(%wq.int8, %ws) {axis=1}  # dq_w\n"
            "  %y = MatMul(%dq_x_out, %dq_w_out)  # mm\n"
            "}\n");
}

TEST(WidenInt4Weights, Uint4AndZeroPointsKeepValues) {
  for (DataType t : {DataType::kInt4, DataType::kUInt4}) {
    Case c;
    c.codes = t;
    c.zero_point = true;
    ir::Model m = testing::ExpectEquivalentAfter(W4MatMul(c), Make, Feeds(c), true, 0.0, 21);
    const DataType want = t == DataType::kInt4 ? DataType::kInt8 : DataType::kUInt8;
    ASSERT_NE(m.graph->FindValue("wq.int8"), nullptr);
    EXPECT_EQ(m.graph->FindValue("wq.int8")->data().dtype(), want);
    ASSERT_NE(m.graph->FindValue("wzp.int8"), nullptr);
    EXPECT_EQ(m.graph->FindValue("wzp.int8")->data().dtype(), want);
  }
}

TEST(WidenInt4Weights, LeavesWeightOnlyAndSharedDequantizeAlone) {
  Case blocked;
  blocked.blocked = true;
  Case float_x;
  float_x.float_x = true;
  Case shared;
  shared.extra_use = true;
  for (const Case& c : {blocked, float_x, shared}) {
    ir::Model m = testing::ExpectEquivalentAfter(W4MatMul(c), Make, Feeds(c), false, 0.0, 21);
    ASSERT_NE(m.graph->FindValue("wq"), nullptr);
    EXPECT_EQ(m.graph->FindValue("wq")->data().dtype(), DataType::kInt4);
  }
}

}  // namespace
}  // namespace shrink::passes
