// fuse_qdq_float_output: QDQ Conv / MatMul with a float output (no QuantizeLinear after) ->
// com.shrink QConvFloat / QMatMulFloat. Golden IR, and equivalence on the reference executor:
// the int32 accumulator is exact and the float bias is not rounded, so outputs agree with the
// float path up to float32 rounding of the sums (kFloatTol on outputs of order 1-10).
#include "passes/fuse_qdq_float_output.h"

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

constexpr double kFloatTol = 1e-4;

struct ConvCase {
  bool per_channel = true;
  int bias = 1;  // 0: none, 1: float constant, 2: DequantizeLinear(int32) (ORT's QDQ form)
  bool relu = false;
  bool requantize = false;  // a QuantizeLinear after (fuse_qdq's job, not this pass's)
  bool float_x = false;     // x not dequantized (weight-only quantization)
};

// uint8 x [1, 3, 6, 6] -> DQ -> Conv(DQ(int8 w [5, 3, 3, 3]), bias) [-> Relu] -> y (float).
testing::BuildFn QdqConv(ConvCase c) {
  return [=](GraphBuilder& b) {
    Value* x;
    if (c.float_x) {
      x = b.Input("x", DataType::kFloat32, Shape{1, 3, 6, 6});
    } else {
      Value* xq = b.Input("xq", DataType::kUInt8, Shape{1, 3, 6, 6});
      x = b.Op("DequantizeLinear",
               {xq, b.Const("xs", Tensor::Scalar<float>(0.05f)),
                b.Const("xzp", Tensor::Scalar<uint8_t>(128))},
               {}, "dq_x");
    }
    Value* ws =
        c.per_channel
            ? b.Const("ws", Tensor::FromVector<float>({5}, {0.01f, 0.02f, 0.015f, 0.03f, 0.012f}))
            : b.Const("ws", Tensor::Scalar<float>(0.02f));
    Value* w = b.Op("DequantizeLinear",
                    {b.Const("wq", RandomInts(DataType::kInt8, {5, 3, 3, 3}, -100, 100, 1)), ws},
                    {MakeAttr("axis", int64_t{0})}, "dq_w");
    std::vector<Value*> ins = {x, w};
    if (c.bias == 1) ins.push_back(b.Const("bias", testing::RandomTensor({5}, 2, -0.5f, 0.5f)));
    if (c.bias == 2)
      ins.push_back(b.Op("DequantizeLinear",
                         {b.Const("bq", RandomInts(DataType::kInt32, {5}, -500, 500, 3)),
                          b.Const("bs", Tensor::Scalar<float>(0.05f * 0.02f))},
                         {}, "dq_b"));
    Value* y = b.Op("Conv", ins, {MakeAttr("pads", std::vector<int64_t>{1, 1, 1, 1})}, "conv");
    if (c.relu) y = b.Op("Relu", {y}, {}, "relu");
    if (c.requantize)
      y = b.Op("QuantizeLinear",
               {y, b.Const("ys", Tensor::Scalar<float>(0.1f)),
                b.Const("yzp", Tensor::Scalar<uint8_t>(0))},
               {}, "q");
    b.Output(y, "y");
  };
}

// int8 a [2, 3, 8] (rank 3) -> DQ -> MatMul(DQ(int8 b [8, 5])) -> y (float), also read by Relu.
testing::BuildFn QdqMatMul(bool per_column, int64_t axis = 1) {
  return [=](GraphBuilder& b) {
    Value* aq = b.Input("aq", DataType::kInt8, Shape{2, 3, 8});
    Value* a = b.Op("DequantizeLinear",
                    {aq, b.Const("as", Tensor::Scalar<float>(0.04f)),
                     b.Const("azp", Tensor::Scalar<int8_t>(3))},
                    {}, "dq_a");
    Value* bs = per_column
                    ? b.Const("bs", testing::RandomTensor({axis == 1 ? 5 : 8}, 9, 0.01f, 0.02f))
                    : b.Const("bs", Tensor::Scalar<float>(0.02f));
    Value* w = b.Op("DequantizeLinear",
                    {b.Const("bq", RandomInts(DataType::kInt8, {8, 5}, -100, 100, 4)), bs},
                    {MakeAttr("axis", axis)}, "dq_b");
    Value* y = b.Op("MatMul", {a, w}, {}, "mm");
    b.Output(y, "y");
    b.Output(b.Op("Relu", {y}, {}, "relu"), "r");
  };
}

std::unique_ptr<Pass> Make() { return std::make_unique<FuseQdqFloatOutput>(); }
runtime::Feeds ConvFeeds() {
  return {{"xq", RandomInts(DataType::kUInt8, {1, 3, 6, 6}, 0, 255, 7)}};
}
runtime::Feeds MatMulFeeds() {
  return {{"aq", RandomInts(DataType::kInt8, {2, 3, 8}, -128, 127, 8)}};
}

TEST(FuseQdqFloatOutput, PerChannelConvGolden) {
  ir::Model m = testing::ExpectEquivalentAfter(QdqConv({}), Make, ConvFeeds(), true, kFloatTol);
  EXPECT_EQ(ir::PrintGraph(*m.graph),
            "graph main(%xq: uint8[1, 3, 6, 6]) -> (%y: undefined[?]) {\n"
            "  %xs = initializer float32[] {0.05}\n"
            "  %xzp = initializer uint8[] {128}\n"
            "  %ws = initializer float32[5]\n"
            "  %wq = initializer int8[5, 3, 3, 3]\n"
            "  %bias = initializer float32[5]\n"
            "  %conv.w_zero_point = initializer int8[] {0}\n"
            "  %y = com.shrink.QConvFloat(%xq, %xs, %xzp, %wq, %ws, %conv.w_zero_point, %bias) "
            "{pads=[1, 1, 1, 1]}  # conv\n"
            "}\n");
  EXPECT_EQ(m.OpsetFor("com.shrink"), 1);
}

TEST(FuseQdqFloatOutput, ConvVariantsKeepValues) {
  ConvCase c;
  c.per_channel = false;
  c.bias = 0;
  testing::ExpectEquivalentAfter(QdqConv(c), Make, ConvFeeds(), true, kFloatTol);
  // The int32 bias form becomes a float32 bias with the values DequantizeLinear gives.
  c.bias = 2;
  ir::Model m = testing::ExpectEquivalentAfter(QdqConv(c), Make, ConvFeeds(), true, kFloatTol);
  EXPECT_EQ(testing::CountOps(*m.graph, "DequantizeLinear"), 0);
  ASSERT_NE(m.graph->FindValue("conv.bias"), nullptr);
  EXPECT_EQ(m.graph->FindValue("conv.bias")->data().dtype(), DataType::kFloat32);
  // A Relu after stays a Relu (the fast plan fuses it as a post-op).
  c.relu = true;
  ir::Model r = testing::ExpectEquivalentAfter(QdqConv(c), Make, ConvFeeds(), true, kFloatTol);
  EXPECT_EQ(testing::CountOps(*r.graph, "Relu"), 1);
  EXPECT_EQ(testing::CountOps(*r.graph, "QConvFloat"), 1);
}

TEST(FuseQdqFloatOutput, MatMulAnyRankGolden) {
  ir::Model m =
      testing::ExpectEquivalentAfter(QdqMatMul(true), Make, MatMulFeeds(), true, kFloatTol);
  EXPECT_EQ(ir::PrintGraph(*m.graph),
            "graph main(%aq: int8[2, 3, 8]) -> (%y: undefined[?], %r: undefined[?]) {\n"
            "  %as = initializer float32[] {0.04}\n"
            "  %azp = initializer int8[] {3}\n"
            "  %bs = initializer float32[5]\n"
            "  %bq = initializer int8[8, 5]\n"
            "  %mm.w_zero_point = initializer int8[] {0}\n"
            "  %y = com.shrink.QMatMulFloat(%aq, %as, %azp, %bq, %bs, %mm.w_zero_point)  # mm\n"
            "  %r = Relu(%y)  # relu\n"
            "}\n");
  testing::ExpectEquivalentAfter(QdqMatMul(false), Make, MatMulFeeds(), true, kFloatTol);
}

TEST(FuseQdqFloatOutput, LowerQdqKeepsRequantizingFusionFirst) {
  // With a QuantizeLinear after, LowerQdq gives fuse_qdq's QLinearConv; without, QConvFloat.
  for (bool requantize : {true, false}) {
    ConvCase c;
    c.requantize = requantize;
    ir::Model m = testing::Build(QdqConv(c));
    auto changed = LowerQdq(m);
    ASSERT_TRUE(changed.ok()) << changed.status().ToString();
    EXPECT_EQ(testing::CountOps(*m.graph, "QLinearConv"), requantize ? 1 : 0);
    EXPECT_EQ(testing::CountOps(*m.graph, "QConvFloat"), requantize ? 0 : 1);
    EXPECT_EQ(testing::CountOps(*m.graph, "DequantizeLinear"), 0);
  }
}

TEST(FuseQdqFloatOutput, NegativeCases) {
  // Float activations are weight-only quantization (other kernels' job).
  ConvCase c;
  c.float_x = true;
  testing::ExpectEquivalentAfter(QdqConv(c), Make, {{"x", testing::RandomTensor({1, 3, 6, 6}, 5)}},
                                 false);
  // Per-row weight scales (along K) have no per-column form.
  testing::ExpectEquivalentAfter(QdqMatMul(true, 0), Make, MatMulFeeds(), false);
}

}  // namespace
}  // namespace shrink::passes
