#include "passes/fuse_hardswish.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "ir/printer.h"
#include "onnx/import.h"
#include "pass_test_util.h"
#include "passes/fuse_conv_activation.h"
#include "passes/runtime_fusion.h"
#include "runtime/fast/session.h"
#include "runtime/random_inputs.h"

namespace shrink::passes {
namespace {

using ir::GraphBuilder;
using ir::Value;

Value* F(GraphBuilder& b, float v) { return b.Const("c", Tensor::Scalar<float>(v)); }

struct Variant {
  int order = 0;           // 0: Div(Mul(x, c), 6) (Paddle), 1: Mul(Mul(c, x), 1/6),
                           // 2: Mul(x, Div(c, 6)), 3: Mul(Mul(c, 1/6), x)
  int64_t opset = 9;       // below 11: Clip with min/max attributes; else constant inputs
  float three = 3.0f;      // the Add constant (a test breaks the pattern with another)
  float six = 6.0f;        // Clip's max
  bool leak_clip = false;  // the Clip output is also a graph output
  bool other_x = false;    // the product takes a different value than the Add
};

Value* Clip06(GraphBuilder& b, Value* a, const Variant& v) {
  if (v.opset < 11)
    return b.Op("Clip", {a}, {ir::MakeAttr("min", 0.0f), ir::MakeAttr("max", v.six)}, "clip");
  return b.Op("Clip", {a, F(b, 0.0f), F(b, v.six)}, {}, "clip");
}

testing::BuildFn HardSwishClip(Variant v) {
  return [=](GraphBuilder& b) {
    Value* x = b.Input("x", DataType::kFloat32, Shape{2, 8});
    Value* x2 = v.other_x ? b.Op("Neg", {x}, {}, "neg") : x;
    Value* c = Clip06(b, b.Op("Add", {x, F(b, v.three)}, {}, "add"), v);
    Value* y = nullptr;
    if (v.order == 0) y = b.Op("Div", {b.Op("Mul", {x2, c}, {}, "mul"), F(b, 6.0f)}, {}, "div");
    if (v.order == 1)
      y = b.Op("Mul", {b.Op("Mul", {c, x2}, {}, "mul"), F(b, 1.0f / 6.0f)}, {}, "mul6");
    if (v.order == 2) y = b.Op("Mul", {x2, b.Op("Div", {c, F(b, 6.0f)}, {}, "div")}, {}, "mul");
    if (v.order == 3)
      y = b.Op("Mul", {b.Op("Mul", {c, F(b, 1.0f / 6.0f)}, {}, "mul6"), x2}, {}, "mul");
    b.Output(y, "y");
    if (v.leak_clip) b.Output(c, "z");
  };
}

testing::BuildFn HardSwishHardSigmoid(float alpha) {
  return [=](GraphBuilder& b) {
    Value* x = b.Input("x", DataType::kFloat32, Shape{2, 8});
    Value* h = b.Op("HardSigmoid", {x}, {ir::MakeAttr("alpha", alpha), ir::MakeAttr("beta", 0.5f)},
                    "hsig");
    b.Output(b.Op("Mul", {x, h}, {}, "mul"), "y");
  };
}

runtime::Feeds Feeds() { return {{"x", testing::RandomTensor({2, 8}, 7, -5, 5)}}; }
std::unique_ptr<Pass> Make() { return std::make_unique<FuseHardSwish>(); }

TEST(FuseHardSwish, PaddleFormGoldenOpset9) {
  ir::Model m = testing::ExpectEquivalentAfter(HardSwishClip({}), Make, Feeds(), true, 1e-6, 9);
  EXPECT_EQ(ir::PrintGraph(*m.graph),
            "graph main(%x: float32[2, 8]) -> (%y: undefined[?]) {\n"
            "  %y = com.shrink.HardSwish(%x)  # add\n"
            "}\n");
}

TEST(FuseHardSwish, AllOrdersBothClipForms) {
  for (int64_t opset : {9, 13})
    for (int order = 0; order < 4; ++order) {
      Variant v;
      v.order = order;
      v.opset = opset;
      ir::Model m =
          testing::ExpectEquivalentAfter(HardSwishClip(v), Make, Feeds(), true, 1e-6, opset);
      ASSERT_EQ(m.graph->num_nodes(), 1u) << "order " << order << " opset " << opset;
      EXPECT_EQ(m.graph->nodes()[0]->op_type(), "HardSwish");
      EXPECT_EQ(m.graph->nodes()[0]->domain(), "com.shrink");
    }
}

TEST(FuseHardSwish, Opset14UsesOnnxHardSwish) {
  Variant v;
  v.opset = 14;
  ir::Model m = testing::ExpectEquivalentAfter(HardSwishClip(v), Make, Feeds(), true, 1e-6, 14);
  EXPECT_EQ(ir::PrintGraph(*m.graph),
            "graph main(%x: float32[2, 8]) -> (%y: undefined[?]) {\n"
            "  %y = HardSwish(%x)  # add\n"
            "}\n");
}

TEST(FuseHardSwish, HardSigmoidForm) {
  ir::Model m = testing::ExpectEquivalentAfter(HardSwishHardSigmoid(0.16666670143604279f), Make,
                                               Feeds(), true, 1e-6, 17);
  ASSERT_EQ(m.graph->num_nodes(), 1u);
  EXPECT_EQ(m.graph->nodes()[0]->op_type(), "HardSwish");
  EXPECT_EQ(m.graph->nodes()[0]->domain(), "");
}

TEST(FuseHardSwish, NegativeCases) {
  Variant v;
  v.three = 2.9f;  // wrong offset
  testing::ExpectEquivalentAfter(HardSwishClip(v), Make, Feeds(), false, 1e-6, 9);
  v = {};
  v.six = 5.0f;  // Clip(0, 5)
  testing::ExpectEquivalentAfter(HardSwishClip(v), Make, Feeds(), false, 1e-6, 9);
  v = {};
  v.leak_clip = true;  // intermediate is a graph output
  testing::ExpectEquivalentAfter(HardSwishClip(v), Make, Feeds(), false, 1e-6, 9);
  v = {};
  v.other_x = true;  // x * clip(x' + 3) / 6 with x != x'
  testing::ExpectEquivalentAfter(HardSwishClip(v), Make, Feeds(), false, 1e-6, 9);
  // HardSigmoid with ONNX's default alpha 0.2 is not the hard-swish gate.
  testing::ExpectEquivalentAfter(HardSwishHardSigmoid(0.2f), Make, Feeds(), false, 1e-6, 17);
}

// Conv -> decomposed hard-swish at opset 9 becomes one FusedConv with a HardSwish activation.
TEST(FuseHardSwish, EnablesConvActivationFusion) {
  auto build = [](GraphBuilder& b) {
    Value* x = b.Input("x", DataType::kFloat32, Shape{1, 3, 6, 6});
    Value* w = b.Const("w", testing::RandomTensor({4, 3, 3, 3}, 3));
    Value* bias = b.Const("b", testing::RandomTensor({4}, 4));
    Value* y = b.Op("Conv", {x, w, bias}, {ir::MakeAttr("pads", std::vector<int64_t>{1, 1, 1, 1})},
                    "conv");
    Value* c = b.Op("Clip", {b.Op("Add", {y, F(b, 3.0f)}, {}, "add")},
                    {ir::MakeAttr("min", 0.0f), ir::MakeAttr("max", 6.0f)}, "clip");
    b.Output(b.Op("Div", {b.Op("Mul", {y, c}, {}, "mul"), F(b, 6.0f)}, {}, "div"), "y");
  };
  const runtime::Feeds feeds = {{"x", testing::RandomTensor({1, 3, 6, 6}, 9, -3, 3)}};
  ir::Model before = testing::Build(build, 9);
  ir::Model m = testing::Build(build, 9);
  ASSERT_TRUE(testing::Apply(Make(), m));
  ASSERT_TRUE(testing::Apply(std::make_unique<FuseConvActivation>(), m));
  ASSERT_EQ(m.graph->num_nodes(), 1u);
  EXPECT_EQ(m.graph->nodes()[0]->op_type(), "FusedConv");
  EXPECT_EQ(m.graph->nodes()[0]->GetString("activation", ""), "HardSwish");
  const auto a = testing::RunModel(before, feeds), b = testing::RunModel(m, feeds);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  ASSERT_EQ(a[0].numel(), b[0].numel());
  for (int64_t i = 0; i < a[0].numel(); ++i)
    EXPECT_NEAR(a[0].data<float>()[i], b[0].data<float>()[i], 1e-5) << i;
}

// PaddleOCR's recogniser (opset 9, 28 decomposed hard-swishes after Conv + scale / shift): the
// runtime fusions make each one a com.shrink HardSwish that the fast runtime fuses into its Conv;
// the fast runtime's outputs agree with the unfused model's within 1e-4 (NEEDS_ZOO).
TEST(FuseHardSwish, PpocrRecFastRuntimeSameOutputs) {
  const std::string path = std::string(SHRINK_SOURCE_DIR) + "/zoo_cache/ppocr_v4_rec.onnx";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " absent (run `shrink zoo fetch`)";
  auto original = onnx_io::LoadModel(path);
  ASSERT_TRUE(original.ok()) << original.status().ToString();
  auto fused = onnx_io::LoadModel(path);
  ASSERT_TRUE(fused.ok());
  ASSERT_TRUE(FuseForRuntime(*fused).ok());
  EXPECT_EQ(testing::CountOps(*fused->graph, "HardSwish"), 28);
  EXPECT_EQ(testing::CountOps(*fused->graph, "Clip"), 0);
  auto feeds = runtime::MakeRandomFeeds(
      *original->graph, 3, {{"p2o.DynamicDimension.0", 1}, {"p2o.DynamicDimension.1", 320}});
  ASSERT_TRUE(feeds.ok()) << feeds.status().ToString();
  runtime::fast::SessionOptions o;
  o.threads = 1;
  o.profile = true;
  auto a = runtime::fast::Session::Create(*original, o);
  auto b = runtime::fast::Session::Create(*fused, o);
  ASSERT_TRUE(a.ok() && b.ok());
  auto ya = (*a)->Run(*feeds);
  auto yb = (*b)->Run(*feeds);
  ASSERT_TRUE(ya.ok() && yb.ok());
  ASSERT_EQ(ya->size(), yb->size());
  for (size_t i = 0; i < ya->size(); ++i) {
    const Tensor &x = (*ya)[i], &y = (*yb)[i];
    ASSERT_EQ(x.shape(), y.shape());
    double diff = 0;
    for (int64_t k = 0; k < x.numel(); ++k)
      diff = std::max(diff, std::fabs(x.GetAsDouble(k) - y.GetAsDouble(k)));
    EXPECT_LE(diff, 1e-4) << "output " << i;
  }
  int fused_steps = 0;
  for (const auto& p : (*b)->Profile()) fused_steps += p.op_type == "Conv+HardSwish";
  EXPECT_EQ(fused_steps, 28);
}

}  // namespace
}  // namespace shrink::passes
