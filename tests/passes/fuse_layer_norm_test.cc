#include "passes/fuse_layer_norm.h"

#include <gtest/gtest.h>

#include "ir/printer.h"
#include "pass_test_util.h"

namespace shrink::passes {
namespace {

using ir::GraphBuilder;
using ir::MakeAttr;
using ir::Value;

// The decomposed LayerNorm over the last axis of x[2, 3, 8] (axes as an attribute: opset 17).
testing::BuildFn Decomposed(bool with_beta = true, int64_t axis = -1, bool leak = false) {
  return [=](GraphBuilder& b) {
    Value* x = b.Input("x", DataType::kFloat32, Shape{2, 3, 8});
    auto mean = [&](Value* v, const char* name) {
      return b.Op("ReduceMean", {v}, {MakeAttr("axes", std::vector<int64_t>{axis})}, name);
    };
    Value* d = b.Op("Sub", {x, mean(x, "mean")}, {}, "sub");
    Value* var =
        mean(b.Op("Pow", {d, b.Const("two", Tensor::Scalar<float>(2.0f))}, {}, "pow"), "var");
    Value* s = b.Op(
        "Sqrt", {b.Op("Add", {var, b.Const("eps", Tensor::Scalar<float>(1e-5f))}, {}, "add_eps")},
        {}, "sqrt");
    Value* n = b.Op("Div", {d, s}, {}, "div");
    Value* y =
        b.Op("Mul", {n, b.Const("gamma", testing::RandomTensor({8}, 1, 0.5f, 1.5f))}, {}, "mul");
    if (with_beta) y = b.Op("Add", {y, b.Const("beta", testing::RandomTensor({8}, 2))}, {}, "add");
    b.Output(y, "y");
    if (leak) b.Output(s, "s");
  };
}

runtime::Feeds Feeds() { return {{"x", testing::RandomTensor({2, 3, 8}, 3, -2, 2)}}; }
std::unique_ptr<Pass> Make() { return std::make_unique<FuseLayerNorm>(); }

TEST(FuseLayerNorm, Golden) {
  ir::Model m = testing::ExpectEquivalentAfter(Decomposed(), Make, Feeds(), true, 1e-5);
  EXPECT_EQ(ir::PrintGraph(*m.graph),
            "graph main(%x: float32[2, 3, 8]) -> (%y: undefined[?]) {\n"
            "  %gamma = initializer float32[8]\n"
            "  %beta = initializer float32[8]\n"
            "  %y = LayerNormalization(%x, %gamma, %beta) {axis=-1, epsilon=1e-05}  # mean\n"
            "}\n");
}

TEST(FuseLayerNorm, WithoutBetaAndWithPositiveLastAxis) {
  ir::Model m = testing::ExpectEquivalentAfter(Decomposed(false, 2), Make, Feeds(), true, 1e-5);
  ASSERT_EQ(m.graph->num_nodes(), 1u);
  EXPECT_EQ(m.graph->nodes()[0]->inputs().size(), 2u);
}

TEST(FuseLayerNorm, NegativeCases) {
  // Not the last axis.
  testing::ExpectEquivalentAfter(Decomposed(true, 1), Make, Feeds(), false);
  // An intermediate is a graph output.
  testing::ExpectEquivalentAfter(Decomposed(true, -1, true), Make, Feeds(), false);
  // Opset 16 has no LayerNormalization.
  ir::Model m = testing::Build(Decomposed(), 16);
  EXPECT_FALSE(testing::Apply(Make(), m));
}

}  // namespace
}  // namespace shrink::passes
