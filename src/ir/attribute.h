// Attribute: one named ONNX node attribute of any kind.
//
// Every ONNX AttributeProto kind is representable. Sparse tensors and type protos are carried as
// their serialized protobuf bytes (`opaque`) so they survive a round trip untouched; nothing in
// shrink interprets them yet.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace shrink::ir {

class Graph;

enum class AttrKind {
  kFloat,
  kInt,
  kString,
  kTensor,
  kGraph,
  kSparseTensor,
  kTypeProto,
  kFloats,
  kInts,
  kStrings,
  kTensors,
  kGraphs,
  kSparseTensors,
  kTypeProtos,
};
const char* AttrKindName(AttrKind kind);

struct Attribute {
  std::string name;
  AttrKind kind = AttrKind::kInt;
  float f = 0.0f;
  int64_t i = 0;
  std::string s;
  Tensor t;
  std::shared_ptr<Graph> g;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
  std::vector<Tensor> tensors;
  std::vector<std::shared_ptr<Graph>> graphs;
  std::vector<std::string> opaque;  // serialized SparseTensorProto / TypeProto values
  std::string ref_attr_name;        // set inside function bodies
  std::string doc_string;
};

// Constructors used by the graph builder and passes.
Attribute MakeAttr(std::string name, int64_t v);
Attribute MakeAttr(std::string name, int v);
Attribute MakeAttr(std::string name, float v);
Attribute MakeAttr(std::string name, double v);
Attribute MakeAttr(std::string name, const char* v);
Attribute MakeAttr(std::string name, std::string v);
Attribute MakeAttr(std::string name, std::vector<int64_t> v);
Attribute MakeAttr(std::string name, std::vector<float> v);
Attribute MakeAttr(std::string name, std::vector<std::string> v);
Attribute MakeAttr(std::string name, Tensor v);
Attribute MakeAttr(std::string name, std::shared_ptr<Graph> v);

}  // namespace shrink::ir
