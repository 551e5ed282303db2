// Node: one operator application. Inputs may contain nullptr (an omitted optional input, written
// as "" in ONNX); so may outputs (an unrequested optional output). Attributes keep their order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/attribute.h"
#include "ir/value.h"

namespace shrink::ir {

class Node {
 public:
  const std::string& op_type() const { return op_type_; }
  const std::string& domain() const { return domain_; }  // "" is the default ONNX domain
  const std::string& name() const { return name_; }
  void set_name(std::string n) { name_ = std::move(n); }
  std::string doc_string;
  Graph* owner() const { return owner_; }

  const std::vector<Value*>& inputs() const { return inputs_; }
  const std::vector<Value*>& outputs() const { return outputs_; }
  Value* input(int i) const;       // nullptr when absent or omitted
  Value* output(int i) const;      // nullptr when absent or unrequested
  void SetInput(int i, Value* v);  // keeps use lists consistent; grows inputs with nullptr
  void AddInput(Value* v);

  const std::vector<Attribute>& attributes() const { return attributes_; }
  std::vector<Attribute>& mutable_attributes() { return attributes_; }
  const Attribute* FindAttr(const std::string& name) const;
  bool HasAttr(const std::string& name) const { return FindAttr(name) != nullptr; }
  void SetAttr(Attribute a);  // replaces an attribute of the same name
  bool RemoveAttr(const std::string& name);

  // Typed getters; throw shrink::Error(kInvalidArgument) when present with another kind.
  int64_t GetInt(const std::string& name, int64_t dflt) const;
  float GetFloat(const std::string& name, float dflt) const;
  std::string GetString(const std::string& name, const std::string& dflt) const;
  std::vector<int64_t> GetInts(const std::string& name, std::vector<int64_t> dflt = {}) const;
  std::vector<float> GetFloats(const std::string& name, std::vector<float> dflt = {}) const;
  const Tensor* GetTensor(const std::string& name) const;  // nullptr when absent
  const Graph* GetGraph(const std::string& name) const;    // nullptr when absent

  // Subgraphs held in attributes (If branches, Loop/Scan bodies), in attribute order.
  std::vector<Graph*> Subgraphs() const;
  // "Conv 'conv1'" or "Conv (unnamed)" for error messages.
  std::string Describe() const;

 private:
  friend class Graph;
  std::string op_type_;
  std::string domain_;
  std::string name_;
  std::vector<Value*> inputs_;
  std::vector<Value*> outputs_;
  std::vector<Attribute> attributes_;
  Graph* owner_ = nullptr;
};

}  // namespace shrink::ir
