// fuse_qdq_gemm: QDQ Gemm [+ Relu] [-> QuantizeLinear] -> com.microsoft QGemm (int32 bias,
// per-column weight scales, transB), golden IR and equivalence on the reference executor: within
// one quantization step for requantized outputs, within the bias rounding (half an accumulator
// unit, xs * ws / 2 per output) for float outputs.
#include "passes/fuse_qdq_gemm.h"

#include <gtest/gtest.h>

#include "ir/printer.h"
#include "pass_test_util.h"

namespace shrink::passes {
namespace {

using ir::GraphBuilder;
using ir::MakeAttr;
using ir::Value;
using testing::RandomInts;

struct GemmCase {
  bool trans_b = true;
  bool per_channel = true;
  bool int_bias = false;  // DequantizeLinear(int32) bias (ORT's QDQ form) instead of float
  bool relu = false;
  bool quantize = true;  // QuantizeLinear after (else float output)
  uint8_t yzp = 0;
  float alpha = 1.0f;
};

constexpr float kXs = 0.05f;

// uint8 x [4, 6] -> DQ -> Gemm(DQ(int8 w [5, 6] or [6, 5]), bias [5]) [-> Relu] [-> Q uint8].
testing::BuildFn QdqGemm(GemmCase c) {
  return [=](GraphBuilder& b) {
    Value* xq = b.Input("xq", DataType::kUInt8, Shape{4, 6});
    Value* x = b.Op("DequantizeLinear",
                    {xq, b.Const("xs", Tensor::Scalar<float>(kXs)),
                     b.Const("xzp", Tensor::Scalar<uint8_t>(128))},
                    {}, "dq_x");
    const Tensor ws_v = Tensor::FromVector<float>({5}, {0.01f, 0.02f, 0.015f, 0.03f, 0.012f});
    Value* ws = c.per_channel ? b.Const("ws", ws_v) : b.Const("ws", Tensor::Scalar<float>(0.02f));
    const Shape w_shape = c.trans_b ? Shape{5, 6} : Shape{6, 5};
    Value* w = b.Op("DequantizeLinear",
                    {b.Const("wq", RandomInts(DataType::kInt8, w_shape, -100, 100, 1)), ws},
                    {MakeAttr("axis", int64_t{c.trans_b ? 0 : 1})}, "dq_w");
    Value* bias = c.int_bias ? b.Op("DequantizeLinear",
                                    {b.Const("bq", RandomInts(DataType::kInt32, {5}, -500, 500, 3)),
                                     b.Const("bs", Tensor::FromVector<float>(
                                                       {5}, {kXs * 0.01f, kXs * 0.02f, kXs * 0.015f,
                                                             kXs * 0.03f, kXs * 0.012f}))},
                                    {MakeAttr("axis", int64_t{0})}, "dq_b")
                             : b.Const("bias", testing::RandomTensor({5}, 2, -0.5f, 0.5f));
    std::vector<ir::Attribute> attrs = {MakeAttr("transB", int64_t{c.trans_b ? 1 : 0})};
    if (c.alpha != 1.0f) attrs.push_back(MakeAttr("alpha", c.alpha));
    Value* y = b.Op("Gemm", {x, w, bias}, attrs, "fc");
    if (c.relu) y = b.Op("Relu", {y}, {}, "relu");
    if (c.quantize)
      y = b.Op("QuantizeLinear",
               {y, b.Const("ys", Tensor::Scalar<float>(0.1f)),
                b.Const("yzp", Tensor::Scalar<uint8_t>(c.yzp))},
               {}, "q");
    b.Output(y, "y");
  };
}

std::unique_ptr<Pass> Make() { return std::make_unique<FuseQdqGemm>(); }
runtime::Feeds Feeds() { return {{"xq", RandomInts(DataType::kUInt8, {4, 6}, 0, 255, 7)}}; }

TEST(FuseQdqGemm, PerChannelReluQuantizeGolden) {
  GemmCase c;
  c.relu = true;
  ir::Model m = testing::ExpectEquivalentAfter(QdqGemm(c), Make, Feeds(), true, 1.0);
  EXPECT_EQ(ir::PrintGraph(*m.graph),
            "graph main(%xq: uint8[4, 6]) -> (%y: undefined[?]) {\n"
            "  %xs = initializer float32[] {0.05}\n"
            "  %xzp = initializer uint8[] {128}\n"
            "  %ws = initializer float32[5]\n"
            "  %wq = initializer int8[5, 6]\n"
            "  %ys = initializer float32[] {0.1}\n"
            "  %yzp = initializer uint8[] {0}\n"
            "  %fc.w_zero_point = initializer int8[] {0}\n"
            "  %fc.bias_quantized = initializer int32[5]\n"
            "  %y = com.microsoft.QGemm(%xq, %xs, %xzp, %wq, %ws, %fc.w_zero_point, "
            "%fc.bias_quantized, %ys, %yzp) {transB=1}  # fc\n"
            "}\n");
  EXPECT_EQ(m.OpsetFor("com.microsoft"), 1);
}

TEST(FuseQdqGemm, IntBiasKeepsItsValues) {
  GemmCase c;
  c.int_bias = true;
  c.yzp = 120;
  ir::Model m = testing::ExpectEquivalentAfter(QdqGemm(c), Make, Feeds(), true, 1.0);
  EXPECT_EQ(testing::CountOps(*m.graph, "DequantizeLinear"), 0);
  const ir::Value* bq = m.graph->FindValue("fc.bias_quantized");
  ASSERT_NE(bq, nullptr);
  const Tensor want = RandomInts(DataType::kInt32, {5}, -500, 500, 3);
  for (int64_t j = 0; j < 5; ++j) EXPECT_EQ(bq->data().data<int32_t>()[j], want.data<int32_t>()[j]);
}

TEST(FuseQdqGemm, PerTensorUntransposedAndFloatOutput) {
  GemmCase c;
  c.trans_b = false;
  c.per_channel = false;
  testing::ExpectEquivalentAfter(QdqGemm(c), Make, Feeds(), true, 1.0);
  // No QuantizeLinear: QGemm keeps a float32 output; the bias rounds to the accumulator's units.
  c.quantize = false;
  ir::Model m = testing::ExpectEquivalentAfter(QdqGemm(c), Make, Feeds(), true, kXs * 0.02 / 2);
  ASSERT_EQ(m.graph->num_nodes(), 1u);
  EXPECT_EQ(m.graph->nodes()[0]->inputs().size(), 7u);  // no y_scale / y_zero_point
  // A Relu after a float-output QGemm stays a Relu.
  c.relu = true;
  c.per_channel = true;
  c.trans_b = true;
  ir::Model r = testing::ExpectEquivalentAfter(QdqGemm(c), Make, Feeds(), true, kXs * 0.03 / 2);
  EXPECT_EQ(testing::CountOps(*r.graph, "Relu"), 1);
}

TEST(FuseQdqGemm, NegativeCases) {
  GemmCase c;
  c.alpha = 0.5f;  // only alpha = 1 is rewritten
  testing::ExpectEquivalentAfter(QdqGemm(c), Make, Feeds(), false);
  // Per-row weight scales (axis = K axis) have no QGemm form.
  testing::ExpectEquivalentAfter(
      [](GraphBuilder& b) {
        Value* xq = b.Input("xq", DataType::kUInt8, Shape{4, 6});
        Value* x = b.Op("DequantizeLinear", {xq, b.Const("xs", Tensor::Scalar<float>(kXs))}, {});
        Value* w = b.Op("DequantizeLinear",
                        {b.Const("wq", RandomInts(DataType::kInt8, {6, 5}, -100, 100, 1)),
                         b.Const("ws", testing::RandomTensor({6}, 4, 0.01f, 0.02f))},
                        {MakeAttr("axis", int64_t{0})});
        b.Output(b.Op("Gemm", {x, w}, {}), "y");
      },
      Make, Feeds(), false);
}

}  // namespace
}  // namespace shrink::passes
