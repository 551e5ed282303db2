// The main job: `shrink compress MODEL --task T.yaml --policy P.yaml -o DIR`.
//
// Contract:
// - Measures the baseline, then runs trials (each a genome of the policy's SearchSpace: grid order
//   or NSGA-II, seeded by the policy seed) within the budget (trials and wall-clock minutes): each
//   trial applies the stages to the original model, writes candidates/trial-N.onnx with its
//   metadata JSON, measures it on the gating runtime (the policy's first target runtime) and
//   appends to trials.jsonl.
// - Anytime: after every trial the selection (selection.h), best/ (the current best artifact) and
//   report.json / report.html are rewritten, so an interrupted job always leaves the best so far.
// - Resumable: rerunning with the same inputs, policy and options on the same DIR continues from
//   trials.jsonl without repeating a finished trial; a DIR holding another job ->
//   kInvalidArgument (use another -o). A policy stage that cannot run yet -> kUnimplemented
//   before any trial.
// - At the end the chosen artifact (best/model.onnx, chosen on the gating runtime) is confirmed on
//   every target runtime (metric + latency, operators validated by running it; best/model.json).
//   Each target runtime also gets its own artifact in best/<runtime>/ (model.onnx, model.json):
//   the gating runtime's best, or for another runtime the candidate Select chooses with latencies
//   timed there (runtime_choice.h), confirmed there; none when no candidate qualifies there (a
//   warning says so). report.pdf is printed through headless Chromium when `pdf` is set (a
//   missing Chromium is a warning, not a failure).
// - Never leaves the user with nothing: when no candidate meets the constraints, the summary and
//   report say which constraint failed by how much for the closest candidates (exit status stays
//   0; CompressSummary::met_constraints is false).
#pragma once

#include <functional>
#include <string>

#include "core/status.h"
#include "report/report_data.h"

namespace shrink::pipeline {

struct CompressOptions {
  std::string model_path, task_path, policy_path, out_dir;
  int threads = 2;
  int64_t eval_limit = -1;  // cap on evaluation examples per measurement (-1: all)
  bool pdf = true;
  std::string command_line;
  // One line per event (stage, trial n/N, best so far). Unset: printed on stderr.
  std::function<void(const std::string&)> progress;
};

// The artifact chosen for one target runtime (best/<runtime>/model.onnx and model.json).
struct RuntimeBest {
  std::string runtime;
  std::string path;         // empty when no candidate qualifies on that runtime
  std::string id;           // the candidate ("trial-3")
  std::string explanation;  // the selection on that runtime's latencies
};

struct CompressSummary {
  bool met_constraints = false;
  std::string best_path;  // empty when nothing met the constraints
  std::string explanation;
  int trials_run = 0;    // by this invocation
  int trials_total = 0;  // in the trial log
  double seconds = 0;
  double search_overhead_pct = 0;  // share of the job not spent compressing and measuring
  // About the chosen artifact: a target runtime that could not run it, or runs it slower than the
  // baseline (best/model.json has them too).
  std::vector<std::string> warnings;
  std::vector<RuntimeBest> per_runtime;  // one per target runtime, in the policy's order
  report::ReportData report;
};

Expected<CompressSummary> RunCompression(const CompressOptions& options);

}  // namespace shrink::pipeline
