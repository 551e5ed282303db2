#include "passes/fuse_matmul_add_into_gemm.h"

#include <gtest/gtest.h>

#include "ir/printer.h"
#include "pass_test_util.h"

namespace shrink::passes {
namespace {

using ir::GraphBuilder;

testing::BuildFn MatMulAdd(Shape bias_shape, bool bias_first = false, bool x_3d = false,
                           bool extra_use = false) {
  return [=](GraphBuilder& b) {
    ir::Value* x = b.Input("x", DataType::kFloat32, x_3d ? Shape{2, 4, 6} : Shape{4, 6});
    ir::Value* w = b.Const("w", testing::RandomTensor({6, 5}, 1));
    ir::Value* c = b.Const("c", testing::RandomTensor(bias_shape, 2));
    ir::Value* mm = b.Op("MatMul", {x, w}, {}, "fc/MatMul");
    ir::Value* y =
        b.Op("Add", bias_first ? std::vector<ir::Value*>{c, mm} : std::vector<ir::Value*>{mm, c},
             {}, "fc/Add");
    b.Output(y, "y");
    if (extra_use) b.Output(mm, "mm");
  };
}

TEST(FuseMatMulAddIntoGemm, Golden) {
  ir::Model m = testing::ExpectEquivalentAfter(
      MatMulAdd({5}), [] { return std::make_unique<FuseMatMulAddIntoGemm>(); },
      {{"x", testing::RandomTensor({4, 6}, 3)}}, true);
  EXPECT_EQ(ir::PrintGraph(*m.graph),
            "graph main(%x: float32[4, 6]) -> (%y: undefined[?]) {\n"
            "  %w = initializer float32[6, 5]\n"
            "  %c = initializer float32[5]\n"
            "  %y = Gemm(%x, %w, %c)  # fc/MatMul\n"
            "}\n");
}

TEST(FuseMatMulAddIntoGemm, BiasFirstAndRowBias) {
  testing::ExpectEquivalentAfter(
      MatMulAdd({1, 5}, true), [] { return std::make_unique<FuseMatMulAddIntoGemm>(); },
      {{"x", testing::RandomTensor({4, 6}, 3)}}, true);
}

TEST(FuseMatMulAddIntoGemm, NegativeCases) {
  auto make = [] { return std::make_unique<FuseMatMulAddIntoGemm>(); };
  // 3-D activation: Gemm needs 2-D A.
  testing::ExpectEquivalentAfter(MatMulAdd({5}, false, true), make,
                                 {{"x", testing::RandomTensor({2, 4, 6}, 3)}}, false);
  // Full [4, 5] addend is not a bias.
  testing::ExpectEquivalentAfter(MatMulAdd({4, 5}), make, {{"x", testing::RandomTensor({4, 6}, 3)}},
                                 false);
  // MatMul output is also a graph output.
  testing::ExpectEquivalentAfter(MatMulAdd({5}, false, false, true), make,
                                 {{"x", testing::RandomTensor({4, 6}, 3)}}, false);
}

}  // namespace
}  // namespace shrink::passes
