#include "passes/fold_batchnorm_into_conv.h"

#include <gtest/gtest.h>

#include "ir/printer.h"
#include "pass_test_util.h"

namespace shrink::passes {
namespace {

using ir::Dim;
using ir::GraphBuilder;
using ir::MakeAttr;
using testing::Apply;
using testing::Build;
using testing::ExpectEquivalentAfter;
using testing::RandomTensor;

// x[1,2,6,6] -> Conv(5 out channels, 3x3, pad 1)[+bias] -> BN -> y; `extra` adds a second use.
testing::BuildFn ConvBn(bool bias, bool extra_use = false, bool const_weight = true) {
  return [=](GraphBuilder& b) {
    ir::Value* x = b.Input("x", DataType::kFloat32, Shape{1, 2, 6, 6});
    ir::Value* w = const_weight ? b.Const("w", RandomTensor({5, 2, 3, 3}, 1))
                                : b.Input("w", DataType::kFloat32, Shape{5, 2, 3, 3});
    std::vector<ir::Value*> in = {x, w};
    if (bias) in.push_back(b.Const("b", RandomTensor({5}, 2)));
    ir::Value* c = b.Op("Conv", in,
                        {MakeAttr("kernel_shape", std::vector<int64_t>{3, 3}),
                         MakeAttr("pads", std::vector<int64_t>{1, 1, 1, 1})},
                        "conv1");
    ir::Value* y =
        b.Op("BatchNormalization",
             {c, b.Const("scale", RandomTensor({5}, 3, 0.5f, 1.5f)),
              b.Const("bias", RandomTensor({5}, 4)), b.Const("mean", RandomTensor({5}, 5)),
              b.Const("var", RandomTensor({5}, 6, 0.2f, 2.0f))},
             {MakeAttr("epsilon", 1e-3f)}, "bn1");
    b.Output(y, "y");
    if (extra_use) b.Output(b.Op("Relu", {c}, {}, "side"), "side");
  };
}

runtime::Feeds Feeds(bool weight_input = false) {
  runtime::Feeds f = {{"x", RandomTensor({1, 2, 6, 6}, 42)}};
  if (weight_input) f.push_back({"w", RandomTensor({5, 2, 3, 3}, 1)});
  return f;
}

TEST(FoldBatchNormIntoConv, GoldenWithoutBias) {
  ir::Model m = ExpectEquivalentAfter(
      ConvBn(false), [] { return std::make_unique<FoldBatchNormIntoConv>(); }, Feeds(), true);
  EXPECT_EQ(ir::PrintGraph(*m.graph),
            "graph main(%x: float32[1, 2, 6, 6]) -> (%y: undefined[?]) {\n"
            "  %conv1.weight_bn = initializer float32[5, 2, 3, 3]\n"
            "  %conv1.bias_bn = initializer float32[5]\n"
            "  %y = Conv(%x, %conv1.weight_bn, %conv1.bias_bn) {kernel_shape=[3, 3], "
            "pads=[1, 1, 1, 1]}  # conv1\n"
            "}\n");
}

TEST(FoldBatchNormIntoConv, WithBiasIsEquivalent) {
  ir::Model m = ExpectEquivalentAfter(
      ConvBn(true), [] { return std::make_unique<FoldBatchNormIntoConv>(); }, Feeds(), true);
  EXPECT_EQ(testing::CountOps(*m.graph, "BatchNormalization"), 0);
  EXPECT_EQ(testing::CountOps(*m.graph, "Conv"), 1);
  EXPECT_EQ(m.graph->initializers().size(), 2u);
}

TEST(FoldBatchNormIntoConv, ConvOutputWithSecondConsumerIsKept) {
  ir::Model m = ExpectEquivalentAfter(
      ConvBn(true, true), [] { return std::make_unique<FoldBatchNormIntoConv>(); }, Feeds(), false);
  EXPECT_EQ(testing::CountOps(*m.graph, "BatchNormalization"), 1);
}

TEST(FoldBatchNormIntoConv, NonConstantWeightIsKept) {
  ir::Model m = ExpectEquivalentAfter(
      ConvBn(false, false, false), [] { return std::make_unique<FoldBatchNormIntoConv>(); },
      Feeds(true), false);
  EXPECT_EQ(testing::CountOps(*m.graph, "BatchNormalization"), 1);
}

TEST(FoldBatchNormIntoConv, ConvOutputThatIsGraphOutputIsKept) {
  ir::Model m = Build([](GraphBuilder& b) {
    ConvBn(false)(b);
    b.Output(b.graph().FindValue("conv1_out"), "");
  });
  EXPECT_FALSE(Apply(std::make_unique<FoldBatchNormIntoConv>(), m));
}

TEST(FoldBatchNormIntoConv, TrainingModeIsKept) {
  ir::Model m = Build([](GraphBuilder& b) {
    ConvBn(false)(b);
    for (const auto& n : b.graph().nodes())
      if (n->op_type() == "BatchNormalization") n->SetAttr(MakeAttr("training_mode", 1));
  });
  EXPECT_FALSE(Apply(std::make_unique<FoldBatchNormIntoConv>(), m));
}

}  // namespace
}  // namespace shrink::passes
