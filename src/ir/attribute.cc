#include "ir/attribute.h"

namespace shrink::ir {

const char* AttrKindName(AttrKind kind) {
  switch (kind) {
    case AttrKind::kFloat:
      return "float";
    case AttrKind::kInt:
      return "int";
    case AttrKind::kString:
      return "string";
    case AttrKind::kTensor:
      return "tensor";
    case AttrKind::kGraph:
      return "graph";
    case AttrKind::kSparseTensor:
      return "sparse_tensor";
    case AttrKind::kTypeProto:
      return "type_proto";
    case AttrKind::kFloats:
      return "floats";
    case AttrKind::kInts:
      return "ints";
    case AttrKind::kStrings:
      return "strings";
    case AttrKind::kTensors:
      return "tensors";
    case AttrKind::kGraphs:
      return "graphs";
    case AttrKind::kSparseTensors:
      return "sparse_tensors";
    case AttrKind::kTypeProtos:
      return "type_protos";
  }
  return "unknown";
}

namespace {
Attribute Named(std::string name, AttrKind kind) {
  Attribute a;
  a.name = std::move(name);
  a.kind = kind;
  return a;
}
}  // namespace

Attribute MakeAttr(std::string name, int64_t v) {
  Attribute a = Named(std::move(name), AttrKind::kInt);
  a.i = v;
  return a;
}
Attribute MakeAttr(std::string name, int v) { return MakeAttr(std::move(name), int64_t{v}); }
Attribute MakeAttr(std::string name, float v) {
  Attribute a = Named(std::move(name), AttrKind::kFloat);
  a.f = v;
  return a;
}
Attribute MakeAttr(std::string name, double v) {
  return MakeAttr(std::move(name), static_cast<float>(v));
}
Attribute MakeAttr(std::string name, const char* v) {
  return MakeAttr(std::move(name), std::string(v));
}
Attribute MakeAttr(std::string name, std::string v) {
  Attribute a = Named(std::move(name), AttrKind::kString);
  a.s = std::move(v);
  return a;
}
Attribute MakeAttr(std::string name, std::vector<int64_t> v) {
  Attribute a = Named(std::move(name), AttrKind::kInts);
  a.ints = std::move(v);
  return a;
}
Attribute MakeAttr(std::string name, std::vector<float> v) {
  Attribute a = Named(std::move(name), AttrKind::kFloats);
  a.floats = std::move(v);
  return a;
}
Attribute MakeAttr(std::string name, std::vector<std::string> v) {
  Attribute a = Named(std::move(name), AttrKind::kStrings);
  a.strings = std::move(v);
  return a;
}
Attribute MakeAttr(std::string name, Tensor v) {
  Attribute a = Named(std::move(name), AttrKind::kTensor);
  a.t = std::move(v);
  return a;
}
Attribute MakeAttr(std::string name, std::shared_ptr<Graph> v) {
  Attribute a = Named(std::move(name), AttrKind::kGraph);
  a.g = std::move(v);
  return a;
}

}  // namespace shrink::ir
