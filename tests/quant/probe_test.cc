// ProbeRunner: requested intermediate values come back by name; with only_requested the model is
// cut to the nodes they depend on, so a later node that cannot run (here a Reshape to an
// impossible shape) no longer matters.
#include "quant/probe.h"

#include <gtest/gtest.h>

#include "ir/builder.h"

namespace shrink::quant {
namespace {

ir::Model ReluThenBadReshape() {
  ir::Model m = ir::MakeModel(17);
  ir::Graph& g = *m.graph;
  ir::Value* x = g.AddInput("x", ir::TypeInfo::Tensor(DataType::kFloat32, {2, 3}));
  ir::Value* r = g.AddNode("Relu", {x}, {"r"}, {}, "relu")->output(0);
  Tensor shape(DataType::kInt64, {1});
  shape.data<int64_t>()[0] = 7;  // 6 elements cannot become 7
  ir::Value* s = g.AddInitializer("shape", shape);
  g.AddOutput(g.AddNode("Reshape", {r, s}, {"y"}, {}, "reshape")->output(0));
  return m;
}

runtime::Feeds Feed() {
  Tensor x(DataType::kFloat32, {2, 3});
  for (int i = 0; i < 6; ++i) x.data<float>()[i] = static_cast<float>(i - 3);
  return {{"x", x}};
}

TEST(ProbeRunner, OnlyRequestedRunsJustThePrefix) {
  const ir::Model m = ReluThenBadReshape();
  auto cut = ProbeRunner::Create(m, {"r"}, 1, /*only_requested=*/true);
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  auto values = (*cut)->Run(Feed());
  ASSERT_TRUE(values.ok()) << values.status().ToString();
  ASSERT_EQ(values->count("r"), 1u);
  EXPECT_EQ(values->count("y"), 0u);
  EXPECT_EQ(values->at("r").data<float>()[0], 0.0f);
  EXPECT_EQ(values->at("r").data<float>()[5], 2.0f);

  // The whole model still reaches the bad Reshape.
  auto whole = ProbeRunner::Create(m, {"r"}, 1);
  EXPECT_TRUE(!whole.ok() || !(*whole)->Run(Feed()).ok());
}

}  // namespace
}  // namespace shrink::quant
