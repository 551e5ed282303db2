// Pass: one graph transformation with a documented contract, and the context passes share.
//
// Contract of a Pass:
//   - name() is a stable snake_case identifier (used by --print-ir-after, timings, logs).
//   - Run(graph, ctx) rewrites `graph` in place and returns true when it changed anything, false
//     when it found nothing to do, or a Status when it cannot proceed (the graph is then left in a
//     valid, possibly partially rewritten state; every single rewrite is all-or-nothing).
//   - A pass never fuses through a value that has another consumer or is a graph output, checks
//     attributes and shapes before rewriting, and leaves unused values for dead_code_elimination.
//   - Passes carry no instrumentation (printing, timing, verification): the PassManager does that.
// Each pass header states its pattern, preconditions and effect.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "ir/graph.h"
#include "ir/model.h"

namespace shrink::passes {

// The internal domain of the fused ops that passes introduce (each has a reference kernel in
// src/runtime/kernels/fused_ops.cc).
inline constexpr const char* kShrinkDomain = "com.shrink";
inline constexpr int64_t kShrinkDomainVersion = 1;

// Evaluates one node on concrete inputs (constant folding). Supplied by the caller so that passes
// do not depend on the runtime; runtime/node_evaluator.h provides the reference-executor one.
using NodeEvaluator = std::function<Expected<std::vector<Tensor>>(
    const ir::Node& node, const std::vector<Tensor>& inputs,
    const std::vector<ir::OpsetImport>& opsets)>;

struct PassOptions {
  // Constant folding skips nodes whose folded outputs would exceed this many elements in total
  // (folding must not blow up model size, e.g. a ConstantOfShape of a huge shape).
  int64_t max_folded_elements = int64_t{1} << 24;
};

class PassContext {
 public:
  PassContext() = default;
  explicit PassContext(std::vector<ir::OpsetImport> opsets) : opsets_(std::move(opsets)) {}

  // Opset version imported for `domain` ("" and "ai.onnx" are the same); 0 when not imported.
  int64_t OpsetFor(const std::string& domain) const;
  // Records that the graph now uses `domain` (at least `version`); PassManager::Run(Model&)
  // writes it back into the model's opset imports.
  void RequireDomain(const std::string& domain, int64_t version);
  const std::vector<ir::OpsetImport>& opsets() const { return opsets_; }

  PassOptions options;
  NodeEvaluator evaluator;  // empty: constant folding does nothing

 private:
  std::vector<ir::OpsetImport> opsets_;
};

class Pass {
 public:
  virtual ~Pass() = default;
  virtual std::string name() const = 0;
  virtual Expected<bool> Run(ir::Graph& graph, PassContext& ctx) = 0;
};

}  // namespace shrink::passes
