#include "ir/builder.h"

namespace shrink::ir {

GraphBuilder::GraphBuilder(Graph& graph) : graph_(graph) {
  for (const auto& n : graph.nodes()) node_names_.insert(n->name());
}

std::string GraphBuilder::UniqueNodeName(const std::string& hint) {
  std::string name = hint;
  while (name.empty() || node_names_.count(name))
    name = hint + "_" + std::to_string(++node_counter_);
  node_names_.insert(name);
  return name;
}

Value* GraphBuilder::Input(const std::string& name, DataType dtype, const std::vector<Dim>& shape) {
  TypeInfo t;
  t.dtype = dtype;
  t.shape = shape;
  return graph_.AddInput(name, std::move(t));
}

Value* GraphBuilder::Input(const std::string& name, DataType dtype, const Shape& shape) {
  return graph_.AddInput(name, TypeInfo::Tensor(dtype, shape));
}

Value* GraphBuilder::Const(const std::string& name, Tensor data) {
  return graph_.AddInitializer(graph_.UniqueName(name.empty() ? "const" : name), std::move(data));
}

Value* GraphBuilder::Op(const std::string& op_type, const std::vector<Value*>& inputs,
                        std::vector<Attribute> attrs, const std::string& name) {
  return OpN(op_type, inputs, 1, std::move(attrs), name)[0];
}

std::vector<Value*> GraphBuilder::OpN(const std::string& op_type, const std::vector<Value*>& inputs,
                                      int num_outputs, std::vector<Attribute> attrs,
                                      const std::string& name, const std::string& domain) {
  const std::string node_name = UniqueNodeName(name.empty() ? op_type : name);
  std::vector<std::string> outs;
  for (int i = 0; i < num_outputs; ++i)
    outs.push_back(graph_.UniqueName(
        node_name + (num_outputs > 1 ? "_out" + std::to_string(i) : std::string("_out"))));
  Node* n = graph_.AddNode(op_type, inputs, outs, std::move(attrs), node_name, domain);
  return n->outputs();
}

void GraphBuilder::Output(Value* v, const std::string& name, std::optional<TypeInfo> type) {
  if (!name.empty()) graph_.RenameValue(v, name);
  if (type) v->type() = *type;
  graph_.AddOutput(v);
}

Model MakeModel(int64_t opset) {
  Model m;
  m.SetOpset("", opset);
  m.ir_version = opset >= 21 ? 10 : (opset >= 19 ? 9 : 8);
  return m;
}

}  // namespace shrink::ir
