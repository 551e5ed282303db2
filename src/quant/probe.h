// ProbeRunner: runs a model on the fast session with chosen intermediate values exposed, to read
// activations during calibration and diagnostics (the reference executor's RunAll keeps every
// value; this keeps only the requested ones and uses the oneDNN kernels).
//
// Contract: Create() clones `model` (through ONNX serialization, so the caller's model is never
// touched), adds each requested value that exists in the main graph as an extra graph output
// (names not in the graph are ignored and absent from the results) and builds a
// runtime::fast::Session. Run() returns the requested values by name plus the model outputs;
// feed problems (missing input, wrong dtype or shape) come back as kInvalidArgument naming the
// input. With `only_requested`, the requested values become the only outputs and the nodes they
// do not depend on are removed first (a probe of an early layer runs only that prefix).
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "ir/model.h"
#include "runtime/executor.h"
#include "runtime/fast/session.h"

namespace shrink::quant {

// A deep copy of `model` (serialize + parse, no re-sorting).
Expected<ir::Model> CloneModel(const ir::Model& model);

class ProbeRunner {
 public:
  static Expected<std::unique_ptr<ProbeRunner>> Create(const ir::Model& model,
                                                       const std::vector<std::string>& values,
                                                       int threads = 0,
                                                       bool only_requested = false);
  Expected<std::unordered_map<std::string, Tensor>> Run(const runtime::Feeds& feeds);

 private:
  ProbeRunner() = default;
  std::unique_ptr<ir::Model> model_;
  std::unique_ptr<runtime::fast::Session> session_;
  std::vector<std::string> outputs_;
};

}  // namespace shrink::quant
