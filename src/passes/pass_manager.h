// PassManager: runs an ordered list of passes; the one place with pass instrumentation.
//
// Options: print the IR after each pass that changed the graph (ir::PrintGraph, to a sink),
// time each pass (wall clock, accumulated per pass name), verify the graph after each pass
// (ir::Verify; a failure names the pass), and repeat the whole list until no pass changes
// anything (bounded by max_iterations). Run() returns whether any pass changed the graph.
// Run(Model&) builds a PassContext from the model's opsets and writes back any domain the passes
// required (e.g. com.shrink for fused ops).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "ir/graph.h"
#include "ir/model.h"
#include "passes/pass.h"

namespace shrink::passes {

struct PassManagerOptions {
  bool verify_after_each_pass = true;
  bool run_to_fixpoint = false;
  int max_iterations = 8;
  bool time_passes = false;
  // Pass names after which to print the IR; "*" prints after every pass that changed the graph.
  std::vector<std::string> print_ir_after;
  // Where printed IR goes (default: stderr).
  std::function<void(const std::string& pass_name, const std::string& ir)> print_sink;
};

struct PassTiming {
  std::string pass;
  int runs = 0;
  int changed = 0;
  double seconds = 0.0;
};

class PassManager {
 public:
  explicit PassManager(PassManagerOptions options = {}) : options_(std::move(options)) {}

  PassManager& Add(std::unique_ptr<Pass> pass);
  const std::vector<std::unique_ptr<Pass>>& passes() const { return passes_; }

  Expected<bool> Run(ir::Graph& graph, PassContext& ctx);
  // Convenience: context from the model's opsets (+ evaluator), writes required domains back.
  Expected<bool> Run(ir::Model& model, NodeEvaluator evaluator = {});

  // Per-pass timings (in first-run order), filled when options.time_passes.
  const std::vector<PassTiming>& timings() const { return timings_; }
  std::string TimingReport() const;

 private:
  PassManagerOptions options_;
  std::vector<std::unique_ptr<Pass>> passes_;
  std::vector<PassTiming> timings_;
};

}  // namespace shrink::passes
