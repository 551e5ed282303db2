#include "runtime/node_evaluator.h"

#include <string>

#include "runtime/executor.h"

namespace shrink::runtime {

Expected<std::vector<Tensor>> EvaluateNode(const ir::Node& node, const std::vector<Tensor>& inputs,
                                           const std::vector<ir::OpsetImport>& opsets) {
  if (!node.Subgraphs().empty())
    return Unimplemented(node.Describe() + ": nodes with subgraphs are not evaluated alone");
  try {
    ir::Model model;
    model.opset_imports = opsets;
    ir::Graph& g = *model.graph;
    std::vector<ir::Value*> ins;
    for (size_t i = 0; i < inputs.size(); ++i) {
      ins.push_back(inputs[i].defined() ? g.AddInitializer("in" + std::to_string(i), inputs[i])
                                        : nullptr);
    }
    std::vector<std::string> out_names;
    for (size_t i = 0; i < node.outputs().size(); ++i)
      out_names.push_back(node.outputs()[i] ? "out" + std::to_string(i) : "");
    ir::Node* n =
        g.AddNode(node.op_type(), ins, out_names, node.attributes(), node.name(), node.domain());
    for (ir::Value* o : n->outputs())
      if (o) g.AddOutput(o);
    SHRINK_ASSIGN_OR_RETURN(auto exec, Executor::Create(model));
    SHRINK_ASSIGN_OR_RETURN(std::vector<Tensor> outs, exec->Run({}));
    std::vector<Tensor> result(node.outputs().size());
    size_t k = 0;
    for (size_t i = 0; i < result.size(); ++i)
      if (node.outputs()[i]) result[i] = std::move(outs[k++]);
    return result;
  } catch (const Error& e) {
    return e.ToStatus();
  }
}

}  // namespace shrink::runtime
