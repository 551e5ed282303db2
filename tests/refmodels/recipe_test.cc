// Reference-model recipes: complete and consistent with the zoo catalog and the task files, hash
// sensitivity, the breast cancer task's standardisation, and char_transformer computing the same
// function in the training engine as in the runtime.
#include "refmodels/recipe.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "core/temp_dir.h"
#include "data/dataset.h"
#include "data/task.h"
#include "runtime/executor.h"
#include "train/program.h"
#include "zoo/builders.h"
#include "zoo/catalog.h"

namespace shrink::refmodels {
namespace {

TEST(Recipes, CompleteAndMatchTheCatalog) {
  std::set<std::string> names;
  for (const Recipe& r : Recipes()) {
    SCOPED_TRACE(r.name);
    EXPECT_TRUE(names.insert(r.name).second);
    EXPECT_EQ(FindRecipe(r.name), &r);
    const zoo::CatalogEntry* e = zoo::FindCatalogEntry(r.name);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->recipe, r.name);
    EXPECT_EQ(e->builder, r.architecture);
    EXPECT_EQ(e->purpose, zoo::Purpose::kAccuracy);
    EXPECT_NE(e->source.find(r.task), std::string::npos);
    EXPECT_NE(zoo::FindArchitecture(r.architecture), nullptr);
    EXPECT_GT(r.epochs, 0);
    EXPECT_GT(r.batch_size, 0);
    EXPECT_TRUE(std::isfinite(r.band.min) || std::isfinite(r.band.max));
    Expected<data::TaskSpec> task = data::LoadTask(TaskPath(r));
    ASSERT_TRUE(task.ok()) << task.status().ToString();
    EXPECT_TRUE(task->training.has_value());
    // The band bounds the side the metric improves on.
    EXPECT_EQ(std::isfinite(r.band.min), task->metric.higher_is_better);
  }
  for (const zoo::CatalogEntry& e : zoo::Catalog()) {
    if (!e.trained()) continue;
    EXPECT_NE(FindRecipe(e.recipe), nullptr) << e.name;
  }
  EXPECT_EQ(FindRecipe("resnet50"), nullptr);
}

TEST(Recipes, HashIsStableAndDetectsChanges) {
  const Recipe base = *FindRecipe("tabular_mlp");
  Expected<std::string> h = RecipeHash(base);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->size(), 64u);
  EXPECT_EQ(*RecipeHash(base), *h);

  std::vector<Recipe> changed(6, base);
  changed[0].lr *= 2;
  changed[1].epochs += 1;
  changed[2].seed += 1;
  changed[3].batch_size += 1;
  changed[4].schedule = train::ScheduleKind::kConstant;
  changed[5].architecture = "mnist_mlp";
  std::set<std::string> hashes = {*h};
  for (const Recipe& r : changed) {
    Expected<std::string> other = RecipeHash(r);
    ASSERT_TRUE(other.ok());
    EXPECT_TRUE(hashes.insert(*other).second) << RecipeToJson(r).dump();
  }
  // The band is an acceptance criterion, not part of the recipe.
  Recipe band = base;
  band.band.min = 0.5;
  EXPECT_EQ(*RecipeHash(band), *h);

  // The task file's bytes are covered.
  Expected<TempDir> dir = TempDir::Create("shrink-recipe-test-");
  ASSERT_TRUE(dir.ok());
  Recipe copy = base;
  copy.task = dir->File("task.yaml");
  std::filesystem::copy_file(TaskPath(base), copy.task);
  Expected<std::string> same_bytes = RecipeHash(copy);
  ASSERT_TRUE(same_bytes.ok());
  std::ofstream(copy.task, std::ios::app) << "# edited\n";
  Expected<std::string> edited = RecipeHash(copy);
  ASSERT_TRUE(edited.ok());
  EXPECT_NE(*edited, *same_bytes);

  copy.task = dir->File("missing.yaml");
  EXPECT_EQ(RecipeHash(copy).status().code(), StatusCode::kNotFound);
  Recipe bad_arch = base;
  bad_arch.architecture = "no_such_net";
  EXPECT_EQ(RecipeHash(bad_arch).status().code(), StatusCode::kNotFound);
}

// The per-feature mean/std in tasks/breast_cancer.yaml are those of its training split.
TEST(Recipes, BreastCancerTaskStandardisesTheTrainingSplit) {
  Expected<data::TaskSpec> task = data::LoadTask(TaskPath(*FindRecipe("tabular_mlp")));
  ASSERT_TRUE(task.ok()) << task.status().ToString();
  Expected<std::unique_ptr<data::Dataset>> ds = data::OpenDataset(*task->training);
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  Expected<data::Batch> all = (*ds)->GetBatch(0, (*ds)->size());
  ASSERT_TRUE(all.ok());
  const Tensor& x = all->inputs[0].second;
  ASSERT_EQ(x.rank(), 2);
  const int64_t n = x.shape()[0], f = x.shape()[1];
  ASSERT_EQ(f, 30);
  for (int64_t j = 0; j < f; ++j) {
    double sum = 0, sq = 0;
    for (int64_t i = 0; i < n; ++i) sum += x.data<float>()[i * f + j];
    const double mean = sum / static_cast<double>(n);
    for (int64_t i = 0; i < n; ++i) sq += std::pow(x.data<float>()[i * f + j] - mean, 2);
    EXPECT_NEAR(mean, 0.0, 2e-3) << "feature " << j;
    EXPECT_NEAR(std::sqrt(sq / static_cast<double>(n)), 1.0, 2e-3) << "feature " << j;
  }
}

// char_transformer on real char_lm tokens: the training engine's forward pass equals the
// reference executor's (so what is trained is what is deployed).
TEST(Recipes, CharTransformerTrainsTheFunctionTheRuntimeRuns) {
  Expected<data::TaskSpec> task = data::LoadTask(TaskPath(*FindRecipe("char_transformer")));
  ASSERT_TRUE(task.ok()) << task.status().ToString();
  Expected<std::unique_ptr<data::Dataset>> ds = data::OpenDataset(task->evaluation);
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  const int64_t vocab = static_cast<int64_t>((*ds)->info().vocabulary.size());
  EXPECT_GT(vocab, 60);
  Expected<data::Batch> batch = (*ds)->GetBatch(0, 3);
  ASSERT_TRUE(batch.ok());
  const Tensor* tokens = batch->Input("tokens");
  ASSERT_NE(tokens, nullptr);
  Expected<ir::Model> m = zoo::BuildCharTransformer({.seed = 1, .vocab_size = vocab});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  NamedTensors feeds = {{"tokens", *tokens}};
  Expected<std::unique_ptr<runtime::Executor>> ex = runtime::Executor::Create(*m);
  ASSERT_TRUE(ex.ok()) << ex.status().ToString();
  Expected<std::vector<Tensor>> want = (*ex)->Run(feeds);
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  Expected<std::unique_ptr<train::Program>> prog = train::Program::Create(*m);
  ASSERT_TRUE(prog.ok()) << prog.status().ToString();
  Expected<std::vector<Tensor>> got = (*prog)->Forward(feeds);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ((*got)[0].shape(), (*want)[0].shape());
  EXPECT_EQ((*got)[0].shape(), (Shape{3, 64, vocab}));
  double worst = 0;
  for (int64_t i = 0; i < (*want)[0].numel(); ++i)
    worst = std::max(worst, static_cast<double>(std::abs((*got)[0].data<float>()[i] -
                                                         (*want)[0].data<float>()[i])));
  EXPECT_LT(worst, 1e-4);
}

}  // namespace
}  // namespace shrink::refmodels
