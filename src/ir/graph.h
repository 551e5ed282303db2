// Graph: owns its Nodes and Values; keeps node order (topological once sorted), graph inputs,
// outputs and initializers in ONNX order so that a round trip preserves them.
//
// Subgraphs (If/Loop/Scan bodies) are Graphs whose parent() is the enclosing graph; names they use
// but do not define become Values of kind kOuter, resolved by name in the enclosing scopes.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "ir/node.h"
#include "ir/value.h"

namespace shrink::ir {

class Graph {
 public:
  explicit Graph(std::string name = "main", Graph* parent = nullptr);
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  const std::string& name() const { return name_; }
  void set_name(std::string n) { name_ = std::move(n); }
  std::string doc_string;
  Graph* parent() const { return parent_; }
  void set_parent(Graph* p) { parent_ = p; }

  // ---- values -----------------------------------------------------------------------------
  Value* FindValue(const std::string& name) const;  // this graph only
  // New graph input. Fails (throws kInvalidArgument) on a duplicate name.
  Value* AddInput(const std::string& name, TypeInfo type);
  // New initializer holding `data`; its type is derived from data.
  Value* AddInitializer(const std::string& name, Tensor data);
  // Marks an initializer as also being a graph input (IR < 4 style default value).
  void MarkInitializerAsInput(Value* v);
  // Reference to a value of an enclosing graph (subgraphs only).
  Value* AddOuterReference(const std::string& name);
  void AddOutput(Value* v);
  void SetOutputs(std::vector<Value*> outs);
  const std::vector<Value*>& inputs() const { return inputs_; }  // excludes initializers
  const std::vector<Value*>& outputs() const { return outputs_; }
  const std::vector<Value*>& initializers() const { return initializers_; }
  // All graph-input-listed values in ONNX order, incl. initializers marked as inputs.
  const std::vector<Value*>& declared_inputs() const { return declared_inputs_; }
  const std::vector<Value*>& outer_references() const { return outer_refs_; }
  // Every live value (inputs, initializers, outer references, node outputs).
  std::vector<Value*> values() const;
  // Renames a value; throws kInvalidArgument when `name` is taken.
  void RenameValue(Value* v, const std::string& name);
  // Makes a name that no value of this graph uses yet, from `hint`.
  std::string UniqueName(const std::string& hint);

  // ---- nodes ------------------------------------------------------------------------------
  // Appends a node. Output values are created with the given names ("" means an unrequested
  // optional output, stored as nullptr). Throws kInvalidArgument if an output name exists.
  Node* AddNode(const std::string& op_type, const std::vector<Value*>& inputs,
                const std::vector<std::string>& output_names, std::vector<Attribute> attrs = {},
                const std::string& name = "", const std::string& domain = "");
  // Removes a node whose outputs are unused and not graph outputs. Returns false otherwise.
  bool RemoveNode(Node* node);
  // Removes an initializer that has no uses, is not a graph output and is not also listed as a
  // graph input. Returns false otherwise.
  bool RemoveInitializer(Value* v);
  // Redirects every use of `from` (node inputs and graph outputs) to `to`.
  void ReplaceAllUsesWith(Value* from, Value* to);
  // Nodes in current order.
  const std::vector<std::unique_ptr<Node>>& nodes() const { return nodes_; }
  size_t num_nodes() const { return nodes_.size(); }

  // Orders nodes so that every value is produced before use (stable: keeps the given order
  // where it is already valid). Fails with kInvalidArgument naming a node on a cycle.
  Status TopologicalSort();

 private:
  friend class Node;
  Value* NewValue(const std::string& name, Value::Kind kind);

  std::string name_;
  Graph* parent_ = nullptr;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<std::unique_ptr<Value>> values_;
  std::unordered_map<std::string, Value*> by_name_;
  std::vector<Value*> inputs_;
  std::vector<Value*> declared_inputs_;
  std::vector<Value*> outputs_;
  std::vector<Value*> initializers_;
  std::vector<Value*> outer_refs_;
  int64_t unique_counter_ = 0;
};

// Names that `node`'s subgraphs (recursively) take from enclosing scopes: its implicit inputs.
std::vector<std::string> ImplicitInputs(const Node& node);

}  // namespace shrink::ir
