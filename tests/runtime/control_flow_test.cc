// If and Loop reference kernels: subgraphs built with ir::Graph (parent = the outer graph), run
// through the Executor; expected values computed by hand.
#include <gtest/gtest.h>

#include <memory>

#include "ir/builder.h"
#include "ir/model.h"
#include "runtime/executor.h"
#include "runtime/kernel_test_helpers.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;
using ir::TypeInfo;

Expected<std::vector<Tensor>> RunModel(const ir::Model& m, const runtime::Feeds& feeds) {
  auto ex = runtime::Executor::Create(m);
  if (!ex.ok()) return ex.status();
  return (*ex)->Run(feeds);
}

// Model: If(cond) then -> a + 1 (outer value a), else -> -a.
ir::Model IfModel(int then_outputs) {
  ir::Model m = ir::MakeModel(13);
  ir::Graph& g = *m.graph;
  ir::Value* cond = g.AddInput("cond", TypeInfo::Tensor(DataType::kBool, {}));
  g.AddInput("a", TypeInfo::Tensor(DataType::kFloat32, {3}));
  auto then_g = std::make_shared<ir::Graph>("then", &g);
  ir::Value* one = then_g->AddInitializer("one", Tensor::FromVector<float>({1}, {1.0f}));
  ir::Node* add = then_g->AddNode("Add", {then_g->AddOuterReference("a"), one}, {"then_out"});
  for (int i = 0; i < then_outputs; ++i) then_g->AddOutput(add->output(0));
  auto else_g = std::make_shared<ir::Graph>("else", &g);
  ir::Node* neg = else_g->AddNode("Neg", {else_g->AddOuterReference("a")}, {"else_out"});
  else_g->AddOutput(neg->output(0));
  ir::Node* n = g.AddNode("If", {cond}, {"y"},
                          {MakeAttr("then_branch", then_g), MakeAttr("else_branch", else_g)});
  g.AddOutput(n->output(0));
  return m;
}

TEST(IfTest, RunsTheSelectedBranchWithOuterValues) {
  const ir::Model m = IfModel(1);
  const Tensor a = Tensor::FromVector<float>({3}, {1.0f, -2.0f, 3.5f});
  auto r = RunModel(m, {{"cond", Tensor::Scalar<bool>(true)}, {"a", a}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectNear((*r)[0], {3}, {2.0, -1.0, 4.5});
  r = RunModel(m, {{"cond", Tensor::Scalar<bool>(false)}, {"a", a}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectNear((*r)[0], {3}, {-1.0, 2.0, -3.5});
}

TEST(IfTest, BranchOutputCountMismatchFails) {
  const ir::Model m = IfModel(2);  // then_branch returns 2 values for a 1-output node
  const Tensor a = Tensor::FromVector<float>({3}, {1.0f, 2.0f, 3.0f});
  auto r = RunModel(m, {{"cond", Tensor::Scalar<bool>(true)}, {"a", a}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("then_branch"), std::string::npos) << r.status().message();
}

// Loop whose body computes sum' = sum + float(iter) + x (x from the outer scope), scans sum',
// and continues while iter < stop (a body initializer); `stop` < 0 keeps cond_in.
ir::Model LoopModel(bool with_m, bool with_cond, int64_t stop) {
  ir::Model m = ir::MakeModel(13);
  ir::Graph& g = *m.graph;
  std::vector<ir::Value*> ins;
  TypeInfo any_int64;  // rank unknown, so that malformed trip counts reach the kernel
  any_int64.dtype = DataType::kInt64;
  ins.push_back(with_m ? g.AddInput("M", any_int64) : nullptr);
  ins.push_back(with_cond ? g.AddInput("cond", TypeInfo::Tensor(DataType::kBool, {})) : nullptr);
  ins.push_back(g.AddInput("sum0", TypeInfo::Tensor(DataType::kFloat32, {1})));
  g.AddInput("x", TypeInfo::Tensor(DataType::kFloat32, {1}));
  auto body = std::make_shared<ir::Graph>("body", &g);
  ir::Value* iter = body->AddInput("iter", TypeInfo::Tensor(DataType::kInt64, {}));
  ir::Value* cond_in = body->AddInput("cond_in", TypeInfo::Tensor(DataType::kBool, {}));
  ir::Value* sum = body->AddInput("sum", TypeInfo::Tensor(DataType::kFloat32, {1}));
  ir::Value* fiter =
      body->AddNode("Cast", {iter}, {"fiter"}, {MakeAttr("to", int64_t{1})})->output(0);
  ir::Value* s1 = body->AddNode("Add", {sum, fiter}, {"s1"})->output(0);
  ir::Value* s2 = body->AddNode("Add", {s1, body->AddOuterReference("x")}, {"s2"})->output(0);
  ir::Value* cond_out = cond_in;
  if (stop >= 0) {
    ir::Value* limit = body->AddInitializer("limit", Tensor::Scalar<int64_t>(stop));
    cond_out = body->AddNode("Less", {iter, limit}, {"cond_out"})->output(0);
  } else {
    cond_out = body->AddNode("Identity", {cond_in}, {"cond_out"})->output(0);
  }
  ir::Value* scan = body->AddNode("Identity", {s2}, {"scan"})->output(0);
  scan->type() = TypeInfo::Tensor(DataType::kFloat32, {1});
  body->AddOutput(cond_out);
  body->AddOutput(s2);
  body->AddOutput(scan);
  ir::Node* n = g.AddNode("Loop", ins, {"sum_final", "scans"}, {MakeAttr("body", body)});
  g.AddOutput(n->output(0));
  g.AddOutput(n->output(1));
  return m;
}

TEST(LoopTest, TripCountCarriedValuesAndScanOutputs) {
  const ir::Model m = LoopModel(true, true, -1);
  auto r = RunModel(m, {{"M", Tensor::Scalar<int64_t>(5)},
                        {"cond", Tensor::Scalar<bool>(true)},
                        {"sum0", Tensor::FromVector<float>({1}, {0.5f})},
                        {"x", Tensor::FromVector<float>({1}, {1.0f})}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // sum: 0.5 -> 1.5 -> 3.5 -> 6.5 -> 10.5 -> 15.5
  ExpectNear((*r)[0], {1}, {15.5});
  ExpectNear((*r)[1], {5, 1}, {1.5, 3.5, 6.5, 10.5, 15.5});
}

TEST(LoopTest, ConditionStopsWithoutTripCount) {
  const ir::Model m = LoopModel(false, true, 2);  // body cond_out = iter < 2
  auto r = RunModel(m, {{"cond", Tensor::Scalar<bool>(true)},
                        {"sum0", Tensor::FromVector<float>({1}, {0.0f})},
                        {"x", Tensor::FromVector<float>({1}, {0.0f})}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // Iterations 0, 1, 2 run (the last one returns cond false).
  ExpectNear((*r)[0], {1}, {3.0});
  ExpectNear((*r)[1], {3, 1}, {0.0, 1.0, 3.0});
  // A false initial condition runs nothing; the scan output is empty with the declared shape.
  r = RunModel(m, {{"cond", Tensor::Scalar<bool>(false)},
                   {"sum0", Tensor::FromVector<float>({1}, {7.0f})},
                   {"x", Tensor::FromVector<float>({1}, {0.0f})}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectNear((*r)[0], {1}, {7.0});
  EXPECT_EQ((*r)[1].shape(), (Shape{0, 1}));
  EXPECT_EQ((*r)[1].dtype(), DataType::kFloat32);
}

TEST(LoopTest, TripCountBoundsConditionLoop) {
  const ir::Model m = LoopModel(true, false, 100);
  auto r = RunModel(m, {{"M", Tensor::Scalar<int64_t>(2)},
                        {"sum0", Tensor::FromVector<float>({1}, {0.0f})},
                        {"x", Tensor::FromVector<float>({1}, {2.0f})}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectNear((*r)[0], {1}, {5.0});  // (0 + 2) + (1 + 2)
  // A non-scalar trip count is an error.
  r = RunModel(m, {{"M", Tensor::FromVector<int64_t>({2}, {1, 2})},
                   {"sum0", Tensor::FromVector<float>({1}, {0.0f})},
                   {"x", Tensor::FromVector<float>({1}, {2.0f})}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("M must hold"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace shrink::testing
