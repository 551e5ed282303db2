// Value: an edge of the graph — a graph input, an initializer (constant weight), a node output, or
// a reference to a value of an enclosing graph (inside If/Loop/Scan bodies).
//
// A Value knows its producer (nullptr for inputs, initializers and outer references) and its uses
// (node, input index). Uses are maintained by Node/Graph; never edit them directly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace shrink::ir {

class Graph;
class Node;

// One dimension: concrete (value >= 0), symbolic (param non-empty), or unknown (neither).
struct Dim {
  int64_t value = -1;
  std::string param;
  static Dim Known(int64_t v) { return Dim{v, {}}; }
  static Dim Symbol(std::string p) { return Dim{-1, std::move(p)}; }
  bool is_known() const { return value >= 0; }
  bool operator==(const Dim& o) const { return value == o.value && param == o.param; }
};

// Declared type of a value. Non-tensor ONNX types (sequence, map, optional) keep their serialized
// TypeProto in `opaque` and dtype kUndefined.
struct TypeInfo {
  DataType dtype = DataType::kUndefined;
  std::optional<std::vector<Dim>> shape;  // nullopt: rank unknown
  std::string opaque;
  bool operator==(const TypeInfo& o) const {
    return dtype == o.dtype && shape == o.shape && opaque == o.opaque;
  }
  // Convenience for a fully concrete shape.
  static TypeInfo Tensor(DataType dtype, const Shape& dims);
  // True when rank and every dim are concrete.
  bool has_static_shape() const;
  Shape static_shape() const;  // requires has_static_shape()
};
std::string TypeInfoToString(const TypeInfo& t);  // "float32[N, 3, 224, 224]"

struct Use {
  Node* node;
  int index;
  bool operator==(const Use& o) const { return node == o.node && index == o.index; }
};

class Value {
 public:
  enum class Kind { kIntermediate, kInput, kInitializer, kOuter };

  const std::string& name() const { return name_; }
  TypeInfo& type() { return type_; }
  const TypeInfo& type() const { return type_; }
  Kind kind() const { return kind_; }
  bool is_initializer() const { return kind_ == Kind::kInitializer; }
  bool is_graph_input() const { return kind_ == Kind::kInput || also_input_; }
  bool is_outer() const { return kind_ == Kind::kOuter; }
  bool is_graph_output() const { return output_count_ > 0; }

  // Initializer data (defined only for kInitializer).
  const Tensor& data() const { return data_; }
  void set_data(Tensor t) { data_ = std::move(t); }

  Node* producer() const { return producer_; }
  int producer_index() const { return producer_index_; }
  const std::vector<Use>& uses() const { return uses_; }
  Graph* owner() const { return owner_; }
  std::string doc_string;

 private:
  friend class Graph;
  friend class Node;
  std::string name_;
  TypeInfo type_;
  Kind kind_ = Kind::kIntermediate;
  bool also_input_ = false;  // an initializer that is also listed as a graph input (IR < 4)
  int output_count_ = 0;     // how many times it is listed among the graph outputs
  Tensor data_;
  Node* producer_ = nullptr;
  int producer_index_ = -1;
  std::vector<Use> uses_;
  Graph* owner_ = nullptr;
};

}  // namespace shrink::ir
