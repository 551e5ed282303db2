// The trained reference models in the zoo cache (after `shrink zoo fetch`): each is there with the
// current recipe's hash, its primary metric is inside the recipe's band, re-evaluating the cached
// ONNX file with the native runtime reproduces the manifest's metrics, and the char LM beats a
// unigram model. Skipped only when the zoo has not been fetched at all.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "core/sha256.h"
#include "data/dataset.h"
#include "data/task.h"
#include "refmodels/recipe.h"
#include "runtimes/evaluate.h"
#include "zoo/manifest.h"

namespace shrink::refmodels {
namespace {

class ReferenceModels : public ::testing::Test {
 protected:
  void SetUp() override {
    Expected<zoo::ZooManifest> m = zoo::LoadManifest(zoo::DefaultZooDir());
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    if (m->models.empty())
      GTEST_SKIP() << "the zoo has not been fetched (" << zoo::DefaultZooDir()
                   << "): run `shrink zoo fetch`";
    manifest_ = std::move(m).value();
  }

  // The manifest entry of a trained model; fails the test when it is missing or stale.
  const zoo::ManifestEntry* Entry(const Recipe& r) {
    const zoo::ManifestEntry* e = manifest_.Find(r.name);
    if (e == nullptr) {
      ADD_FAILURE() << r.name << " is not in " << zoo::ManifestPath(manifest_.cache_dir)
                    << ": run `shrink zoo fetch` (without --no-train)";
      return nullptr;
    }
    EXPECT_EQ(e->metrics.value("recipe_hash", ""), *RecipeHash(r))
        << r.name << " was trained from another recipe: run `shrink zoo fetch` again";
    return e;
  }

  zoo::ZooManifest manifest_;
};

TEST_F(ReferenceModels, PrimaryMetricInsideTheBand) {
  for (const Recipe& r : Recipes()) {
    SCOPED_TRACE(r.name);
    const zoo::ManifestEntry* e = Entry(r);
    if (e == nullptr) continue;
    EXPECT_EQ(e->purpose, zoo::Purpose::kAccuracy);
    const nlohmann::json& p = e->metrics.at("primary");
    const double v = p.at("value").get<double>();
    EXPECT_TRUE(r.band.Contains(v))
        << p.at("name") << " = " << v << ", band [" << r.band.min << ", " << r.band.max << "]";
    EXPECT_LE(p.at("ci_low").get<double>(), v);
    EXPECT_GE(p.at("ci_high").get<double>(), v);
    EXPECT_GT(e->metrics.at("examples").get<int64_t>(), 100);
    EXPECT_EQ(e->metrics.at("training").at("epochs").get<int64_t>(), r.epochs);
  }
}

TEST_F(ReferenceModels, CachedFileReproducesTheManifestMetrics) {
  for (const Recipe& r : Recipes()) {
    SCOPED_TRACE(r.name);
    const zoo::ManifestEntry* e = Entry(r);
    if (e == nullptr) continue;
    EXPECT_EQ(*Sha256File(e->path), e->sha256);
    Expected<data::TaskSpec> task = data::LoadTask(TaskPath(r));
    ASSERT_TRUE(task.ok()) << task.status().ToString();
    const nlohmann::json& m = e->metrics;
    runtimes::EvaluateOptions o;
    o.threads = m.value("evaluation_threads", 1);
    o.eval.bootstrap_samples = 0;
    o.eval.progress_bar = false;
    Expected<eval::EvalResult> got = runtimes::EvaluateModelFile(e->path, *task, o);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->examples, m.at("examples").get<int64_t>());
    EXPECT_EQ(got->primary.name, m.at("primary").at("name").get<std::string>());
    const double want = m.at("primary").at("value").get<double>();
    EXPECT_NEAR(got->primary.value, want, 1e-4 * std::max(1.0, std::abs(want)));
    for (const eval::MetricResult& x : got->extra) {
      ASSERT_TRUE(m.at("extra").contains(x.name)) << x.name;
      EXPECT_NEAR(x.value, m.at("extra").at(x.name).get<double>(), 1e-4) << x.name;
    }
  }
}

// Perplexity of the unigram model (add-one smoothed counts of the training split's targets) on
// the evaluation split's targets.
double UnigramPerplexity(const data::TaskSpec& task) {
  Expected<std::unique_ptr<data::Dataset>> train = data::OpenDataset(*task.training);
  Expected<std::unique_ptr<data::Dataset>> evals = data::OpenDataset(task.evaluation);
  EXPECT_TRUE(train.ok() && evals.ok());
  if (!train.ok() || !evals.ok()) return NAN;
  const size_t vocab = (*train)->info().vocabulary.size();
  std::vector<double> counts(vocab, 1.0);
  double total = static_cast<double>(vocab);
  Expected<data::Batch> all = (*train)->GetBatch(0, (*train)->size());
  for (int64_t i = 0; i < all->labels.numel(); ++i, ++total)
    counts[static_cast<size_t>(all->labels.data<int64_t>()[i])] += 1;
  all = (*evals)->GetBatch(0, (*evals)->size());
  double nll = 0;
  for (int64_t i = 0; i < all->labels.numel(); ++i)
    nll -= std::log(counts[static_cast<size_t>(all->labels.data<int64_t>()[i])] / total);
  return std::exp(nll / static_cast<double>(all->labels.numel()));
}

TEST_F(ReferenceModels, CharTransformerBeatsTheUnigramBaseline) {
  const Recipe& r = *FindRecipe("char_transformer");
  const zoo::ManifestEntry* e = Entry(r);
  if (e == nullptr) return;
  Expected<data::TaskSpec> task = data::LoadTask(TaskPath(r));
  ASSERT_TRUE(task.ok()) << task.status().ToString();
  const double unigram = UnigramPerplexity(*task);
  const double ppl = e->metrics.at("primary").at("value").get<double>();
  EXPECT_GT(unigram, 10.0);  // English characters: about 4 bits each
  EXPECT_LT(ppl, 0.5 * unigram) << "unigram perplexity " << unigram;
}

}  // namespace
}  // namespace shrink::refmodels
