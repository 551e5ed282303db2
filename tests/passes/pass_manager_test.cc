#include "passes/pass_manager.h"

#include <gtest/gtest.h>

#include "ir/printer.h"
#include "pass_test_util.h"

namespace shrink::passes {
namespace {

using ir::GraphBuilder;
using testing::Build;

// Removes one Identity node per run (so only a fixpoint run removes them all).
class RemoveOneIdentity : public Pass {
 public:
  std::string name() const override { return "remove_one_identity"; }
  Expected<bool> Run(ir::Graph& g, PassContext&) override {
    for (const auto& n : g.nodes()) {
      if (n->op_type() != "Identity" || n->output(0)->is_graph_output()) continue;
      g.ReplaceAllUsesWith(n->output(0), n->input(0));
      if (!g.RemoveNode(n.get())) return Internal("could not remove");
      return true;
    }
    return false;
  }
};

// Creates a cycle: the verifier must reject the graph after this pass.
class BreakGraph : public Pass {
 public:
  std::string name() const override { return "break_graph"; }
  Expected<bool> Run(ir::Graph& g, PassContext&) override {
    ir::Node* first = g.nodes().front().get();
    ir::Node* n = g.AddNode("Relu", {first->output(0)}, {g.UniqueName("loop")});
    first->SetInput(0, n->output(0));
    return true;
  }
};

class Fails : public Pass {
 public:
  std::string name() const override { return "fails"; }
  Expected<bool> Run(ir::Graph&, PassContext&) override { return Unimplemented("nope"); }
};

ir::Model Chain() {
  return Build([](GraphBuilder& b) {
    ir::Value* v = b.Input("x", DataType::kFloat32, Shape{2});
    for (int i = 0; i < 3; ++i) v = b.Op("Identity", {v});
    b.Output(b.Op("Relu", {v}), "y");
  });
}

TEST(PassManager, SingleRunVsFixpoint) {
  ir::Model a = Chain();
  PassManager once;
  once.Add(std::make_unique<RemoveOneIdentity>());
  auto r = once.Run(a);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(*r);
  EXPECT_EQ(a.graph->num_nodes(), 3u);

  ir::Model b = Chain();
  PassManagerOptions opt;
  opt.run_to_fixpoint = true;
  PassManager fix(opt);
  fix.Add(std::make_unique<RemoveOneIdentity>());
  r = fix.Run(b);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(b.graph->num_nodes(), 1u);
  // A second fixpoint run finds nothing.
  r = fix.Run(b);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
}

TEST(PassManager, VerifiesAfterEachPassAndNamesThePass) {
  ir::Model m = Chain();
  PassManager pm;
  pm.Add(std::make_unique<BreakGraph>());
  auto r = pm.Run(m);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("break_graph"), std::string::npos) << r.status().message();
}

TEST(PassManager, PassErrorIsReturnedWithItsName) {
  ir::Model m = Chain();
  PassManager pm;
  pm.Add(std::make_unique<Fails>());
  auto r = pm.Run(m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(r.status().message().find("fails"), std::string::npos);
}

TEST(PassManager, PrintsIrAfterChangingPassAndTimes) {
  ir::Model m = Chain();
  std::vector<std::string> printed;
  PassManagerOptions opt;
  opt.print_ir_after = {"remove_one_identity"};
  opt.time_passes = true;
  opt.print_sink = [&](const std::string& pass, const std::string& ir) {
    printed.push_back(pass + "\n" + ir);
  };
  PassManager pm(opt);
  pm.Add(std::make_unique<RemoveOneIdentity>());
  pm.Add(std::make_unique<RemoveOneIdentity>());
  ASSERT_TRUE(pm.Run(m).ok());
  ASSERT_EQ(printed.size(), 2u);
  EXPECT_EQ(printed[1], "remove_one_identity\n" + ir::PrintGraph(*m.graph));
  ASSERT_EQ(pm.timings().size(), 1u);
  EXPECT_EQ(pm.timings()[0].runs, 2);
  EXPECT_EQ(pm.timings()[0].changed, 2);
  EXPECT_NE(pm.TimingReport().find("remove_one_identity"), std::string::npos);
}

TEST(PassContext, RequireDomainIsWrittenBackToTheModel) {
  PassContext ctx({{"", 17}});
  EXPECT_EQ(ctx.OpsetFor("ai.onnx"), 17);
  EXPECT_EQ(ctx.OpsetFor(kShrinkDomain), 0);
  ctx.RequireDomain(kShrinkDomain, 1);
  EXPECT_EQ(ctx.OpsetFor(kShrinkDomain), 1);
}

}  // namespace
}  // namespace shrink::passes
