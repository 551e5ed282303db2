#include "runtime/kernel.h"

namespace shrink::runtime {

KernelContext::KernelContext(const ir::Node& node, int64_t opset, std::vector<const Tensor*> inputs,
                             SubgraphRunner subgraph_runner)
    : node_(node),
      opset_(opset),
      inputs_(std::move(inputs)),
      outputs_(node.outputs().size()),
      subgraph_runner_(std::move(subgraph_runner)) {}

bool KernelContext::has_input(int i) const {
  return i >= 0 && i < num_inputs() && inputs_[static_cast<size_t>(i)] != nullptr;
}

const Tensor* KernelContext::input(int i) const {
  return has_input(i) ? inputs_[static_cast<size_t>(i)] : nullptr;
}

const Tensor& KernelContext::in(int i) const {
  if (!has_input(i)) Fail("missing required input " + std::to_string(i));
  return *inputs_[static_cast<size_t>(i)];
}

bool KernelContext::output_wanted(int i) const {
  return i >= 0 && i < num_outputs() && node_.output(i) != nullptr;
}

void KernelContext::set_output(int i, Tensor t) {
  if (i < 0 || i >= num_outputs()) return;  // optional output the node does not declare
  outputs_[static_cast<size_t>(i)] = std::move(t);
}

int64_t KernelContext::attr_int(const std::string& name, int64_t dflt) const {
  return node_.GetInt(name, dflt);
}
float KernelContext::attr_float(const std::string& name, float dflt) const {
  return node_.GetFloat(name, dflt);
}
std::string KernelContext::attr_string(const std::string& name, const std::string& dflt) const {
  return node_.GetString(name, dflt);
}
std::vector<int64_t> KernelContext::attr_ints(const std::string& name,
                                              std::vector<int64_t> dflt) const {
  return node_.GetInts(name, std::move(dflt));
}
std::vector<float> KernelContext::attr_floats(const std::string& name,
                                              std::vector<float> dflt) const {
  return node_.GetFloats(name, std::move(dflt));
}

std::vector<Tensor> KernelContext::RunSubgraph(const ir::Graph& g,
                                               const std::vector<Tensor>& inputs) const {
  if (!subgraph_runner_) Unsupported("subgraphs are not executable in this context");
  return subgraph_runner_(g, inputs);
}

void KernelContext::Fail(const std::string& msg) const {
  Throw(StatusCode::kInvalidArgument,
        node_.Describe() + " (opset " + std::to_string(opset_) + "): " + msg);
}

void KernelContext::Unsupported(const std::string& msg) const {
  Throw(StatusCode::kUnimplemented,
        node_.Describe() + " (opset " + std::to_string(opset_) + "): unsupported " + msg);
}

KernelRegistry& KernelRegistry::Global() {
  static KernelRegistry registry;
  return registry;
}

void KernelRegistry::Register(KernelDef def) { defs_.push_back(std::move(def)); }

const KernelDef* KernelRegistry::Find(const std::string& domain, const std::string& op_type,
                                      int64_t opset) const {
  const std::string d = domain == "ai.onnx" ? "" : domain;
  for (const auto& def : defs_)
    if (def.domain == d && def.op_type == op_type && opset >= def.since && opset <= def.until)
      return &def;
  return nullptr;
}

KernelRegistrar::KernelRegistrar(const char* domain, const char* op, int since, int until,
                                 KernelFn fn) {
  KernelRegistry::Global().Register(KernelDef{domain, op, since, until, fn});
}

}  // namespace shrink::runtime
