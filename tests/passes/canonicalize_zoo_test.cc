// The whole canonicalisation pipeline on real zoo models: fewer nodes, same outputs (1e-4).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "ir/verifier.h"
#include "onnx/import.h"
#include "pass_test_util.h"
#include "passes/canonicalize.h"
#include "runtime/node_evaluator.h"
#include "runtime/random_inputs.h"
#include "runtime_util/op_test_util.h"

namespace shrink::passes {
namespace {

std::string ZooPath(const std::string& name) {
  return std::string(SHRINK_SOURCE_DIR) + "/zoo_cache/" + name + ".onnx";
}

struct Outcome {
  size_t nodes_before = 0;
  size_t nodes_after = 0;
  ir::Model model;
};

// Loads `name`, runs it, canonicalises in place, runs again and compares every output.
void CheckCanonicalization(const std::string& name, const runtime::DimValues& dims, Outcome& out) {
  const std::string path = ZooPath(name);
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " absent (run `shrink zoo fetch`)";
  auto loaded = onnx_io::LoadModel(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  out.model = std::move(loaded).value();
  auto feeds = runtime::MakeRandomFeeds(*out.model.graph, 7, dims);
  ASSERT_TRUE(feeds.ok()) << feeds.status().ToString();
  std::vector<Tensor> want = testing::RunModel(out.model, *feeds);
  ASSERT_FALSE(want.empty());
  out.nodes_before = out.model.graph->num_nodes();

  PassManagerOptions opt;
  opt.run_to_fixpoint = true;
  PassManager pm(opt);
  AddCanonicalizationPasses(pm);
  auto changed = pm.Run(out.model, runtime::EvaluateNode);
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_TRUE(*changed);
  ASSERT_TRUE(ir::Verify(out.model).ok());
  out.nodes_after = out.model.graph->num_nodes();
  EXPECT_LT(out.nodes_after, out.nodes_before);
  std::printf("%s: %zu -> %zu nodes\n", name.c_str(), out.nodes_before, out.nodes_after);

  std::vector<Tensor> got = testing::RunModel(out.model, *feeds);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_LE(shrink::testing::MaxAbsDiff(want[i], got[i]), 1e-4)
        << name << " output " << out.model.graph->outputs()[i]->name();
  }
}

TEST(CanonicalizeZoo, ResNet50) {
  Outcome o;
  CheckCanonicalization("resnet50", {{"N", 1}}, o);
  if (::testing::Test::IsSkipped() || ::testing::Test::HasFailure()) return;
  // Every BatchNormalization follows a Conv and folds; every Relu follows a Conv or an Add.
  EXPECT_EQ(testing::CountOps(*o.model.graph, "BatchNormalization"), 0);
  EXPECT_EQ(testing::CountOps(*o.model.graph, "FusedConv"), 33);
  EXPECT_EQ(o.model.OpsetFor("com.shrink"), 1);
}

TEST(CanonicalizeZoo, BertBase) {
  Outcome o;
  CheckCanonicalization("bert_base", {{"N", 1}, {"S", 16}}, o);
  if (::testing::Test::IsSkipped() || ::testing::Test::HasFailure()) return;
  EXPECT_EQ(testing::CountOps(*o.model.graph, "Erf"), 0);
  EXPECT_EQ(testing::CountOps(*o.model.graph, "Gelu"), 12);
  EXPECT_EQ(testing::CountOps(*o.model.graph, "Attention"), 12);
  EXPECT_EQ(testing::CountOps(*o.model.graph, "Softmax"), 0);
}

}  // namespace
}  // namespace shrink::passes
