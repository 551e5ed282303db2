#include "passes/constant_folding.h"

#include <gtest/gtest.h>

#include "ir/printer.h"
#include "pass_test_util.h"

namespace shrink::passes {
namespace {

using ir::GraphBuilder;
using ir::MakeAttr;

// y = x + Transpose(Constant(c) * 2): the constant subexpression folds into one initializer.
void Build(GraphBuilder& b) {
  ir::Value* x = b.Input("x", DataType::kFloat32, Shape{3, 2});
  ir::Value* c = b.Op("Constant", {}, {MakeAttr("value", testing::RandomTensor({2, 3}, 7))}, "k");
  ir::Value* two = b.Const("two", Tensor::Scalar<float>(2.0f));
  ir::Value* t = b.Op("Transpose", {b.Op("Mul", {c, two}, {}, "scale")},
                      {MakeAttr("perm", std::vector<int64_t>{1, 0})}, "tr");
  b.Output(b.Op("Add", {x, t}, {}, "add"), "y");
}

TEST(ConstantFolding, GoldenAndEquivalent) {
  ir::Model m = testing::ExpectEquivalentAfter(
      Build, [] { return std::make_unique<ConstantFolding>(); },
      {{"x", testing::RandomTensor({3, 2}, 1)}}, true);
  EXPECT_EQ(ir::PrintGraph(*m.graph),
            "graph main(%x: float32[3, 2]) -> (%y: undefined[?]) {\n"
            "  %tr_out = initializer float32[3, 2]\n"
            "  %y = Add(%x, %tr_out)  # add\n"
            "}\n");
}

TEST(ConstantFolding, FoldedValuesMatchHandComputation) {
  ir::Model m = testing::Build(Build);
  const Tensor c = testing::RandomTensor({2, 3}, 7);
  ASSERT_TRUE(testing::Apply(std::make_unique<ConstantFolding>(), m));
  const ir::Value* folded = m.graph->FindValue("tr_out");
  ASSERT_NE(folded, nullptr);
  ASSERT_TRUE(folded->is_initializer());
  ASSERT_EQ(folded->data().shape(), (Shape{3, 2}));
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 2; ++j)
      EXPECT_FLOAT_EQ(folded->data().data<float>()[i * 2 + j], 2.0f * c.data<float>()[j * 3 + i]);
}

TEST(ConstantFolding, NonConstantInputsAndRandomOpsAreKept) {
  ir::Model m = testing::Build([](GraphBuilder& b) {
    ir::Value* x = b.Input("x", DataType::kFloat32, Shape{2});
    ir::Value* r = b.Op("RandomUniform", {},
                        {MakeAttr("shape", std::vector<int64_t>{2}), MakeAttr("dtype", 1)}, "rnd");
    b.Output(b.Op("Add", {x, r}, {}, "add"), "y");
  });
  EXPECT_FALSE(testing::Apply(std::make_unique<ConstantFolding>(), m));
  EXPECT_EQ(m.graph->num_nodes(), 2u);
}

TEST(ConstantFolding, InitializerThatIsAlsoAnInputIsNotConstant) {
  ir::Model m = testing::Build([](GraphBuilder& b) {
    ir::Value* d = b.Const("d", testing::RandomTensor({2}, 3));
    b.graph().MarkInitializerAsInput(d);
    b.Output(b.Op("Neg", {d}, {}, "neg"), "y");
  });
  EXPECT_FALSE(testing::Apply(std::make_unique<ConstantFolding>(), m));
}

TEST(ConstantFolding, WithoutEvaluatorDoesNothing) {
  ir::Model m = testing::Build(Build);
  ConstantFolding pass;
  PassContext ctx(m.opset_imports);
  auto changed = pass.Run(*m.graph, ctx);
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);
}

}  // namespace
}  // namespace shrink::passes
