#include "ir/printer.h"

#include <sstream>

namespace shrink::ir {

namespace {

std::string Indent(int depth) { return std::string(static_cast<size_t>(depth) * 2, ' '); }

std::string FormatFloat(float f) {
  std::ostringstream os;
  os << f;
  return os.str();
}

template <typename T, typename F>
std::string Join(const std::vector<T>& items, F&& fmt) {
  std::string s = "[";
  for (size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + fmt(items[i]);
  return s + "]";
}

std::string TensorSummary(const Tensor& t) {
  if (!t.defined()) return "<external>";
  if (t.numel() <= 4 && t.dtype() != DataType::kString) return t.DebugString(4);
  return std::string(DataTypeName(t.dtype())) + ShapeToString(t.shape());
}

void PrintGraphTo(const Graph& g, int depth, std::ostringstream& os);

std::string AttrValue(const Attribute& a, int depth, std::ostringstream& os) {
  switch (a.kind) {
    case AttrKind::kFloat:
      return FormatFloat(a.f);
    case AttrKind::kInt:
      return std::to_string(a.i);
    case AttrKind::kString:
      return "\"" + a.s + "\"";
    case AttrKind::kTensor:
      return TensorSummary(a.t);
    case AttrKind::kGraph:
      return "<graph " + (a.g ? a.g->name() : std::string("null")) + ">";
    case AttrKind::kFloats:
      return Join(a.floats, FormatFloat);
    case AttrKind::kInts:
      return Join(a.ints, [](int64_t v) { return std::to_string(v); });
    case AttrKind::kStrings:
      return Join(a.strings, [](const std::string& s) { return "\"" + s + "\""; });
    case AttrKind::kTensors:
      return Join(a.tensors, TensorSummary);
    case AttrKind::kGraphs:
      return "<" + std::to_string(a.graphs.size()) + " graphs>";
    default:
      return "<" + std::string(AttrKindName(a.kind)) + ">";
  }
  (void)depth;
  (void)os;
}

void PrintGraphTo(const Graph& g, int depth, std::ostringstream& os) {
  auto typed = [](const Value* v) { return "%" + v->name() + ": " + TypeInfoToString(v->type()); };
  os << Indent(depth) << "graph " << g.name() << "(";
  const auto& ins = g.declared_inputs();
  for (size_t i = 0; i < ins.size(); ++i) os << (i ? ", " : "") << typed(ins[i]);
  os << ") -> (";
  for (size_t i = 0; i < g.outputs().size(); ++i) os << (i ? ", " : "") << typed(g.outputs()[i]);
  os << ") {\n";
  for (const Value* v : g.outer_references())
    os << Indent(depth + 1) << "%" << v->name() << " = outer\n";
  for (const Value* v : g.initializers())
    os << Indent(depth + 1) << "%" << v->name() << " = initializer " << TensorSummary(v->data())
       << "\n";
  for (const auto& n : g.nodes()) {
    os << Indent(depth + 1);
    for (size_t i = 0; i < n->outputs().size(); ++i)
      os << (i ? ", " : "") << (n->outputs()[i] ? "%" + n->outputs()[i]->name() : "_");
    os << " = " << (n->domain().empty() ? "" : n->domain() + ".") << n->op_type() << "(";
    for (size_t i = 0; i < n->inputs().size(); ++i)
      os << (i ? ", " : "") << (n->inputs()[i] ? "%" + n->inputs()[i]->name() : "_");
    os << ")";
    if (!n->attributes().empty()) {
      os << " {";
      for (size_t i = 0; i < n->attributes().size(); ++i) {
        const Attribute& a = n->attributes()[i];
        os << (i ? ", " : "") << a.name << "=" << AttrValue(a, depth, os);
      }
      os << "}";
    }
    if (!n->name().empty()) os << "  # " << n->name();
    os << "\n";
    for (const Graph* sub : n->Subgraphs()) PrintGraphTo(*sub, depth + 2, os);
  }
  os << Indent(depth) << "}\n";
}

}  // namespace

std::string PrintGraph(const Graph& graph) {
  std::ostringstream os;
  PrintGraphTo(graph, 0, os);
  return os.str();
}

std::string PrintModel(const Model& model) {
  std::ostringstream os;
  os << "model ir_version=" << model.ir_version << " opsets={";
  for (size_t i = 0; i < model.opset_imports.size(); ++i) {
    const auto& op = model.opset_imports[i];
    os << (i ? ", " : "") << (op.domain.empty() ? "ai.onnx" : op.domain) << ":" << op.version;
  }
  os << "}\n" << PrintGraph(*model.graph);
  return os.str();
}

}  // namespace shrink::ir
