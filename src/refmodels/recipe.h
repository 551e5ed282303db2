// Reference-model recipes: how shrink trains each of its own reference models (the zoo catalog's
// "trained" entries) on real data, and the hash that says when a cached model is stale.
//
// Contract:
// - Recipes() is a constant table (same order every call); every name is a zoo catalog entry
//   whose `recipe` is that name, and every architecture is in zoo::ArchitectureBuilders().
// - A recipe trains on the task's `training` dataset and is evaluated on its `evaluation`
//   dataset with the task's metric. Feature standardisation, flattening and other preprocessing
//   live in the task file (so that everyone evaluating the model sees the same numbers).
// - RecipeHash covers everything that changes the trained weights or the recorded metrics: the
//   recipe fields, the architecture's builder version, the opset, the bytes of the task file
//   and kTrainingCodeVersion. Same recipe + same task file -> same hash, on every machine.
// - `band` is the acceptance band of the primary metric (what tests/refmodels checks).
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "train/trainer.h"

namespace shrink::refmodels {

// Bump when the training / evaluation code changes in a way that changes results.
inline constexpr int kTrainingCodeVersion = 2;

struct MetricBand {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool Contains(double v) const { return v >= min && v <= max; }
};

struct Recipe {
  std::string name;          // zoo catalog name, e.g. "fashion_cnn"
  std::string architecture;  // zoo::ArchitectureBuilders() name
  std::string task;          // task file: absolute, or relative to the source dir
  train::LossKind loss = train::LossKind::kCrossEntropy;
  train::OptimizerKind optimizer = train::OptimizerKind::kAdam;
  double lr = 1e-3;
  double weight_decay = 0;
  train::ScheduleKind schedule = train::ScheduleKind::kCosine;
  int64_t epochs = 1;
  int64_t batch_size = 64;
  uint64_t seed = 0;  // weight init, shuffling, dropout
  // Torch threads (part of the recipe: it can change the float rounding). 1: these models run
  // many small ops, and with 2 threads on a busy 2-core machine OpenMP's spinning barriers made
  // training 2-4x slower (measured), while 1 thread never waits for another.
  int threads = 1;
  int64_t opset = 17;
  MetricBand band;  // acceptance band of the task's primary metric
};

const std::vector<Recipe>& Recipes();
// nullptr when unknown.
const Recipe* FindRecipe(const std::string& name);

// The task file path a recipe names, made absolute (relative paths resolve against
// SHRINK_SOURCE_DIR).
std::string TaskPath(const Recipe& recipe);

// The recipe as JSON (what the hash covers, minus the task bytes), for the manifest and messages.
nlohmann::json RecipeToJson(const Recipe& recipe);

// Lower-case hex SHA-256 (see the contract). kNotFound when the task file or the architecture
// is missing.
Expected<std::string> RecipeHash(const Recipe& recipe);

}  // namespace shrink::refmodels
