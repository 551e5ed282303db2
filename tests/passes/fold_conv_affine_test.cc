#include "passes/fold_conv_affine.h"

#include <gtest/gtest.h>

#include "ir/printer.h"
#include "pass_test_util.h"

namespace shrink::passes {
namespace {

using ir::GraphBuilder;
using ir::Value;

struct Variant {
  Shape scale_shape = {1};  // {} for no Mul
  Shape shift_shape = {1};  // {} for no Add
  bool const_first = true;  // Mul(s, y) / Add(t, .) as PaddlePaddle writes them
  bool with_bias = true;
  bool leak = false;  // the Conv output is also a graph output
};

bool Has(const Shape& s) { return !s.empty(); }

testing::BuildFn ConvAffine(Variant v) {
  return [=](GraphBuilder& b) {
    Value* x = b.Input("x", DataType::kFloat32, Shape{1, 3, 6, 6});
    std::vector<Value*> in = {x, b.Const("w", testing::RandomTensor({4, 3, 3, 3}, 3))};
    if (v.with_bias) in.push_back(b.Const("b", testing::RandomTensor({4}, 4)));
    Value* y = b.Op("Conv", in, {ir::MakeAttr("pads", std::vector<int64_t>{1, 1, 1, 1})}, "conv");
    Value* out = y;
    auto bin = [&](const char* op, Value* a, const Shape& s, uint32_t seed) {
      Value* c = b.Const("c", testing::RandomTensor(s, seed, 0.5f, 1.5f));
      return b.Op(op, v.const_first ? std::vector<Value*>{c, a} : std::vector<Value*>{a, c});
    };
    if (Has(v.scale_shape)) out = bin("Mul", out, v.scale_shape, 5);
    if (Has(v.shift_shape)) out = bin("Add", out, v.shift_shape, 6);
    b.Output(out, "y");
    if (v.leak) b.Output(y, "z");
  };
}

runtime::Feeds Feeds() { return {{"x", testing::RandomTensor({1, 3, 6, 6}, 9, -2, 2)}}; }
std::unique_ptr<Pass> Make() { return std::make_unique<FoldConvAffine>(); }

TEST(FoldConvAffine, ScalarScaleAndShiftGolden) {
  ir::Model m = testing::ExpectEquivalentAfter(ConvAffine({}), Make, Feeds(), true, 1e-5, 9);
  EXPECT_EQ(ir::PrintGraph(*m.graph),
            "graph main(%x: float32[1, 3, 6, 6]) -> (%y: undefined[?]) {\n"
            "  %conv.weight_affine = initializer float32[4, 3, 3, 3]\n"
            "  %conv.bias_affine = initializer float32[4] {2.06724, 1.97135, 1.46106, 0.920237}\n"
            "  %y = Conv(%x, %conv.weight_affine, %conv.bias_affine) {pads=[1, 1, 1, 1]}  # conv\n"
            "}\n");
}

TEST(FoldConvAffine, Variants) {
  std::vector<Variant> vs(6);
  vs[0].shift_shape = {};                                // Mul only
  vs[1].scale_shape = {};                                // Add only
  vs[2].const_first = false;                             // operands the other way round
  vs[3].with_bias = false;                               // Conv without bias
  vs[4].scale_shape = vs[4].shift_shape = {1, 4, 1, 1};  // per channel, rank 4
  vs[5].scale_shape = vs[5].shift_shape = {4, 1, 1};     // per channel, rank 3
  for (size_t i = 0; i < vs.size(); ++i) {
    ir::Model m = testing::ExpectEquivalentAfter(ConvAffine(vs[i]), Make, Feeds(), true, 1e-5, 9);
    ASSERT_EQ(m.graph->num_nodes(), 1u) << "variant " << i;
    EXPECT_EQ(m.graph->nodes()[0]->op_type(), "Conv");
  }
}

TEST(FoldConvAffine, NegativeCases) {
  Variant v;
  v.leak = true;  // Conv output also a graph output
  testing::ExpectEquivalentAfter(ConvAffine(v), Make, Feeds(), false, 1e-5, 9);
  v = {};
  v.scale_shape = {1, 1, 6, 1};  // varies along a spatial axis
  v.shift_shape = {};
  testing::ExpectEquivalentAfter(ConvAffine(v), Make, Feeds(), false, 1e-5, 9);
  v = {};
  v.scale_shape = {};
  v.shift_shape = {6};  // broadcasts over the last (spatial) axis
  testing::ExpectEquivalentAfter(ConvAffine(v), Make, Feeds(), false, 1e-5, 9);
}

// Pattern B: relu(x) -> Mul(s) [-> Add(t)] -> Conv (pads `pad`).
testing::BuildFn AffineConv(bool with_add, int64_t pad) {
  return [=](GraphBuilder& b) {
    Value* x = b.Input("x", DataType::kFloat32, Shape{1, 3, 6, 6});
    Value* u = b.Op("Relu", {x}, {}, "relu");
    Value* v = b.Op("Mul", {b.Const("s", Tensor::FromVector<float>({1}, {0.7f})), u}, {}, "mul");
    if (with_add) v = b.Op("Add", {v, b.Const("t", Tensor::Scalar<float>(0.3f))}, {}, "add");
    Value* y = b.Op("Conv",
                    {v, b.Const("w", testing::RandomTensor({4, 3, 3, 3}, 3)),
                     b.Const("b", testing::RandomTensor({4}, 4))},
                    {ir::MakeAttr("pads", std::vector<int64_t>{pad, pad, pad, pad})}, "conv");
    b.Output(y, "y");
  };
}

TEST(FoldConvAffine, InputSideGolden) {
  ir::Model m = testing::ExpectEquivalentAfter(AffineConv(true, 0), Make, Feeds(), true, 1e-5, 9);
  EXPECT_EQ(ir::PrintGraph(*m.graph),
            "graph main(%x: float32[1, 3, 6, 6]) -> (%y: undefined[?]) {\n"
            "  %conv.weight_affine_in = initializer float32[4, 3, 3, 3]\n"
            "  %conv.bias_affine_in = initializer float32[4] {-1.14344, 0.884882, 0.156825, "
            "-1.02154}\n"
            "  %relu_out = Relu(%x)  # relu\n"
            "  %y = Conv(%relu_out, %conv.weight_affine_in, %conv.bias_affine_in) {pads=[0, 0, 0, "
            "0]}  # mul\n"
            "}\n");
}

// With padding only the scale folds (the padded border would not see t).
TEST(FoldConvAffine, InputSidePaddedKeepsAdd) {
  ir::Model m = testing::ExpectEquivalentAfter(AffineConv(true, 1), Make, Feeds(), false, 1e-5, 9);
  ir::Model m2 = testing::ExpectEquivalentAfter(AffineConv(false, 1), Make, Feeds(), true, 1e-5, 9);
  EXPECT_EQ(testing::CountOps(*m2.graph, "Mul"), 0);
  EXPECT_EQ(testing::CountOps(*m.graph, "Add"), 1);
}

}  // namespace
}  // namespace shrink::passes
