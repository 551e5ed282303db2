// The zoo train hook on a fast recipe (tabular_mlp, few epochs) in a private cache: trains,
// records the metrics, caches by recipe hash, retrains identically with --force (determinism)
// and retrains differently when the recipe changes.
#include "refmodels/fetch_trained.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/sha256.h"
#include "core/temp_dir.h"

namespace shrink::refmodels {
namespace {
namespace fs = std::filesystem;
using Kind = zoo::FetchEvent::Kind;

struct FetchRun {
  Expected<zoo::ZooManifest> manifest = Internal("not run");
  std::vector<zoo::FetchEvent> events;
  int Count(Kind k) const {
    int n = 0;
    for (const auto& e : events) n += e.kind == k;
    return n;
  }
  bool Said(const std::string& text) const {
    for (const auto& e : events)
      if (e.message.find(text) != std::string::npos) return true;
    return false;
  }
};

FetchRun Fetch(const std::string& cache, const Recipe& recipe, bool force = false) {
  FetchRun run;
  zoo::FetchOptions o;
  o.cache_dir = cache;
  o.models = {recipe.name};
  o.force = force;
  o.train = TrainHook({recipe});
  o.progress = [&run](const zoo::FetchEvent& e) { run.events.push_back(e); };
  run.manifest = zoo::FetchZoo(o);
  return run;
}

Recipe FastTabular() {
  Recipe r = *FindRecipe("tabular_mlp");
  r.epochs = 3;
  return r;
}

TEST(FetchTrained, TrainsRecordsCachesAndRetrainsOnChange) {
  Expected<TempDir> dir = TempDir::Create("shrink-refmodels-test-");
  ASSERT_TRUE(dir.ok());
  const Recipe recipe = FastTabular();
  const std::string path = dir->File("tabular_mlp.onnx");

  FetchRun first = Fetch(dir->path(), recipe);
  ASSERT_TRUE(first.manifest.ok()) << first.manifest.status().ToString();
  EXPECT_TRUE(first.Said("not cached"));
  EXPECT_TRUE(first.Said("epoch 3/3 100%"));
  const zoo::ManifestEntry* e = first.manifest->Find("tabular_mlp");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->purpose, zoo::Purpose::kAccuracy);
  EXPECT_EQ(e->builder, "tabular_mlp");
  EXPECT_EQ(e->parameters, 30 * 32 + 32 + 32 * 16 + 16 + 16 + 1);
  EXPECT_EQ(e->sha256, *Sha256File(path));
  const nlohmann::json& m = e->metrics;
  EXPECT_EQ(m.value("recipe_hash", ""), *RecipeHash(recipe));
  EXPECT_EQ(m["recipe"]["epochs"], 3);
  EXPECT_EQ(m["primary"]["name"], "roc_auc");
  const double auc = m["primary"]["value"];
  EXPECT_GT(auc, 0.5);  // 3 epochs already separate the classes somewhat
  EXPECT_LE(auc, 1.0);
  EXPECT_LE(m["primary"]["ci_low"].get<double>(), auc);
  EXPECT_GE(m["primary"]["ci_high"].get<double>(), auc);
  EXPECT_TRUE(m["extra"].contains("accuracy"));
  EXPECT_EQ(m["examples"], 569 - 398 - 57);  // the eval split: 569 minus train 70% and calib 10%
  EXPECT_EQ(m["training"]["epochs"], 3);
  EXPECT_EQ(m["training"]["train_examples"], 398);
  EXPECT_EQ(m["training"]["steps"], 3 * 13);  // ceil(398 / 32) per epoch
  EXPECT_LT(m["training"]["last_epoch_loss"].get<double>(),
            m["training"]["first_epoch_loss"].get<double>());
  const std::string sha = e->sha256;

  // Same recipe: cached, nothing trained, file untouched.
  const auto mtime = fs::last_write_time(path);
  FetchRun again = Fetch(dir->path(), recipe);
  ASSERT_TRUE(again.manifest.ok());
  EXPECT_EQ(again.Count(Kind::kCached), 1);
  EXPECT_EQ(again.Count(Kind::kTraining), 0);
  EXPECT_EQ(fs::last_write_time(path), mtime);

  // --force retrains: the same recipe gives bit-identical weights (and bytes).
  FetchRun forced = Fetch(dir->path(), recipe, /*force=*/true);
  ASSERT_TRUE(forced.manifest.ok());
  EXPECT_GT(forced.Count(Kind::kTraining), 0);
  EXPECT_EQ(*Sha256File(path), sha);
  EXPECT_EQ(forced.manifest->Find("tabular_mlp")->metrics["primary"]["value"].get<double>(), auc);

  // A changed recipe is detected and retrained into other weights.
  Recipe changed = recipe;
  changed.lr *= 3;
  FetchRun retrained = Fetch(dir->path(), changed);
  ASSERT_TRUE(retrained.manifest.ok());
  EXPECT_TRUE(retrained.Said("recipe changed"));
  EXPECT_NE(*Sha256File(path), sha);
  EXPECT_EQ(retrained.manifest->Find("tabular_mlp")->metrics.value("recipe_hash", ""),
            *RecipeHash(changed));

  // A damaged cached file is retrained too.
  fs::resize_file(path, 100);
  FetchRun repaired = Fetch(dir->path(), changed);
  ASSERT_TRUE(repaired.manifest.ok());
  EXPECT_TRUE(repaired.Said("sha256"));
  EXPECT_EQ(repaired.manifest->Find("tabular_mlp")->sha256, *Sha256File(path));
}

TEST(FetchTrained, BadRecipesAreClearErrors) {
  Expected<TempDir> dir = TempDir::Create("shrink-refmodels-test-");
  ASSERT_TRUE(dir.ok());
  zoo::FetchOptions o;
  o.cache_dir = dir->path();
  o.models = {"tabular_mlp"};
  o.train = TrainHook({});  // no recipe for the entry
  Expected<zoo::ZooManifest> man = zoo::FetchZoo(o);
  ASSERT_FALSE(man.ok());
  EXPECT_EQ(man.status().code(), StatusCode::kNotFound);
  EXPECT_NE(man.status().message().find("tabular_mlp"), std::string::npos);

  Recipe bad = FastTabular();
  bad.task = dir->File("no_such_task.yaml");
  man = Fetch(dir->path(), bad).manifest;
  ASSERT_FALSE(man.ok());
  EXPECT_EQ(man.status().code(), StatusCode::kNotFound);

  bad = FastTabular();
  bad.lr = -1;  // rejected by the Trainer
  man = Fetch(dir->path(), bad).manifest;
  ASSERT_FALSE(man.ok());
  EXPECT_EQ(man.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(man.status().ToString().find("reference model tabular_mlp"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir->File("tabular_mlp.onnx")));
}

}  // namespace
}  // namespace shrink::refmodels
