// Training one reference model from its recipe: build the architecture, train it with
// train::Trainer on the task's training split, evaluate it with the native runtime on the task's
// evaluation split, and describe the result as the zoo manifest's `metrics` object.
//
// Contract:
// - Deterministic: the same recipe and task file give bit-identical weights (the architecture is
//   built from recipe.seed, the Trainer is seeded with it and runs recipe.threads threads, and
//   the training split is shuffled with recipe.seed + epoch).
// - Token tasks (label kind kTokens) build the architecture with the training dataset's
//   vocabulary size, so that the model and the `text` format agree.
// - The dataset's single input is fed to the model's single input (names may differ).
// - The metrics JSON holds: recipe, recipe_hash, task, primary {name, value, ci_low, ci_high,
//   higher_is_better}, extra {name: value}, examples, runtime ("native"), evaluation_threads,
//   evaluation_seconds,
//   and training {epochs, steps, seconds (wall), cpu_seconds (all threads of the process),
//   first_epoch_loss, last_epoch_loss, threads, train_examples}.
// - Errors (missing task or training dataset, unknown architecture, training/evaluation
//   failures) come back as Status naming the recipe.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "core/status.h"
#include "ir/model.h"
#include "refmodels/recipe.h"

namespace shrink::refmodels {

struct TrainReferenceOptions {
  // Progress lines ("epoch 2/5 100%: loss 0.3412 (lr 5.0e-04)"), about ten per model, and
  // "evaluating".
  std::function<void(const std::string&)> progress;
  int eval_threads = 1;          // recorded as metrics.evaluation_threads
  int bootstrap_samples = 1000;  // for the primary metric's 95% interval
};

struct TrainedReference {
  ir::Model model;
  nlohmann::json metrics;
};

Expected<TrainedReference> TrainReference(const Recipe& recipe,
                                          const TrainReferenceOptions& options = {});

}  // namespace shrink::refmodels
