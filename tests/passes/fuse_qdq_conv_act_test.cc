#include "passes/fuse_qdq_conv_act.h"

#include <gtest/gtest.h>

#include "ir/printer.h"
#include "pass_test_util.h"
#include "passes/fuse_qdq_ops.h"

namespace shrink::passes {
namespace {

using ir::GraphBuilder;
using ir::MakeAttr;
using ir::Value;
using testing::RandomInts;

Value* Scalar(GraphBuilder& b, const char* name, float v) {
  return b.Const(name, Tensor::Scalar<float>(v));
}
Value* ScalarU8(GraphBuilder& b, const char* name, uint8_t v) {
  return b.Const(name, Tensor::Scalar<uint8_t>(v));
}

struct Variant {
  bool extra_use = false;  // the HardSwish output is also a graph output
  bool relu = false;       // Relu instead of HardSwish (not this pass's pattern)
  bool float_out = false;  // no QuantizeLinear after the HardSwish
};

// uint8 x -> DQ -> Conv(DQ(int8 w, per-channel), float bias) -> HardSwish -> Q (uint8).
testing::BuildFn QdqConvHardSwish(Variant v) {
  return [=](GraphBuilder& b) {
    Value* xq = b.Input("xq", DataType::kUInt8, Shape{1, 3, 6, 6});
    Value* x =
        b.Op("DequantizeLinear", {xq, Scalar(b, "xs", 0.05f), ScalarU8(b, "xzp", 128)}, {}, "dq_x");
    Value* ws =
        b.Const("ws", Tensor::FromVector<float>({5}, {0.01f, 0.02f, 0.015f, 0.03f, 0.012f}));
    Value* w = b.Op("DequantizeLinear",
                    {b.Const("wq", RandomInts(DataType::kInt8, {5, 3, 3, 3}, -100, 100, 1)), ws},
                    {MakeAttr("axis", int64_t{0})}, "dq_w");
    Value* bias = b.Const("bias", testing::RandomTensor({5}, 2, -0.5f, 0.5f));
    Value* c =
        b.Op("Conv", {x, w, bias}, {MakeAttr("pads", std::vector<int64_t>{1, 1, 1, 1})}, "conv");
    Value* h = b.Op(v.relu ? "Relu" : "HardSwish", {c}, {}, "act");
    if (v.float_out) {
      b.Output(h, "y");
      return;
    }
    b.Output(b.Op("QuantizeLinear", {h, Scalar(b, "ys", 0.1f), ScalarU8(b, "yzp", 10)}, {}, "q"),
             "y");
    if (v.extra_use) b.Output(h, "float_y");
  };
}

std::unique_ptr<Pass> Make() { return std::make_unique<FuseQdqConvActivation>(); }
runtime::Feeds Feeds() { return {{"xq", RandomInts(DataType::kUInt8, {1, 3, 6, 6}, 0, 255, 7)}}; }

// The bias is rounded to the accumulator grid and the result requantized: at most one step off.
TEST(FuseQdqConvAct, HardSwishGolden) {
  ir::Model m = testing::ExpectEquivalentAfter(QdqConvHardSwish({}), Make, Feeds(), true, 1.0);
  EXPECT_EQ(ir::PrintGraph(*m.graph),
            "graph main(%xq: uint8[1, 3, 6, 6]) -> (%y: undefined[?]) {\n"
            "  %xs = initializer float32[] {0.05}\n"
            "  %xzp = initializer uint8[] {128}\n"
            "  %ws = initializer float32[5]\n"
            "  %wq = initializer int8[5, 3, 3, 3]\n"
            "  %ys = initializer float32[] {0.1}\n"
            "  %yzp = initializer uint8[] {10}\n"
            "  %conv.w_zero_point = initializer int8[] {0}\n"
            "  %conv.bias_quantized = initializer int32[5]\n"
            "  %y = com.shrink.QLinearConvAct(%xq, %xs, %xzp, %wq, %ws, %conv.w_zero_point, %ys, "
            "%yzp, %conv.bias_quantized) {pads=[1, 1, 1, 1], activation=\"HardSwish\"}  # conv\n"
            "}\n");
}

TEST(FuseQdqConvAct, NegativeCases) {
  Variant v;
  v.extra_use = true;
  testing::ExpectEquivalentAfter(QdqConvHardSwish(v), Make, Feeds(), false, 1.0);
  v = {};
  v.relu = true;  // fuse_qdq's pattern
  testing::ExpectEquivalentAfter(QdqConvHardSwish(v), Make, Feeds(), false, 1.0);
  v = {};
  v.float_out = true;
  testing::ExpectEquivalentAfter(QdqConvHardSwish(v), Make, Feeds(), false, 1e-6);
}

// LowerQdq takes the Conv + HardSwish before fuse_qdq / fuse_qdq_float_output see the Conv.
TEST(FuseQdqConvAct, LowerQdqUsesIt) {
  ir::Model m = testing::Build(QdqConvHardSwish({}));
  auto lowered = LowerQdq(m);
  ASSERT_TRUE(lowered.ok());
  EXPECT_TRUE(*lowered);
  EXPECT_EQ(testing::CountOps(*m.graph, "QLinearConvAct"), 1);
  EXPECT_EQ(testing::CountOps(*m.graph, "HardSwish"), 0);
  EXPECT_EQ(testing::CountOps(*m.graph, "DequantizeLinear"), 0);
}

}  // namespace
}  // namespace shrink::passes
