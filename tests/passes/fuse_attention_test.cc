#include "passes/fuse_attention.h"

#include <gtest/gtest.h>

#include "ir/printer.h"
#include "pass_test_util.h"

namespace shrink::passes {
namespace {

using ir::GraphBuilder;
using ir::MakeAttr;
using ir::Value;

// Q [1, 2, 4, 8], Kt [1, 2, 8, 5], V [1, 2, 5, 8], additive mask [1, 1, 1, 5].
// scale_op: "Div", "Mul" or "" (none).
testing::BuildFn Sdpa(const std::string& scale_op, bool mask, bool leak = false,
                      int64_t softmax_axis = -1) {
  return [=](GraphBuilder& b) {
    Value* q = b.Input("q", DataType::kFloat32, Shape{1, 2, 4, 8});
    Value* kt = b.Input("kt", DataType::kFloat32, Shape{1, 2, 8, 5});
    Value* v = b.Input("v", DataType::kFloat32, Shape{1, 2, 5, 8});
    Value* s = b.Op("MatMul", {q, kt}, {}, "qk");
    if (scale_op == "Div")
      s = b.Op("Div", {s, b.Const("c", Tensor::Scalar<float>(2.8284271f))}, {}, "scale");
    if (scale_op == "Mul")
      s = b.Op("Mul", {b.Const("c", Tensor::Scalar<float>(0.35f)), s}, {}, "scale");
    if (mask) s = b.Op("Add", {s, b.Input("m", DataType::kFloat32, Shape{1, 1, 1, 5})}, {}, "mask");
    Value* p = b.Op("Softmax", {s}, {MakeAttr("axis", softmax_axis)}, "softmax");
    b.Output(b.Op("MatMul", {p, v}, {}, "pv"), "y");
    if (leak) b.Output(p, "probs");
  };
}

runtime::Feeds Feeds() {
  Tensor m = testing::RandomTensor({1, 1, 1, 5}, 4, -3, 0);
  m.data<float>()[4] = -10000.0f;  // a masked-out key
  return {{"q", testing::RandomTensor({1, 2, 4, 8}, 1, -2, 2)},
          {"kt", testing::RandomTensor({1, 2, 8, 5}, 2, -2, 2)},
          {"v", testing::RandomTensor({1, 2, 5, 8}, 3)},
          {"m", m}};
}
runtime::Feeds FeedsNoMask() {
  runtime::Feeds f = Feeds();
  f.pop_back();
  return f;
}
std::unique_ptr<Pass> Make() { return std::make_unique<FuseAttention>(); }

TEST(FuseAttention, Golden) {
  ir::Model m = testing::ExpectEquivalentAfter(Sdpa("Div", true), Make, Feeds(), true, 1e-5);
  EXPECT_EQ(ir::PrintGraph(*m.graph),
            "graph main(%q: float32[1, 2, 4, 8], %kt: float32[1, 2, 8, 5], "
            "%v: float32[1, 2, 5, 8], %m: float32[1, 1, 1, 5]) -> (%y: undefined[?]) {\n"
            "  %y = com.shrink.Attention(%q, %kt, %v, %m) {scale=0.353553}  # qk\n"
            "}\n");
}

TEST(FuseAttention, MulScaleAndNoScaleNoMask) {
  ir::Model a = testing::ExpectEquivalentAfter(Sdpa("Mul", false), Make, FeedsNoMask(), true);
  EXPECT_EQ(a.graph->num_nodes(), 1u);
  ir::Model b = testing::ExpectEquivalentAfter(Sdpa("", false), Make, FeedsNoMask(), true);
  ASSERT_EQ(b.graph->num_nodes(), 1u);
  EXPECT_EQ(b.graph->nodes()[0]->GetFloat("scale", 0.0f), 1.0f);
}

TEST(FuseAttention, NegativeCases) {
  // Probabilities are also a graph output.
  testing::ExpectEquivalentAfter(Sdpa("Div", true, true), Make, Feeds(), false);
  // Softmax over another axis.
  testing::ExpectEquivalentAfter(Sdpa("Div", true, false, 2), Make, Feeds(), false);
}

}  // namespace
}  // namespace shrink::passes
