// fuse_qdq_ops: QDQ MaxPool -> 8-bit MaxPool (exact), QDQ Add [+ Relu] -> com.microsoft
// QLinearAdd and QDQ GlobalAveragePool [+ Flatten] -> com.microsoft QLinearGlobalAveragePool
// (within one quantization step), golden IR and equivalence on the reference executor.
#include "passes/fuse_qdq_ops.h"

#include <gtest/gtest.h>

#include <random>

#include "ir/printer.h"
#include "pass_test_util.h"

namespace shrink::passes {
namespace {

using ir::GraphBuilder;
using ir::MakeAttr;
using ir::Value;

Tensor RandomU8(const Shape& shape, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> dist(0, 255);
  Tensor out(DataType::kUInt8, shape);
  for (int64_t i = 0; i < out.numel(); ++i) out.SetFromDouble(i, dist(gen));
  return out;
}

Value* Dq(GraphBuilder& b, Value* q, const char* name, float s, uint8_t zp) {
  return b.Op("DequantizeLinear",
              {q, b.Const(std::string(name) + "_s", Tensor::Scalar<float>(s)),
               b.Const(std::string(name) + "_zp", Tensor::Scalar<uint8_t>(zp))},
              {}, name);
}
Value* Q(GraphBuilder& b, Value* x, const char* name, float s, uint8_t zp) {
  return b.Op("QuantizeLinear",
              {x, b.Const(std::string(name) + "_s", Tensor::Scalar<float>(s)),
               b.Const(std::string(name) + "_zp", Tensor::Scalar<uint8_t>(zp))},
              {}, name);
}

testing::BuildFn QdqMaxPool(float out_scale) {
  return [=](GraphBuilder& b) {
    Value* x = Dq(b, b.Input("xq", DataType::kUInt8, Shape{1, 2, 7, 7}), "dq", 0.05f, 10);
    Value* p = b.Op("MaxPool", {x},
                    {MakeAttr("kernel_shape", Shape{3, 3}), MakeAttr("strides", Shape{2, 2}),
                     MakeAttr("pads", Shape{1, 1, 1, 1})},
                    "pool");
    b.Output(Q(b, p, "q", out_scale, 10), "y");
  };
}

testing::BuildFn QdqAdd(bool relu, uint8_t yzp) {
  return [=](GraphBuilder& b) {
    Value* a = Dq(b, b.Input("aq", DataType::kUInt8, Shape{1, 4, 5, 5}), "dq_a", 0.05f, 128);
    Value* c = Dq(b, b.Input("bq", DataType::kUInt8, Shape{1, 4, 5, 5}), "dq_b", 0.03f, 100);
    Value* s = b.Op("Add", {a, c}, {}, "add");
    if (relu) s = b.Op("Relu", {s}, {}, "relu");
    b.Output(Q(b, s, "q", 0.07f, yzp), "y");
  };
}

std::unique_ptr<Pass> Make() { return std::make_unique<FuseQdqOps>(); }

TEST(FuseQdqOps, MaxPoolGoldenAndExact) {
  ir::Model m = testing::ExpectEquivalentAfter(QdqMaxPool(0.05f), Make,
                                               {{"xq", RandomU8({1, 2, 7, 7}, 1)}}, true, 0.0);
  EXPECT_EQ(ir::PrintGraph(*m.graph),
            "graph main(%xq: uint8[1, 2, 7, 7]) -> (%y: undefined[?]) {\n"
            "  %y = MaxPool(%xq) {kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]}  # "
            "pool\n"
            "}\n");
}

// Other output parameters: the pooling runs on the 8-bit values and the pooled tensor is
// dequantized (exact), the QuantizeLinear with the new parameters stays.
TEST(FuseQdqOps, MaxPoolWithOtherOutputScaleDequantizesAfterPooling) {
  ir::Model m = testing::ExpectEquivalentAfter(QdqMaxPool(0.1f), Make,
                                               {{"xq", RandomU8({1, 2, 7, 7}, 1)}}, true, 0.0);
  EXPECT_EQ(ir::PrintGraph(*m.graph),
            "graph main(%xq: uint8[1, 2, 7, 7]) -> (%y: undefined[?]) {\n"
            "  %dq_s = initializer float32[] {0.05}\n"
            "  %dq_zp = initializer uint8[] {10}\n"
            "  %q_s = initializer float32[] {0.1}\n"
            "  %q_zp = initializer uint8[] {10}\n"
            "  %pool_int8 = MaxPool(%xq) {kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]}  "
            "# pool_int8\n"
            "  %pool_out = DequantizeLinear(%pool_int8, %dq_s, %dq_zp)  # pool\n"
            "  %y = QuantizeLinear(%pool_out, %q_s, %q_zp)  # q\n"
            "}\n");
}

TEST(FuseQdqOps, AddReluGolden) {
  runtime::Feeds feeds{{"aq", RandomU8({1, 4, 5, 5}, 2)}, {"bq", RandomU8({1, 4, 5, 5}, 3)}};
  ir::Model m = testing::ExpectEquivalentAfter(QdqAdd(true, 0), Make, feeds, true, 1.0);
  EXPECT_EQ(ir::PrintGraph(*m.graph),
            "graph main(%aq: uint8[1, 4, 5, 5], %bq: uint8[1, 4, 5, 5]) -> (%y: undefined[?]) {\n"
            "  %dq_a_s = initializer float32[] {0.05}\n"
            "  %dq_a_zp = initializer uint8[] {128}\n"
            "  %dq_b_s = initializer float32[] {0.03}\n"
            "  %dq_b_zp = initializer uint8[] {100}\n"
            "  %q_s = initializer float32[] {0.07}\n"
            "  %q_zp = initializer uint8[] {0}\n"
            "  %y = com.microsoft.QLinearAdd(%aq, %dq_a_s, %dq_a_zp, %bq, %dq_b_s, %dq_b_zp, "
            "%q_s, %q_zp)  # add\n"
            "}\n");
  EXPECT_EQ(m.OpsetFor(kMicrosoftDomain), 1);
  // Without a Relu, any zero point.
  testing::ExpectEquivalentAfter(QdqAdd(false, 77), Make, feeds, true, 1.0);
}

// DequantizeLinear -> Op -> QuantizeLinear with equal parameters: Op on the 8-bit values.
testing::BuildFn QdqDataMovement(const std::string& op, float out_scale, uint8_t out_zp) {
  return [=](GraphBuilder& b) {
    Value* x = Dq(b, b.Input("xq", DataType::kUInt8, Shape{2, 3, 4, 5}), "dq", 0.05f, 10);
    Value* y = nullptr;
    if (op == "Flatten")
      y = b.Op("Flatten", {x}, {MakeAttr("axis", int64_t{1})}, "op");
    else if (op == "Reshape")
      y = b.Op("Reshape", {x, b.Const("shape", Tensor::FromVector<int64_t>({2}, {6, 20}))}, {},
               "op");
    else if (op == "Transpose")
      y = b.Op("Transpose", {x}, {MakeAttr("perm", Shape{0, 2, 3, 1})}, "op");
    else
      y = b.Op(op, {x}, {}, "op");
    b.Output(Q(b, y, "q", out_scale, out_zp), "y");
  };
}

TEST(FuseQdqOps, DataMovementRunsOnEightBitValues) {
  const runtime::Feeds feeds{{"xq", RandomU8({2, 3, 4, 5}, 4)}};
  ir::Model m =
      testing::ExpectEquivalentAfter(QdqDataMovement("Flatten", 0.05f, 10), Make, feeds, true, 0.0);
  EXPECT_EQ(ir::PrintGraph(*m.graph),
            "graph main(%xq: uint8[2, 3, 4, 5]) -> (%y: undefined[?]) {\n"
            "  %y = Flatten(%xq) {axis=1}  # op\n"
            "}\n");
  m = testing::ExpectEquivalentAfter(QdqDataMovement("Dropout", 0.05f, 10), Make, feeds, true, 0.0);
  EXPECT_EQ(ir::PrintGraph(*m.graph),
            "graph main(%xq: uint8[2, 3, 4, 5]) -> (%y: undefined[?]) {\n"
            "  %y = Identity(%xq)  # op\n"
            "}\n");
  for (const char* op : {"Reshape", "Transpose", "Identity"}) {
    SCOPED_TRACE(op);
    testing::ExpectEquivalentAfter(QdqDataMovement(op, 0.05f, 10), Make, feeds, true, 0.0);
  }
  // Other parameters after the op: left alone (a requantization, not a no-op).
  testing::ExpectEquivalentAfter(QdqDataMovement("Flatten", 0.06f, 10), Make, feeds, false);
  testing::ExpectEquivalentAfter(QdqDataMovement("Flatten", 0.05f, 11), Make, feeds, false);
}

// DequantizeLinear -> GlobalAveragePool [-> Flatten] -> QuantizeLinear (a classifier's input).
testing::BuildFn QdqGlobalAveragePool(bool flatten, float out_scale, uint8_t out_zp) {
  return [=](GraphBuilder& b) {
    Value* x = Dq(b, b.Input("xq", DataType::kUInt8, Shape{2, 6, 5, 7}), "dq", 0.05f, 10);
    Value* y = b.Op("GlobalAveragePool", {x}, {}, "gap");
    if (flatten) y = b.Op("Flatten", {y}, {MakeAttr("axis", int64_t{1})}, "flatten");
    b.Output(Q(b, y, "q", out_scale, out_zp), "y");
  };
}

TEST(FuseQdqOps, GlobalAveragePoolRunsOnEightBitValues) {
  const runtime::Feeds feeds{{"xq", RandomU8({2, 6, 5, 7}, 5)}};
  ir::Model m =
      testing::ExpectEquivalentAfter(QdqGlobalAveragePool(false, 0.02f, 7), Make, feeds, true, 1.0);
  EXPECT_EQ(ir::PrintGraph(*m.graph),
            "graph main(%xq: uint8[2, 6, 5, 7]) -> (%y: undefined[?]) {\n"
            "  %dq_s = initializer float32[] {0.05}\n"
            "  %dq_zp = initializer uint8[] {10}\n"
            "  %q_s = initializer float32[] {0.02}\n"
            "  %q_zp = initializer uint8[] {7}\n"
            "  %y = com.microsoft.QLinearGlobalAveragePool(%xq, %dq_s, %dq_zp, %q_s, %q_zp) "
            "{channels_last=0}  # gap\n"
            "}\n");
  EXPECT_EQ(m.OpsetFor(kMicrosoftDomain), 1);
  // Through a Flatten: the pool on 8-bit values, then the Flatten moves them.
  m = testing::ExpectEquivalentAfter(QdqGlobalAveragePool(true, 0.03f, 0), Make, feeds, true, 1.0);
  EXPECT_EQ(ir::PrintGraph(*m.graph),
            "graph main(%xq: uint8[2, 6, 5, 7]) -> (%y: undefined[?]) {\n"
            "  %dq_s = initializer float32[] {0.05}\n"
            "  %dq_zp = initializer uint8[] {10}\n"
            "  %q_s = initializer float32[] {0.03}\n"
            "  %q_zp = initializer uint8[] {0}\n"
            "  %gap_int8 = com.microsoft.QLinearGlobalAveragePool(%xq, %dq_s, %dq_zp, %q_s, "
            "%q_zp) {channels_last=0}  # gap_int8\n"
            "  %y = Flatten(%gap_int8) {axis=1}  # flatten\n"
            "}\n");
}

TEST(FuseQdqOps, NegativeCases) {
  // Relu not implied by the output zero point.
  runtime::Feeds feeds{{"aq", RandomU8({1, 4, 5, 5}, 2)}, {"bq", RandomU8({1, 4, 5, 5}, 3)}};
  testing::ExpectEquivalentAfter(QdqAdd(true, 5), Make, feeds, false);
}

}  // namespace
}  // namespace shrink::passes
