#include "passes/fuse_qdq.h"

#include <gtest/gtest.h>

#include "ir/printer.h"
#include "pass_test_util.h"

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

// uint8 x -> DQ -> Conv(DQ(int8 w, per-channel), float bias) -> Q (uint8).
testing::BuildFn QdqConv(bool per_channel, bool extra_use = false, bool relu = false,
                         uint8_t yzp = 120, bool int_bias = false) {
  return [=](GraphBuilder& b) {
    Value* xq = b.Input("xq", DataType::kUInt8, Shape{1, 3, 6, 6});
    Value* x =
        b.Op("DequantizeLinear", {xq, Scalar(b, "xs", 0.05f), ScalarU8(b, "xzp", 128)}, {}, "dq_x");
    Value* ws =
        per_channel
            ? b.Const("ws", Tensor::FromVector<float>({5}, {0.01f, 0.02f, 0.015f, 0.03f, 0.012f}))
            : Scalar(b, "ws", 0.02f);
    Value* w = b.Op("DequantizeLinear",
                    {b.Const("wq", RandomInts(DataType::kInt8, {5, 3, 3, 3}, -100, 100, 1)), ws},
                    {MakeAttr("axis", int64_t{0})}, "dq_w");
    // ONNX Runtime's QDQ form of the bias: DequantizeLinear(int32, xs * ws).
    Value* bias = int_bias ? b.Op("DequantizeLinear",
                                  {b.Const("bq", RandomInts(DataType::kInt32, {5}, -500, 500, 3)),
                                   Scalar(b, "bs", 0.05f * 0.02f)},
                                  {}, "dq_b")
                           : b.Const("bias", testing::RandomTensor({5}, 2, -0.5f, 0.5f));
    Value* c =
        b.Op("Conv", {x, w, bias}, {MakeAttr("pads", std::vector<int64_t>{1, 1, 1, 1})}, "conv");
    Value* r = relu ? b.Op("Relu", {c}, {}, "relu") : c;
    b.Output(b.Op("QuantizeLinear", {r, Scalar(b, "ys", 0.1f), ScalarU8(b, "yzp", yzp)}, {}, "q"),
             "y");
    if (extra_use) b.Output(c, "float_y");
  };
}

testing::BuildFn QdqMatMul(bool per_channel, int64_t axis = 1) {
  return [=](GraphBuilder& b) {
    Value* xq = b.Input("xq", DataType::kInt8, Shape{3, 8});
    Value* x =
        b.Op("DequantizeLinear",
             {xq, Scalar(b, "xs", 0.04f), b.Const("xzp", Tensor::Scalar<int8_t>(3))}, {}, "dq_x");
    Value* ws = per_channel
                    ? b.Const("ws", testing::RandomTensor({axis == 1 ? 5 : 8}, 9, 0.01f, 0.02f))
                    : Scalar(b, "ws", 0.02f);
    Value* w = b.Op("DequantizeLinear",
                    {b.Const("wq", RandomInts(DataType::kInt8, {8, 5}, -100, 100, 4)), ws},
                    {MakeAttr("axis", axis)}, "dq_w");
    Value* mm = b.Op("MatMul", {x, w}, {}, "mm");
    b.Output(b.Op("QuantizeLinear", {mm, Scalar(b, "ys", 0.2f)}, {}, "q"), "y");
  };
}

std::unique_ptr<Pass> Make() { return std::make_unique<FuseQdq>(); }
runtime::Feeds ConvFeeds() {
  return {{"xq", RandomInts(DataType::kUInt8, {1, 3, 6, 6}, 0, 255, 7)}};
}

// Requantization in the fused kernel may round a value that sits on a .5 boundary the other way:
// at most one quantization step of difference.
TEST(FuseQdq, ConvPerChannelGolden) {
  ir::Model m = testing::ExpectEquivalentAfter(QdqConv(true), Make, ConvFeeds(), true, 1.0);
  EXPECT_EQ(ir::PrintGraph(*m.graph),
            "graph main(%xq: uint8[1, 3, 6, 6]) -> (%y: undefined[?]) {\n"
            "  %xs = initializer float32[] {0.05}\n"
            "  %xzp = initializer uint8[] {128}\n"
            "  %ws = initializer float32[5]\n"
            "  %wq = initializer int8[5, 3, 3, 3]\n"
            "  %ys = initializer float32[] {0.1}\n"
            "  %yzp = initializer uint8[] {120}\n"
            "  %conv.w_zero_point = initializer int8[] {0}\n"
            "  %conv.bias_quantized = initializer int32[5]\n"
            "  %y = QLinearConv(%xq, %xs, %xzp, %wq, %ws, %conv.w_zero_point, %ys, %yzp, "
            "%conv.bias_quantized) {pads=[1, 1, 1, 1]}  # conv\n"
            "}\n");
}

TEST(FuseQdq, ConvPerTensorAndMatMul) {
  testing::ExpectEquivalentAfter(QdqConv(false), Make, ConvFeeds(), true, 1.0);
  // An int32 bias behind a DequantizeLinear (scale xs * ws) keeps its integer values.
  ir::Model ib = testing::ExpectEquivalentAfter(QdqConv(false, false, false, 120, true), Make,
                                                ConvFeeds(), true, 1.0);
  EXPECT_EQ(testing::CountOps(*ib.graph, "DequantizeLinear"), 0);
  const ir::Value* bq = ib.graph->FindValue("conv.bias_quantized");
  ASSERT_NE(bq, nullptr);
  const Tensor want = RandomInts(DataType::kInt32, {5}, -500, 500, 3);
  for (int64_t c = 0; c < 5; ++c) EXPECT_EQ(bq->data().data<int32_t>()[c], want.data<int32_t>()[c]);
  ir::Model m = testing::ExpectEquivalentAfter(
      QdqMatMul(false), Make, {{"xq", RandomInts(DataType::kInt8, {3, 8}, -128, 127, 5)}}, true,
      1.0);
  EXPECT_EQ(testing::CountOps(*m.graph, "QLinearMatMul"), 1);
  EXPECT_EQ(m.graph->num_nodes(), 1u);
}

TEST(FuseQdq, NegativeCases) {
  // Float conv output also used elsewhere.
  testing::ExpectEquivalentAfter(QdqConv(true, true), Make, ConvFeeds(), false);
  // Per-row (axis 0) MatMul weight scales have no QLinearMatMul form.
  testing::ExpectEquivalentAfter(
      QdqMatMul(true, 0), Make, {{"xq", RandomInts(DataType::kInt8, {3, 8}, -128, 127, 5)}}, false);
  // A Relu before a QuantizeLinear whose zero point is not the lowest value is not absorbed.
  testing::ExpectEquivalentAfter(QdqConv(false, false, true, 120), Make, ConvFeeds(), false);
}

TEST(FuseQdq, PerColumnMatMulGolden) {
  ir::Model m = testing::ExpectEquivalentAfter(
      QdqMatMul(true), Make, {{"xq", RandomInts(DataType::kInt8, {3, 8}, -128, 127, 5)}}, true,
      1.0);
  EXPECT_EQ(ir::PrintGraph(*m.graph),
            "graph main(%xq: int8[3, 8]) -> (%y: undefined[?]) {\n"
            "  %xs = initializer float32[] {0.04}\n"
            "  %xzp = initializer int8[] {3}\n"
            "  %ws = initializer float32[5]\n"
            "  %wq = initializer int8[8, 5]\n"
            "  %ys = initializer float32[] {0.2}\n"
            "  %mm.w_zero_point = initializer int8[] {0}\n"
            "  %mm.y_zero_point = initializer uint8[] {0}\n"
            "  %y = QLinearMatMul(%xq, %xs, %xzp, %wq, %ws, %mm.w_zero_point, %ys, "
            "%mm.y_zero_point)  # mm\n"
            "}\n");
}

// Conv -> Relu -> QuantizeLinear with a zero point at the dtype's minimum: the Relu is absorbed
// (exactly: saturation already maps negatives to the zero point).
TEST(FuseQdq, ReluBeforeQuantizeIsAbsorbed) {
  ir::Model m =
      testing::ExpectEquivalentAfter(QdqConv(true, false, true, 0), Make, ConvFeeds(), true, 1.0);
  EXPECT_EQ(testing::CountOps(*m.graph, "QLinearConv"), 1);
  EXPECT_EQ(testing::CountOps(*m.graph, "Relu"), 0);
  EXPECT_EQ(m.graph->num_nodes(), 1u);
}

}  // namespace
}  // namespace shrink::passes
