// Robustness checks: the task's primary metric under input perturbations, and numerical health.
//
// Contract:
// - A perturbation rewrites each evaluation batch's inputs before the model runs; it wraps a
//   BatchRunner (PerturbedRunner), so every runtime gets the same checks. The dataset, labels,
//   mapping and metrics are untouched.
// - Kinds, with `amount` (the CLI spells them name=amount, see ParsePerturbations):
//     noise=s       float inputs: x + N(0, (s * std)^2), std of the input over the batch
//     brightness=b  float images (rank 4): x + b * std
//     contrast=k    float images (rank 4): m + k * (x - m), m the per-example mean
//     length=f      token inputs (integer, rank >= 2): positions from ceil(f * L) on become 0 (pad
//                   id); float inputs of rank >= 3 (images, OCR lines): columns of the last axis
//                   from ceil(f * W) on repeat the last column (the line's right margin)
//   An identity amount (noise 0, brightness 0, contrast 1, length 1) leaves inputs bit-identical,
//   so it reproduces the clean metric exactly. An input of another kind is left as is; a check
//   that changed no input reports applied = false.
// - Noise is seeded: batch b draws from seed + b, so a run is reproducible.
// - Health: NaN and Inf values are counted in every floating-point model output, for the clean
//   run and for each check. ToJson() holds the clean primary value, not the whole EvalResult.
// - Perturbed runs compute no bootstrap interval; the clean run uses the caller's EvalOptions.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "data/task.h"
#include "eval/evaluator.h"

namespace shrink::eval {

enum class PerturbationKind { kNoise, kBrightness, kContrast, kLength };

struct Perturbation {
  PerturbationKind kind = PerturbationKind::kNoise;
  double amount = 0;
  std::string Name() const;  // "noise=0.1"
};

// "noise=0.1,brightness=0.5,contrast=0.5,length=0.5"; bad names or values -> kInvalidArgument.
Expected<std::vector<Perturbation>> ParsePerturbations(const std::string& text);
// noise=0.1, noise=0.5, brightness=0.5, contrast=0.5, length=0.5.
std::vector<Perturbation> DefaultPerturbations();

// Applies `p` to the inputs in place; returns how many inputs it changed.
int ApplyPerturbation(const Perturbation& p, uint64_t seed, NamedTensors* inputs);

struct OutputHealth {
  int64_t values = 0;  // floating-point output values seen
  int64_t nan = 0, inf = 0;
};
void CountNonFinite(const NamedTensors& outputs, OutputHealth* health);

// `run` behind `p` (nullptr: no perturbation); outputs are counted into `health`, and `*applied`
// is set when the perturbation changed an input. The pointers must outlive the runner.
BatchRunner PerturbedRunner(const BatchRunner& run, const Perturbation* p, uint64_t seed,
                            OutputHealth* health, bool* applied);

struct RobustnessCheck {
  Perturbation perturbation;
  double value = 0;  // primary metric under the perturbation
  double delta = 0;  // value - clean value
  bool applied = false;
  OutputHealth health;
};

struct RobustnessReport {
  EvalResult clean;
  OutputHealth clean_health;
  std::vector<RobustnessCheck> checks;

  nlohmann::json ToJson() const;
  std::string ToTable() const;  // one row per run, clean first
};

struct RobustnessOptions {
  std::vector<Perturbation> perturbations = DefaultPerturbations();
  uint64_t seed = 0;
};

Expected<RobustnessReport> EvaluateRobustness(const data::TaskSpec& task, const BatchRunner& run,
                                              const EvalOptions& eval_options = {},
                                              const RobustnessOptions& options = {});

}  // namespace shrink::eval
