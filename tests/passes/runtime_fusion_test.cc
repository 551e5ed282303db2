// passes::FuseForRuntime (the fusions the native runtime applies to float models): a BERT-style
// block (MatMul + bias -> erf Gelu, scaled masked attention) becomes com.shrink Gelu and Attention
// with the same outputs; a graph without the patterns is left alone.
#include "passes/runtime_fusion.h"

#include <gtest/gtest.h>

#include "ir/printer.h"
#include "pass_test_util.h"
#include "runtime_util/op_test_util.h"

namespace shrink::passes {
namespace {

using ir::GraphBuilder;
using ir::MakeAttr;
using ir::Value;

Value* F(GraphBuilder& b, float v) { return b.Const("c", Tensor::Scalar<float>(v)); }

// h = Gelu(x W + b) written out (erf form); y = Softmax(q kt / c + m) v.
void Block(GraphBuilder& b) {
  Value* x = b.Input("x", DataType::kFloat32, Shape{3, 4});
  Value* mm = b.Op("MatMul", {x, b.Const("w", testing::RandomTensor({4, 6}, 9))}, {}, "mm");
  Value* h = b.Op("Add", {b.Const("bias", testing::RandomTensor({6}, 10)), mm}, {}, "bias_add");
  Value* e = b.Op("Erf", {b.Op("Div", {h, F(b, 1.4142135f)}, {}, "div")}, {}, "erf");
  Value* a = b.Op("Add", {e, F(b, 1.0f)}, {}, "add1");
  b.Output(b.Op("Mul", {b.Op("Mul", {h, a}, {}, "mul1"), F(b, 0.5f)}, {}, "mul2"), "h");
  Value* q = b.Input("q", DataType::kFloat32, Shape{1, 2, 4, 8});
  Value* kt = b.Input("kt", DataType::kFloat32, Shape{1, 2, 8, 5});
  Value* v = b.Input("v", DataType::kFloat32, Shape{1, 2, 5, 8});
  Value* s = b.Op("Div", {b.Op("MatMul", {q, kt}, {}, "qk"), F(b, 2.828427f)}, {}, "scale");
  s = b.Op("Add", {s, b.Input("m", DataType::kFloat32, Shape{1, 1, 1, 5})}, {}, "mask");
  Value* p = b.Op("Softmax", {s}, {MakeAttr("axis", int64_t{-1})}, "softmax");
  b.Output(b.Op("MatMul", {p, v}, {}, "pv"), "y");
}

runtime::Feeds Feeds() {
  return {{"x", testing::RandomTensor({3, 4}, 1, -2, 2)},
          {"q", testing::RandomTensor({1, 2, 4, 8}, 2)},
          {"kt", testing::RandomTensor({1, 2, 8, 5}, 3)},
          {"v", testing::RandomTensor({1, 2, 5, 8}, 4)},
          {"m", testing::RandomTensor({1, 1, 1, 5}, 5, -3, 0)}};
}

TEST(FuseForRuntime, BertBlockGolden) {
  ir::Model before = testing::Build(Block);
  ir::Model after = testing::Build(Block);
  auto changed = FuseForRuntime(after);
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_TRUE(*changed);
  EXPECT_EQ(ir::PrintGraph(*after.graph),
            "graph main(%x: float32[3, 4], %q: float32[1, 2, 4, 8], %kt: float32[1, 2, 8, 5], "
            "%v: float32[1, 2, 5, 8], %m: float32[1, 1, 1, 5]) -> (%h: undefined[?], "
            "%y: undefined[?]) {\n"
            "  %w = initializer float32[4, 6]\n"
            "  %bias = initializer float32[6]\n"
            "  %mm_out = MatMul(%x, %w)  # mm\n"
            "  %bias_add_out = Add(%bias, %mm_out)  # bias_add\n"
            "  %h = com.shrink.Gelu(%bias_add_out) {approximate=\"none\"}  # div\n"
            "  %y = com.shrink.Attention(%q, %kt, %v, %m) {scale=0.353553}  # qk\n"
            "}\n");
  const std::vector<Tensor> want = testing::RunModel(before, Feeds());
  const std::vector<Tensor> got = testing::RunModel(after, Feeds());
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_LE(shrink::testing::MaxAbsDiff(want[i], got[i]), 1e-5) << "output " << i;
}

TEST(FuseForRuntime, NoPatternNoChange) {
  ir::Model m = testing::Build([](GraphBuilder& b) {
    Value* x = b.Input("x", DataType::kFloat32, Shape{2, 3});
    b.Output(b.Op("Relu", {b.Op("Add", {x, x}, {}, "add")}, {}, "relu"), "y");
  });
  const std::string printed = ir::PrintGraph(*m.graph);
  auto changed = FuseForRuntime(m);
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);
  EXPECT_EQ(ir::PrintGraph(*m.graph), printed);
}

}  // namespace
}  // namespace shrink::passes
