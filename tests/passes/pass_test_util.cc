#include "pass_test_util.h"

#include <gtest/gtest.h>

#include <random>

#include "ir/printer.h"
#include "ir/verifier.h"
#include "passes/dead_code_elimination.h"
#include "passes/pass_manager.h"
#include "runtime/node_evaluator.h"
#include "runtime_util/op_test_util.h"

namespace shrink::passes::testing {

ir::Model Build(const BuildFn& build, int64_t opset) {
  ir::Model m = ir::MakeModel(opset);
  ir::GraphBuilder b(*m.graph);
  build(b);
  for (const auto& n : m.graph->nodes())  // hand-written fused ops need their domain imported
    if (n->domain() == kShrinkDomain) m.SetOpset(kShrinkDomain, kShrinkDomainVersion);
  return m;
}

Tensor RandomTensor(const Shape& shape, uint32_t seed, float lo, float hi) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  Tensor t(DataType::kFloat32, shape);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = dist(gen);
  return t;
}

Tensor RandomInts(DataType t, const Shape& shape, int lo, int hi, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> dist(lo, hi);
  Tensor out(t, shape);
  for (int64_t i = 0; i < out.numel(); ++i) out.SetFromDouble(i, dist(gen));
  return out;
}

bool Apply(std::unique_ptr<Pass> pass, ir::Model& model) {
  PassManager pm;
  Pass* raw = pass.get();
  pm.Add(std::move(pass));
  PassContext ctx(model.opset_imports);
  ctx.evaluator = runtime::EvaluateNode;
  Expected<bool> changed = pm.Run(*model.graph, ctx);
  EXPECT_TRUE(changed.ok()) << changed.status().ToString();
  if (!changed.ok()) return false;
  for (const auto& op : ctx.opsets())
    if (model.OpsetFor(op.domain) < op.version) model.SetOpset(op.domain, op.version);
  DeadCodeElimination dce;
  Expected<bool> dce_changed = dce.Run(*model.graph, ctx);
  EXPECT_TRUE(dce_changed.ok());
  Status s = ir::Verify(model);
  EXPECT_TRUE(s.ok()) << s.ToString() << " after " << raw->name();
  return *changed;
}

std::vector<Tensor> RunModel(const ir::Model& model, const runtime::Feeds& feeds) {
  auto exec = runtime::Executor::Create(model);
  EXPECT_TRUE(exec.ok()) << exec.status().ToString();
  if (!exec.ok()) return {};
  auto outs = (*exec)->Run(feeds);
  EXPECT_TRUE(outs.ok()) << outs.status().ToString();
  if (!outs.ok()) return {};
  return std::move(outs).value();
}

ir::Model ExpectEquivalentAfter(const BuildFn& build, std::function<std::unique_ptr<Pass>()> make,
                                const runtime::Feeds& feeds, bool expect_change, double tol,
                                int64_t opset) {
  ir::Model before = Build(build, opset);
  ir::Model after = Build(build, opset);
  const bool changed = Apply(make(), after);
  EXPECT_EQ(changed, expect_change) << ir::PrintGraph(*after.graph);
  std::vector<Tensor> want = RunModel(before, feeds);
  std::vector<Tensor> got = RunModel(after, feeds);
  EXPECT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size() && i < got.size(); ++i)
    EXPECT_LE(shrink::testing::MaxAbsDiff(want[i], got[i]), tol) << "output " << i;
  return after;
}

int CountOps(const ir::Graph& g, const std::string& op_type) {
  int n = 0;
  for (const auto& node : g.nodes()) n += node->op_type() == op_type ? 1 : 0;
  return n;
}

}  // namespace shrink::passes::testing
