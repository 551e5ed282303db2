// The zoo's train hook: puts the trained reference models into the zoo cache.
//
// Contract:
// - FetchTrained handles one trained catalog entry: when the manifest records the current
//   RecipeHash for it and the cached file still has the recorded SHA-256 (and options.force is
//   off), nothing is trained (kCached). Otherwise the recipe is trained (TrainReference), the model
//   is written to <cache>/<name>.onnx (temp file + rename), and the manifest entry is replaced:
//   purpose "accuracy", builder = the architecture (name, version, seed, opset, parameters), and
//   `metrics` = TrainReference's metrics (so stale metrics never survive a retrain).
// - Progress goes to `emit` as kTraining events; a changed recipe is announced as such.
// - TrainHook(recipes) returns a zoo::TrainFn looking recipes up by the entry's `recipe` name in
//   `recipes` (default: Recipes()); an entry without a recipe there -> kNotFound.
#pragma once

#include <vector>

#include "core/status.h"
#include "refmodels/recipe.h"
#include "zoo/fetch.h"

namespace shrink::refmodels {

Status FetchTrained(const Recipe& recipe, const zoo::CatalogEntry& entry,
                    zoo::ZooManifest& manifest, const zoo::FetchOptions& options,
                    const std::function<void(zoo::FetchEvent::Kind, const std::string&)>& emit);

zoo::TrainFn TrainHook(std::vector<Recipe> recipes = Recipes());

}  // namespace shrink::refmodels
