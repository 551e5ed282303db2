#include "passes/fuse_qdq.h"

#include <gtest/gtest.h>

#include <random>

#include "ir/printer.h"
#include "pass_test_util.h"

namespace shrink::passes {
namespace {

using ir::GraphBuilder;
using ir::MakeAttr;
using ir::Value;

Tensor RandomInts(DataType t, const Shape& shape, int lo, int hi, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> dist(lo, hi);
  Tensor out(t, shape);
  for (int64_t i = 0; i < out.numel(); ++i) out.SetFromDouble(i, dist(gen));
  return out;
}

Value* Scalar(GraphBuilder& b, const char* name, float v) {
  return b.Const(name, Tensor::Scalar<float>(v));
}
Value* ScalarU8(GraphBuilder& b, const char* name, uint8_t v) {
  return b.Const(name, Tensor::Scalar<uint8_t>(v));
}

// uint8 x -> DQ -> Conv(DQ(int8 w, per-channel), float bias) -> Q (uint8).
testing::BuildFn QdqConv(bool per_channel, bool extra_use = false) {
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
    Value* c = b.Op("Conv", {x, w, b.Const("bias", testing::RandomTensor({5}, 2, -0.5f, 0.5f))},
                    {MakeAttr("pads", std::vector<int64_t>{1, 1, 1, 1})}, "conv");
    b.Output(b.Op("QuantizeLinear", {c, Scalar(b, "ys", 0.1f), ScalarU8(b, "yzp", 120)}, {}, "q"),
             "y");
    if (extra_use) b.Output(c, "float_y");
  };
}

testing::BuildFn QdqMatMul(bool per_channel) {
  return [=](GraphBuilder& b) {
    Value* xq = b.Input("xq", DataType::kInt8, Shape{3, 8});
    Value* x =
        b.Op("DequantizeLinear",
             {xq, Scalar(b, "xs", 0.04f), b.Const("xzp", Tensor::Scalar<int8_t>(3))}, {}, "dq_x");
    Value* ws = per_channel ? b.Const("ws", testing::RandomTensor({5}, 9, 0.01f, 0.02f))
                            : Scalar(b, "ws", 0.02f);
    Value* w = b.Op("DequantizeLinear",
                    {b.Const("wq", RandomInts(DataType::kInt8, {8, 5}, -100, 100, 4)), ws},
                    {MakeAttr("axis", int64_t{1})}, "dq_w");
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
  ir::Model m = testing::ExpectEquivalentAfter(
      QdqMatMul(false), Make, {{"xq", RandomInts(DataType::kInt8, {3, 8}, -128, 127, 5)}}, true,
      1.0);
  EXPECT_EQ(testing::CountOps(*m.graph, "QLinearMatMul"), 1);
  EXPECT_EQ(m.graph->num_nodes(), 1u);
}

TEST(FuseQdq, NegativeCases) {
  // Float conv output also used elsewhere.
  testing::ExpectEquivalentAfter(QdqConv(true, true), Make, ConvFeeds(), false);
  // Per-column MatMul weights are not handled.
  testing::ExpectEquivalentAfter(
      QdqMatMul(true), Make, {{"xq", RandomInts(DataType::kInt8, {3, 8}, -128, 127, 5)}}, false);
}

}  // namespace
}  // namespace shrink::passes
