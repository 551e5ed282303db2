#include "passes/dead_code_elimination.h"

#include <gtest/gtest.h>

#include "ir/printer.h"
#include "pass_test_util.h"

namespace shrink::passes {
namespace {

using ir::GraphBuilder;

TEST(DeadCodeElimination, RemovesDeadChainsAndUnusedInitializers) {
  ir::Model m = testing::Build([](GraphBuilder& b) {
    ir::Value* x = b.Input("x", DataType::kFloat32, Shape{2, 3});
    ir::Value* dead =
        b.Op("Add", {x, b.Const("unused_w", testing::RandomTensor({2, 3}, 1))}, {}, "dead_add");
    b.Op("Relu", {dead}, {}, "dead_relu");
    b.Const("orphan", testing::RandomTensor({7}, 2));
    b.Output(b.Op("Sigmoid", {x}, {}, "sig"), "y");
  });
  DeadCodeElimination dce;
  PassContext ctx(m.opset_imports);
  auto changed = dce.Run(*m.graph, ctx);
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(*changed);
  EXPECT_EQ(ir::PrintGraph(*m.graph),
            "graph main(%x: float32[2, 3]) -> (%y: undefined[?]) {\n"
            "  %y = Sigmoid(%x)  # sig\n"
            "}\n");
  changed = dce.Run(*m.graph, ctx);
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);
}

TEST(DeadCodeElimination, KeepsGraphOutputsAndInitializersThatAreInputs) {
  ir::Model m = testing::Build([](GraphBuilder& b) {
    ir::Value* x = b.Input("x", DataType::kFloat32, Shape{2});
    ir::Value* d = b.Const("default_in", testing::RandomTensor({2}, 3));
    b.graph().MarkInitializerAsInput(d);
    b.Output(b.Op("Relu", {x}, {}, "r1"), "y");
    b.Output(b.Op("Neg", {x}, {}, "r2"), "z");
  });
  DeadCodeElimination dce;
  PassContext ctx(m.opset_imports);
  auto changed = dce.Run(*m.graph, ctx);
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);
  EXPECT_EQ(m.graph->num_nodes(), 2u);
  EXPECT_EQ(m.graph->initializers().size(), 1u);
}

}  // namespace
}  // namespace shrink::passes
