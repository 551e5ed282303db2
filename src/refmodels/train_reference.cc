#include "refmodels/train_reference.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>

#include "data/dataset.h"
#include "data/task.h"
#include "runtimes/evaluate.h"
#include "train/dataset_source.h"
#include "train/trainer.h"
#include "zoo/builders.h"

namespace shrink::refmodels {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// About ten progress lines per model: every k-th epoch end, plus quarter-epoch lines when an
// epoch is long (hundreds of steps).
std::function<void(const train::TrainProgress&)> EpochReporter(
    const std::function<void(const std::string&)>& progress, int64_t per_epoch) {
  return [progress, per_epoch, last = int64_t{0}](const train::TrainProgress& p) mutable {
    const int64_t every = std::max<int64_t>(1, p.epochs / 10);
    int64_t quarter = 4;
    if (!p.epoch_end) {
      if (per_epoch < 400) return;
      quarter = 4 * p.step_in_epoch / per_epoch;
      if (quarter == 0 || quarter >= 4 || quarter == last) return;
    } else if ((p.epoch + 1) % every != 0 && p.epoch + 1 != p.epochs) {
      return;
    }
    last = p.epoch_end ? 0 : quarter;
    char line[160];
    std::snprintf(line, sizeof(line), "epoch %lld/%lld %3d%%: loss %.4f (lr %.2e)",
                  static_cast<long long>(p.epoch + 1), static_cast<long long>(p.epochs),
                  static_cast<int>(quarter * 25), p.epoch_mean_loss, p.lr);
    progress(line);
  };
}

nlohmann::json MetricJson(const eval::MetricResult& m) {
  return {{"name", m.name},
          {"value", m.value},
          {"ci_low", m.ci_low},
          {"ci_high", m.ci_high},
          {"higher_is_better", m.higher_is_better}};
}

}  // namespace

Expected<TrainedReference> TrainReference(const Recipe& recipe,
                                          const TrainReferenceOptions& options) {
  auto say = [&](const std::string& s) {
    if (options.progress) options.progress(s);
  };
  auto fail = [&](const Status& s) { return s.WithContext("reference model " + recipe.name); };
  const zoo::BuilderInfo* arch = zoo::FindArchitecture(recipe.architecture);
  if (arch == nullptr) return fail(NotFound("unknown architecture '" + recipe.architecture + "'"));
  Expected<std::string> hash = RecipeHash(recipe);
  if (!hash.ok()) return fail(hash.status());
  Expected<data::TaskSpec> task = data::LoadTask(TaskPath(recipe));
  if (!task.ok()) return fail(task.status());
  if (!task->training) return fail(InvalidArgument(TaskPath(recipe) + " has no training dataset"));
  Expected<std::unique_ptr<data::Dataset>> ds = data::OpenDataset(*task->training);
  if (!ds.ok()) return fail(ds.status());

  zoo::BuildOptions build{.seed = recipe.seed, .opset = recipe.opset};
  if ((*ds)->info().label_kind == data::LabelKind::kTokens)
    build.vocab_size = static_cast<int64_t>((*ds)->info().vocabulary.size());
  Expected<ir::Model> model = arch->build(build);
  if (!model.ok()) return fail(model.status());

  train::TrainOptions to;
  to.optimizer = recipe.optimizer;
  to.lr = recipe.lr;
  to.weight_decay = recipe.weight_decay;
  to.schedule = recipe.schedule;
  to.epochs = recipe.epochs;
  to.batch_size = recipe.batch_size;
  to.seed = recipe.seed;
  to.threads = recipe.threads;
  to.loss = recipe.loss;
  to.output = task->output.output;
  train::DatasetBatchSource dsrc(**ds, recipe.batch_size, /*shuffle=*/true, recipe.seed);
  const auto& inputs = model->graph->inputs();
  train::RenamingSource src(dsrc, inputs.size() == 1 ? inputs[0]->name() : "");
  if (options.progress) to.progress = EpochReporter(options.progress, src.BatchesPerEpoch());
  Expected<std::unique_ptr<train::Trainer>> trainer = train::Trainer::Create(*model, to);
  if (!trainer.ok()) return fail(trainer.status());
  say(recipe.architecture + " on " + std::to_string((*ds)->size()) + " examples of " + recipe.task +
      " for " + std::to_string(recipe.epochs) + " epochs");
  const Clock::time_point train_start = Clock::now();
  const std::clock_t cpu_start = std::clock();
  Expected<train::TrainResult> trained = (*trainer)->Train(src);
  if (!trained.ok()) return fail(trained.status());
  const double train_seconds = SecondsSince(train_start);
  const double train_cpu_seconds =
      static_cast<double>(std::clock() - cpu_start) / static_cast<double>(CLOCKS_PER_SEC);
  if (Status st = (*trainer)->WriteBack(*model); !st.ok()) return fail(st);
  trainer->reset();  // it points at `model`, which is moved out below

  say("evaluating on the evaluation split (native runtime)");
  runtimes::EvaluateOptions eo;
  eo.runtime = runtimes::RuntimeKind::kNative;
  eo.threads = options.eval_threads;
  eo.eval.bootstrap_samples = options.bootstrap_samples;
  eo.eval.seed = recipe.seed;
  eo.eval.progress_bar = false;
  Expected<eval::EvalResult> result = runtimes::EvaluateModel(*model, *task, eo);
  if (!result.ok()) return fail(result.status().WithContext("evaluation"));

  nlohmann::json extra = nlohmann::json::object();
  for (const eval::MetricResult& m : result->extra) extra[m.name] = m.value;
  nlohmann::json metrics = {{"recipe", RecipeToJson(recipe)},
                            {"recipe_hash", *hash},
                            {"task", recipe.task},
                            {"primary", MetricJson(result->primary)},
                            {"extra", extra},
                            {"examples", result->examples},
                            {"runtime", runtimes::RuntimeName(eo.runtime)},
                            {"evaluation_threads", eo.threads},
                            {"evaluation_seconds", result->seconds},
                            {"training",
                             {{"epochs", trained->epochs_run},
                              {"steps", trained->global_step},
                              {"seconds", train_seconds},
                              {"cpu_seconds", train_cpu_seconds},
                              {"first_epoch_loss", trained->first_epoch_loss},
                              {"last_epoch_loss", trained->last_epoch_loss},
                              {"threads", recipe.threads},
                              {"train_examples", (*ds)->size()}}}};
  return TrainedReference{std::move(model).value(), std::move(metrics)};
}

}  // namespace shrink::refmodels
