#include <gtest/gtest.h>

#include "ir/builder.h"
#include "ir/printer.h"
#include "ir/verifier.h"

namespace shrink::ir {
namespace {

Tensor Ones(const Shape& s) {
  Tensor t(DataType::kFloat32, s);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = 1;
  return t;
}

TEST(Graph, BuilderMakesVerifiableGraphWithUses) {
  Model m = MakeModel(17);
  GraphBuilder b(*m.graph);
  Value* x = b.Input("x", DataType::kFloat32, {Dim::Symbol("N"), Dim::Known(3)});
  Value* w = b.Const("w", Ones({4, 3}));
  Value* y = b.Op("Gemm", {x, w}, {MakeAttr("transB", 1)}, "fc");
  Value* r = b.Op("Relu", {y});
  b.Output(r, "out");
  EXPECT_TRUE(Verify(m).ok());
  ASSERT_EQ(x->uses().size(), 1u);
  EXPECT_EQ(x->uses()[0].node->op_type(), "Gemm");
  EXPECT_EQ(r->name(), "out");
  EXPECT_TRUE(r->is_graph_output());
  EXPECT_EQ(y->producer()->GetInt("transB", 0), 1);
}

TEST(Graph, PrinterGolden) {
  Model m = MakeModel(17);
  GraphBuilder b(*m.graph);
  Value* x = b.Input("x", DataType::kFloat32, {Dim::Symbol("N"), Dim::Known(3)});
  Value* w = b.Const("w", Ones({4, 3}));
  b.Output(b.Op("Relu", {b.Op("Gemm", {x, w}, {MakeAttr("transB", 1)}, "fc")}), "y");
  EXPECT_EQ(PrintModel(m),
            "model ir_version=8 opsets={ai.onnx:17}\n"
            "graph main(%x: float32[N, 3]) -> (%y: undefined[?]) {\n"
            "  %w = initializer float32[4, 3]\n"
            "  %fc_out = Gemm(%x, %w) {transB=1}  # fc\n"
            "  %y = Relu(%fc_out)  # Relu\n"
            "}\n");
}

TEST(Graph, TopologicalSortReordersAndIsStable) {
  Graph g;
  Value* x = g.AddInput("x", TypeInfo::Tensor(DataType::kFloat32, {2}));
  // Add nodes out of order: c consumes b's output, which is added later.
  Node* c = g.AddNode("Relu", {}, {"c"});
  Node* a = g.AddNode("Neg", {x}, {"a"});
  Node* bnode = g.AddNode("Abs", {g.FindValue("a")}, {"b"});
  c->AddInput(g.FindValue("b"));
  g.AddOutput(g.FindValue("c"));
  EXPECT_FALSE(Verify(g).ok());  // use before def
  ASSERT_TRUE(g.TopologicalSort().ok());
  EXPECT_EQ(g.nodes()[0].get(), a);
  EXPECT_EQ(g.nodes()[1].get(), bnode);
  EXPECT_EQ(g.nodes()[2].get(), c);
  EXPECT_TRUE(Verify(g).ok());
}

TEST(Graph, CycleIsReportedWithANode) {
  Graph g;
  Node* a = g.AddNode("Neg", {}, {"a"});
  Node* b = g.AddNode("Abs", {g.FindValue("a")}, {"b"});
  a->AddInput(g.FindValue("b"));
  g.AddOutput(g.FindValue("b"));
  (void)b;
  Status s = g.TopologicalSort();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cycle"), std::string::npos);
}

TEST(Graph, DuplicateNamesAreRejected) {
  Graph g;
  g.AddInput("x", TypeInfo::Tensor(DataType::kFloat32, {1}));
  EXPECT_THROW(g.AddInput("x", TypeInfo::Tensor(DataType::kFloat32, {1})), Error);
  EXPECT_THROW(g.AddNode("Relu", {g.FindValue("x")}, {"x"}), Error);
}

TEST(Graph, VerifierCatchesInitializerTypeMismatchAndMissingOutput) {
  Graph g;
  Value* w = g.AddInitializer("w", Ones({2}));
  w->type() = TypeInfo::Tensor(DataType::kFloat32, {3});
  EXPECT_FALSE(Verify(g).ok());
  Graph g2;
  Value* x = g2.AddInput("x", TypeInfo::Tensor(DataType::kFloat32, {1}));
  Node* n = g2.AddNode("Relu", {x}, {"y"});
  g2.AddOutput(n->output(0));
  EXPECT_TRUE(Verify(g2).ok());
  EXPECT_FALSE(g2.RemoveNode(n));  // its output is a graph output
}

TEST(Graph, ReplaceAllUsesAndRemove) {
  Graph g;
  Value* x = g.AddInput("x", TypeInfo::Tensor(DataType::kFloat32, {1}));
  Node* id = g.AddNode("Identity", {x}, {"i"});
  Node* relu = g.AddNode("Relu", {id->output(0)}, {"y"});
  g.AddOutput(relu->output(0));
  g.ReplaceAllUsesWith(id->output(0), x);
  EXPECT_EQ(relu->input(0), x);
  EXPECT_TRUE(g.RemoveNode(id));
  EXPECT_EQ(g.num_nodes(), 1u);
  EXPECT_EQ(g.FindValue("i"), nullptr);
  EXPECT_TRUE(Verify(g).ok());
}

TEST(Graph, SubgraphOuterReferencesVerify) {
  Model m = MakeModel(17);
  Graph& g = *m.graph;
  Value* cond = g.AddInput("cond", TypeInfo::Tensor(DataType::kBool, {}));
  Value* x = g.AddInput("x", TypeInfo::Tensor(DataType::kFloat32, {2}));
  auto then_g = std::make_shared<Graph>("then", &g);
  Value* outer_x = then_g->AddOuterReference("x");
  then_g->AddOutput(then_g->AddNode("Neg", {outer_x}, {"t"})->output(0));
  auto else_g = std::make_shared<Graph>("else", &g);
  else_g->AddOutput(else_g->AddNode("Abs", {else_g->AddOuterReference("x")}, {"e"})->output(0));
  Node* n = g.AddNode("If", {cond}, {"y"},
                      {MakeAttr("then_branch", then_g), MakeAttr("else_branch", else_g)});
  g.AddOutput(n->output(0));
  EXPECT_TRUE(Verify(m).ok());
  EXPECT_EQ(ImplicitInputs(*n), std::vector<std::string>{"x"});
  (void)x;
  auto bad = std::make_shared<Graph>("bad", &g);
  bad->AddOutput(bad->AddOuterReference("nope"));
  g.AddNode("If", {cond}, {"z"}, {MakeAttr("then_branch", bad), MakeAttr("else_branch", bad)});
  EXPECT_FALSE(Verify(m).ok());
}

}  // namespace
}  // namespace shrink::ir
