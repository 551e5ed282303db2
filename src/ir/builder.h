// GraphBuilder: a small API for writing models in C++ (the zoo, tests, passes).
//
//   ir::Model m;  ir::GraphBuilder b(*m.graph);
//   auto* x = b.Input("x", DataType::kFloat32, {Dim::Symbol("N"), Dim::Known(784)});
//   auto* y = b.Op("Relu", {b.Op("Gemm", {x, b.Const("w", w), b.Const("b", bias)},
//                                 {MakeAttr("transB", 1)})});
//   b.Output(y, "y");
// Node and value names are made unique automatically from the op type when not given.
#pragma once

#include <string>
#include <unordered_set>
#include <vector>

#include "ir/graph.h"
#include "ir/model.h"

namespace shrink::ir {

class GraphBuilder {
 public:
  explicit GraphBuilder(Graph& graph);
  Graph& graph() { return graph_; }

  Value* Input(const std::string& name, DataType dtype, const std::vector<Dim>& shape);
  Value* Input(const std::string& name, DataType dtype, const Shape& shape);
  // Initializer. An empty name gets a unique one.
  Value* Const(const std::string& name, Tensor data);
  Value* Const(Tensor data) { return Const("", std::move(data)); }
  // Adds a node with one output and returns it. `name` names the node (unique-ified).
  Value* Op(const std::string& op_type, const std::vector<Value*>& inputs,
            std::vector<Attribute> attrs = {}, const std::string& name = "");
  // Adds a node with `num_outputs` outputs.
  std::vector<Value*> OpN(const std::string& op_type, const std::vector<Value*>& inputs,
                          int num_outputs, std::vector<Attribute> attrs = {},
                          const std::string& name = "", const std::string& domain = "");
  // Marks `v` as a graph output, renaming it to `name` when given. Optionally declares its type.
  void Output(Value* v, const std::string& name = "", std::optional<TypeInfo> type = std::nullopt);

 private:
  std::string UniqueNodeName(const std::string& hint);

  Graph& graph_;
  std::unordered_set<std::string> node_names_;  // node names must be unique too (ORT insists)
  int64_t node_counter_ = 0;
};

// A model with the default-domain opset set (and IR version matching it).
Model MakeModel(int64_t opset = 17);

}  // namespace shrink::ir
