#include "passes/fuse_gelu.h"

#include <gtest/gtest.h>

#include "ir/printer.h"
#include "pass_test_util.h"

namespace shrink::passes {
namespace {

using ir::GraphBuilder;
using ir::Value;

Value* F(GraphBuilder& b, float v) { return b.Const("c", Tensor::Scalar<float>(v)); }

// x*0.5*(1+erf(x/sqrt2)) in the layout `variant`: 0 = Mul(Mul(x, a), 0.5) (PyTorch),
// 1 = Mul(Mul(x, 0.5), a), 2 = Mul(Mul(a, 0.5), x). `divisor` lets a test break the pattern.
testing::BuildFn GeluErf(int variant, float divisor = 1.4142135381698608f, bool leak = false) {
  return [=](GraphBuilder& b) {
    Value* x = b.Input("x", DataType::kFloat32, Shape{2, 8});
    Value* e = b.Op("Erf", {b.Op("Div", {x, F(b, divisor)}, {}, "div")}, {}, "erf");
    Value* a = b.Op("Add", {e, F(b, 1.0f)}, {}, "add");
    Value* y = nullptr;
    if (variant == 0) y = b.Op("Mul", {b.Op("Mul", {x, a}, {}, "mul1"), F(b, 0.5f)}, {}, "mul2");
    if (variant == 1) y = b.Op("Mul", {b.Op("Mul", {x, F(b, 0.5f)}, {}, "mul1"), a}, {}, "mul2");
    if (variant == 2) y = b.Op("Mul", {b.Op("Mul", {a, F(b, 0.5f)}, {}, "mul1"), x}, {}, "mul2");
    b.Output(y, "y");
    if (leak) b.Output(b.Op("Neg", {e}, {}, "leak"), "z");
  };
}

// GPT-2's 0.5*x*(1+tanh(sqrt(2/pi)*(x+0.044715*x^3))).
void GeluTanh(GraphBuilder& b) {
  Value* x = b.Input("x", DataType::kFloat32, Shape{2, 8});
  Value* cube = b.Op("Pow", {x, F(b, 3.0f)}, {}, "pow");
  Value* inner = b.Op("Add", {x, b.Op("Mul", {cube, F(b, 0.044715f)}, {}, "mul_c")}, {}, "sum");
  Value* t =
      b.Op("Tanh", {b.Op("Mul", {inner, F(b, 0.7978845834732056f)}, {}, "mul_k")}, {}, "tanh");
  Value* a = b.Op("Add", {t, F(b, 1.0f)}, {}, "add");
  b.Output(b.Op("Mul", {b.Op("Mul", {x, F(b, 0.5f)}, {}, "half"), a}, {}, "mul"), "y");
}

runtime::Feeds Feeds() { return {{"x", testing::RandomTensor({2, 8}, 5, -4, 4)}}; }
std::unique_ptr<Pass> Make() { return std::make_unique<FuseGelu>(); }

TEST(FuseGelu, ErfFormGolden) {
  ir::Model m = testing::ExpectEquivalentAfter(GeluErf(0), Make, Feeds(), true, 1e-6);
  EXPECT_EQ(ir::PrintGraph(*m.graph),
            "graph main(%x: float32[2, 8]) -> (%y: undefined[?]) {\n"
            "  %y = com.shrink.Gelu(%x) {approximate=\"none\"}  # div\n"
            "}\n");
}

TEST(FuseGelu, ErfFormVariants) {
  for (int v : {1, 2}) {
    ir::Model m = testing::ExpectEquivalentAfter(GeluErf(v), Make, Feeds(), true, 1e-6);
    EXPECT_EQ(m.graph->num_nodes(), 1u) << "variant " << v;
  }
}

TEST(FuseGelu, TanhFormGolden) {
  ir::Model m = testing::ExpectEquivalentAfter(GeluTanh, Make, Feeds(), true, 1e-5);
  EXPECT_EQ(ir::PrintGraph(*m.graph),
            "graph main(%x: float32[2, 8]) -> (%y: undefined[?]) {\n"
            "  %y = com.shrink.Gelu(%x) {approximate=\"tanh\"}  # pow\n"
            "}\n");
}

TEST(FuseGelu, Opset20UsesOnnxGelu) {
  ir::Model m = testing::ExpectEquivalentAfter(GeluErf(0), Make, Feeds(), true, 1e-6, 20);
  ASSERT_EQ(m.graph->num_nodes(), 1u);
  EXPECT_EQ(m.graph->nodes()[0]->domain(), "");
  EXPECT_EQ(m.graph->nodes()[0]->op_type(), "Gelu");
}

TEST(FuseGelu, NegativeCases) {
  // Wrong constant.
  testing::ExpectEquivalentAfter(GeluErf(0, 1.5f), Make, Feeds(), false);
  // Erf output has a second consumer.
  testing::ExpectEquivalentAfter(GeluErf(0, 1.4142135381698608f, true), Make, Feeds(), false);
}

}  // namespace
}  // namespace shrink::passes
