#include <gtest/gtest.h>

#include "ir/printer.h"
#include "pass_test_util.h"
#include "passes/fuse_conv_activation.h"
#include "passes/fuse_gemm_activation.h"

namespace shrink::passes {
namespace {

using ir::GraphBuilder;
using ir::MakeAttr;

// Adds the activation `kind` after `v` and returns its output.
ir::Value* Activation(GraphBuilder& b, const std::string& kind, ir::Value* v) {
  if (kind == "Relu6")
    return b.Op(
        "Clip",
        {v, b.Const("lo", Tensor::Scalar<float>(0.0f)), b.Const("hi", Tensor::Scalar<float>(6.0f))},
        {}, "act");
  if (kind == "ClipMinOnly")
    return b.Op("Clip", {v, b.Const("lo", Tensor::Scalar<float>(-0.25f))}, {}, "act");
  if (kind == "LeakyRelu") return b.Op("LeakyRelu", {v}, {MakeAttr("alpha", 0.2f)}, "act");
  if (kind == "GeluTanh")
    return b.OpN("Gelu", {v}, 1, {MakeAttr("approximate", "tanh")}, "act", "com.shrink")[0];
  if (kind == "ShrinkGelu") return b.OpN("Gelu", {v}, 1, {}, "act", "com.shrink")[0];
  return b.Op(kind, {v}, {}, "act");
}

testing::BuildFn ConvAct(const std::string& kind, bool extra_use = false) {
  return [=](GraphBuilder& b) {
    ir::Value* x = b.Input("x", DataType::kFloat32, Shape{1, 3, 5, 5});
    ir::Value* c = b.Op("Conv",
                        {x, b.Const("w", testing::RandomTensor({5, 3, 3, 3}, 1, -2, 2)),
                         b.Const("b", testing::RandomTensor({5}, 2))},
                        {MakeAttr("pads", std::vector<int64_t>{1, 1, 1, 1})}, "conv");
    b.Output(Activation(b, kind, c), "y");
    if (extra_use) b.Output(b.Op("Neg", {c}, {}, "other"), "z");
  };
}

testing::BuildFn GemmAct(const std::string& kind) {
  return [=](GraphBuilder& b) {
    ir::Value* x = b.Input("x", DataType::kFloat32, Shape{3, 6});
    ir::Value* g = b.Op("Gemm",
                        {x, b.Const("w", testing::RandomTensor({5, 6}, 1, -2, 2)),
                         b.Const("b", testing::RandomTensor({5}, 2))},
                        {MakeAttr("transB", 1)}, "fc");
    b.Output(Activation(b, kind, g), "y");
  };
}

class ActivationKinds : public ::testing::TestWithParam<std::string> {};

TEST_P(ActivationKinds, ConvFusionIsEquivalent) {
  ir::Model m = testing::ExpectEquivalentAfter(
      ConvAct(GetParam()), [] { return std::make_unique<FuseConvActivation>(); },
      {{"x", testing::RandomTensor({1, 3, 5, 5}, 9, -3, 3)}}, true);
  ASSERT_EQ(m.graph->num_nodes(), 1u);
  EXPECT_EQ(m.graph->nodes()[0]->op_type(), "FusedConv");
  EXPECT_EQ(m.OpsetFor("com.shrink"), 1);
}

TEST_P(ActivationKinds, GemmFusionIsEquivalent) {
  ir::Model m = testing::ExpectEquivalentAfter(
      GemmAct(GetParam()), [] { return std::make_unique<FuseGemmActivation>(); },
      {{"x", testing::RandomTensor({3, 6}, 9, -3, 3)}}, true);
  ASSERT_EQ(m.graph->num_nodes(), 1u);
  EXPECT_EQ(m.graph->nodes()[0]->op_type(), "FusedGemm");
}

INSTANTIATE_TEST_SUITE_P(All, ActivationKinds,
                         ::testing::Values("Relu", "Relu6", "ClipMinOnly", "Sigmoid", "HardSwish",
                                           "LeakyRelu", "GeluTanh", "ShrinkGelu"));

TEST(FuseConvActivation, Golden) {
  ir::Model m = testing::Build(ConvAct("Relu6"));
  ASSERT_TRUE(testing::Apply(std::make_unique<FuseConvActivation>(), m));
  EXPECT_EQ(ir::PrintModel(m),
            "model ir_version=8 opsets={ai.onnx:17, com.shrink:1}\n"
            "graph main(%x: float32[1, 3, 5, 5]) -> (%y: undefined[?]) {\n"
            "  %w = initializer float32[5, 3, 3, 3]\n"
            "  %b = initializer float32[5]\n"
            "  %y = com.shrink.FusedConv(%x, %w, %b) {pads=[1, 1, 1, 1], activation=\"Clip\", "
            "activation_params=[0, 6]}  # conv\n"
            "}\n");
}

TEST(FuseConvActivation, NegativeCases) {
  // Conv output with a second consumer.
  testing::ExpectEquivalentAfter(
      ConvAct("Relu", true), [] { return std::make_unique<FuseConvActivation>(); },
      {{"x", testing::RandomTensor({1, 3, 5, 5}, 9)}}, false);
  // Clip with a non-constant bound.
  ir::Model m = testing::Build([](GraphBuilder& b) {
    ir::Value* x = b.Input("x", DataType::kFloat32, Shape{1, 3, 5, 5});
    ir::Value* hi = b.Input("hi", DataType::kFloat32, Shape{});
    ir::Value* c =
        b.Op("Conv", {x, b.Const("w", testing::RandomTensor({4, 3, 1, 1}, 1))}, {}, "conv");
    b.Output(b.Op("Clip", {c, b.Const("lo", Tensor::Scalar<float>(0.0f)), hi}, {}, "clip"), "y");
  });
  EXPECT_FALSE(testing::Apply(std::make_unique<FuseConvActivation>(), m));
  // Not an activation we fuse.
  ir::Model t = testing::Build(ConvAct("Tanh"));
  EXPECT_FALSE(testing::Apply(std::make_unique<FuseConvActivation>(), t));
}

TEST(FuseConvActivation, ValueReadBySubgraphIsNotFused) {
  ir::Model m = testing::Build([](GraphBuilder& b) {
    ir::Value* x = b.Input("x", DataType::kFloat32, Shape{1, 3, 5, 5});
    ir::Value* cond = b.Input("cond", DataType::kBool, Shape{});
    ir::Value* c =
        b.Op("Conv", {x, b.Const("w", testing::RandomTensor({5, 3, 1, 1}, 1))}, {}, "conv");
    b.Output(b.Op("Relu", {c}, {}, "relu"), "y");
    auto branch = [&](const char* name) {
      auto g = std::make_shared<ir::Graph>(name, &b.graph());
      ir::Node* n = g->AddNode("Identity", {g->AddOuterReference(c->name())}, {"r"});
      g->AddOutput(n->output(0));
      return g;
    };
    b.Output(
        b.Op("If", {cond},
             {MakeAttr("then_branch", branch("then")), MakeAttr("else_branch", branch("else"))},
             "if"),
        "z");
  });
  EXPECT_FALSE(testing::Apply(std::make_unique<FuseConvActivation>(), m));
  EXPECT_EQ(testing::CountOps(*m.graph, "Relu"), 1);
}

}  // namespace
}  // namespace shrink::passes
