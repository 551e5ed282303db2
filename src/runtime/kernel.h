// Reference kernel contract and registry.
//
// A reference kernel is a plain function `void Fn(KernelContext&)`: it reads input tensors and
// node attributes through the context, computes with readable loops (the oracle that fast kernels
// are tested against), and sets every requested output. It reports problems by calling
// ctx.Fail(...) / ctx.Unsupported(...), which throw; the executor turns them into a Status that
// names the op, node and opset. It never returns a silently wrong answer: any attribute value or
// dtype it does not implement must go through ctx.Unsupported.
//
// One line registers a kernel for an opset range of a domain:
//   SHRINK_REF_KERNEL("", "Relu", 6, kLatestOpset, ReluKernel);
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "ir/graph.h"
#include "ir/node.h"

namespace shrink::runtime {

constexpr int kLatestOpset = 1000;

// Runs a subgraph with the given graph-input values (outer-scope values resolve automatically).
using SubgraphRunner =
    std::function<std::vector<Tensor>(const ir::Graph&, const std::vector<Tensor>&)>;

class KernelContext {
 public:
  KernelContext(const ir::Node& node, int64_t opset, std::vector<const Tensor*> inputs,
                SubgraphRunner subgraph_runner);

  const ir::Node& node() const { return node_; }
  int64_t opset() const { return opset_; }

  // Inputs: count as written in the node (trailing omitted ones may be absent).
  int num_inputs() const { return static_cast<int>(inputs_.size()); }
  bool has_input(int i) const;       // present and not omitted ("")
  const Tensor* input(int i) const;  // nullptr when absent/omitted
  const Tensor& in(int i) const;     // Fail()s when absent

  int num_outputs() const { return static_cast<int>(outputs_.size()); }
  bool output_wanted(int i) const;  // false for unrequested optional outputs
  void set_output(int i, Tensor t);
  std::vector<Tensor>& outputs() { return outputs_; }

  // Attribute helpers (forwarded to the node).
  int64_t attr_int(const std::string& name, int64_t dflt) const;
  float attr_float(const std::string& name, float dflt) const;
  std::string attr_string(const std::string& name, const std::string& dflt) const;
  std::vector<int64_t> attr_ints(const std::string& name, std::vector<int64_t> dflt = {}) const;
  std::vector<float> attr_floats(const std::string& name, std::vector<float> dflt = {}) const;
  bool has_attr(const std::string& name) const { return node_.HasAttr(name); }

  std::vector<Tensor> RunSubgraph(const ir::Graph& g, const std::vector<Tensor>& inputs) const;

  // Throw shrink::Error with "<Op> '<name>' (opset N): <msg>".
  [[noreturn]] void Fail(const std::string& msg) const;         // kInvalidArgument
  [[noreturn]] void Unsupported(const std::string& msg) const;  // kUnimplemented

 private:
  const ir::Node& node_;
  int64_t opset_;
  std::vector<const Tensor*> inputs_;
  std::vector<Tensor> outputs_;
  SubgraphRunner subgraph_runner_;
};

using KernelFn = void (*)(KernelContext&);

struct KernelDef {
  std::string domain;  // "" for the default ONNX domain
  std::string op_type;
  int since = 1;             // first opset version served (inclusive)
  int until = kLatestOpset;  // last opset version served (inclusive)
  KernelFn fn = nullptr;
};

class KernelRegistry {
 public:
  static KernelRegistry& Global();
  void Register(KernelDef def);
  // The kernel for (domain, op_type) at `opset`, or nullptr.
  const KernelDef* Find(const std::string& domain, const std::string& op_type, int64_t opset) const;
  // Every registered definition (for `shrink ops`, conformance and docs).
  const std::vector<KernelDef>& all() const { return defs_; }

 private:
  std::vector<KernelDef> defs_;
};

struct KernelRegistrar {
  KernelRegistrar(const char* domain, const char* op, int since, int until, KernelFn fn);
};

}  // namespace shrink::runtime

#define SHRINK_REF_KERNEL(domain, op, since, until, fn)                                      \
  static ::shrink::runtime::KernelRegistrar SHRINK_CONCAT_(shrink_kernel_reg_, __COUNTER__)( \
      domain, op, since, until, fn)
