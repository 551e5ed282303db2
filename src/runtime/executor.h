// Reference executor: runs a Model node by node with the registered reference kernels.
//
// Create() binds a kernel to every node (recursing into subgraphs) and fails, naming op, node and
// opset, when any is missing. Run() walks the nodes in topological order, frees each intermediate
// after its last use, and returns the graph outputs in order. Errors thrown by kernels come back
// as a Status naming the node. Correctness first; the fast runtime is a separate part.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "ir/model.h"
#include "runtime/kernel.h"

namespace shrink::runtime {

using Feeds = std::vector<std::pair<std::string, Tensor>>;

class Executor {
 public:
  // `model` must outlive the executor.
  static Expected<std::unique_ptr<Executor>> Create(const ir::Model& model);

  // Runs the main graph. Every graph input without an initializer default must be fed, with the
  // declared dtype and a shape compatible with the declared one.
  Expected<std::vector<Tensor>> Run(const Feeds& feeds) const;

  // Like Run(), but also returns every intermediate value by name (for diagnostics/calibration).
  Expected<std::unordered_map<std::string, Tensor>> RunAll(const Feeds& feeds) const;

 private:
  explicit Executor(const ir::Model& model) : model_(model) {}
  struct Scope;
  std::unordered_map<std::string, Tensor> BindFeeds(const Feeds& feeds) const;
  std::vector<Tensor> RunGraph(const ir::Graph& g, const Scope* parent,
                               std::unordered_map<std::string, Tensor> bound,
                               std::unordered_map<std::string, Tensor>* keep_all) const;

  const ir::Model& model_;
  std::unordered_map<const ir::Node*, const KernelDef*> kernels_;
  std::unordered_map<std::string, int64_t> opsets_;
};

// Lists every (domain, op, opset) of `model` without a kernel; empty when all are supported.
std::vector<std::string> UnsupportedOps(const ir::Model& model);

}  // namespace shrink::runtime
