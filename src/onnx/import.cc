#include "onnx/import.h"

#include <google/protobuf/io/coded_stream.h>

#include <filesystem>
#include <fstream>
#include <unordered_set>

#include "ir/verifier.h"
#include "onnx/proto_convert.h"

namespace shrink::onnx_io {

namespace {

struct Importer {
  TensorReadContext tensor_ctx;

  ir::Attribute ConvertAttribute(const onnx::AttributeProto& a, ir::Graph& owner) {
    ir::Attribute out;
    out.name = a.name();
    out.ref_attr_name = a.ref_attr_name();
    out.doc_string = a.doc_string();
    using AP = onnx::AttributeProto;
    AP::AttributeType type = a.type();
    if (type == AP::UNDEFINED) {  // very old models: infer from the populated field
      if (a.has_f())
        type = AP::FLOAT;
      else if (a.has_i())
        type = AP::INT;
      else if (a.has_s())
        type = AP::STRING;
      else if (a.has_t())
        type = AP::TENSOR;
      else if (a.has_g())
        type = AP::GRAPH;
      else if (a.floats_size())
        type = AP::FLOATS;
      else if (a.ints_size())
        type = AP::INTS;
      else if (a.strings_size())
        type = AP::STRINGS;
      else if (a.tensors_size())
        type = AP::TENSORS;
      else if (a.graphs_size())
        type = AP::GRAPHS;
      else
        type = AP::INTS;  // an empty list
    }
    switch (type) {
      case AP::FLOAT:
        out.kind = ir::AttrKind::kFloat;
        out.f = a.f();
        break;
      case AP::INT:
        out.kind = ir::AttrKind::kInt;
        out.i = a.i();
        break;
      case AP::STRING:
        out.kind = ir::AttrKind::kString;
        out.s = a.s();
        break;
      case AP::TENSOR:
        out.kind = ir::AttrKind::kTensor;
        out.t = TensorFromProto(a.t(), tensor_ctx);
        break;
      case AP::GRAPH:
        out.kind = ir::AttrKind::kGraph;
        out.g = ConvertGraph(a.g(), &owner);
        break;
      case AP::SPARSE_TENSOR:
        out.kind = ir::AttrKind::kSparseTensor;
        out.opaque.push_back(a.sparse_tensor().SerializeAsString());
        break;
      case AP::TYPE_PROTO:
        out.kind = ir::AttrKind::kTypeProto;
        out.opaque.push_back(a.tp().SerializeAsString());
        break;
      case AP::FLOATS:
        out.kind = ir::AttrKind::kFloats;
        out.floats.assign(a.floats().begin(), a.floats().end());
        break;
      case AP::INTS:
        out.kind = ir::AttrKind::kInts;
        out.ints.assign(a.ints().begin(), a.ints().end());
        break;
      case AP::STRINGS:
        out.kind = ir::AttrKind::kStrings;
        out.strings.assign(a.strings().begin(), a.strings().end());
        break;
      case AP::TENSORS:
        out.kind = ir::AttrKind::kTensors;
        for (const auto& t : a.tensors()) out.tensors.push_back(TensorFromProto(t, tensor_ctx));
        break;
      case AP::GRAPHS:
        out.kind = ir::AttrKind::kGraphs;
        for (const auto& g : a.graphs()) out.graphs.push_back(ConvertGraph(g, &owner));
        break;
      case AP::SPARSE_TENSORS:
        out.kind = ir::AttrKind::kSparseTensors;
        for (const auto& t : a.sparse_tensors()) out.opaque.push_back(t.SerializeAsString());
        break;
      case AP::TYPE_PROTOS:
        out.kind = ir::AttrKind::kTypeProtos;
        for (const auto& t : a.type_protos()) out.opaque.push_back(t.SerializeAsString());
        break;
      default:
        Throw(StatusCode::kCorrupt, "attribute '" + a.name() + "' has unknown type " +
                                        std::to_string(static_cast<int>(type)));
    }
    return out;
  }

  std::shared_ptr<ir::Graph> ConvertGraph(const onnx::GraphProto& gp, ir::Graph* parent) {
    auto g = std::make_shared<ir::Graph>(gp.name(), parent);
    FillGraph(gp, g.get());
    return g;
  }

  void FillGraph(const onnx::GraphProto& gp, ir::Graph* g) {
    ir::Graph* parent = g->parent();
    g->doc_string = gp.doc_string();
    const std::string where = "graph '" + gp.name() + "'";
    if (gp.sparse_initializer_size() > 0)
      Throw(StatusCode::kUnimplemented, where + ": sparse initializers are not supported");

    std::unordered_set<std::string> init_names;
    for (const auto& tp : gp.initializer()) {
      if (tp.name().empty()) Throw(StatusCode::kCorrupt, where + ": initializer without a name");
      g->AddInitializer(tp.name(), TensorFromProto(tp, tensor_ctx));
      init_names.insert(tp.name());
    }
    for (const auto& vi : gp.input()) {
      if (init_names.count(vi.name())) {
        g->MarkInitializerAsInput(g->FindValue(vi.name()));
        continue;
      }
      ir::Value* v = g->AddInput(vi.name(), TypeFromProto(vi.type()));
      v->doc_string = vi.doc_string();
    }
    // Pass 1: nodes with their outputs (inputs may be produced by later nodes: unsorted models).
    std::vector<ir::Node*> nodes;
    for (const auto& np : gp.node()) {
      std::vector<std::string> outs(np.output().begin(), np.output().end());
      ir::Node* n = g->AddNode(np.op_type(), {}, outs, {}, np.name(), np.domain());
      n->doc_string = np.doc_string();
      for (const auto& a : np.attribute())
        n->mutable_attributes().push_back(ConvertAttribute(a, *g));
      nodes.push_back(n);
    }
    // Pass 2: wire inputs; names not defined here come from an enclosing graph.
    auto resolve = [&](const std::string& name, const std::string& user) -> ir::Value* {
      if (ir::Value* v = g->FindValue(name)) return v;
      if (parent) return g->AddOuterReference(name);
      Throw(StatusCode::kInvalidArgument,
            where + ": " + user + " uses '" + name + "', which nothing defines (dangling value)");
    };
    for (int i = 0; i < gp.node_size(); ++i) {
      const auto& np = gp.node(i);
      for (const auto& in : np.input())
        nodes[static_cast<size_t>(i)]->AddInput(
            in.empty() ? nullptr : resolve(in, nodes[static_cast<size_t>(i)]->Describe()));
    }
    for (const auto& vi : gp.value_info())
      if (ir::Value* v = g->FindValue(vi.name())) v->type() = TypeFromProto(vi.type());
    for (const auto& vi : gp.output()) {
      ir::Value* v = resolve(vi.name(), "graph output");
      if (vi.has_type()) v->type() = TypeFromProto(vi.type());
      g->AddOutput(v);
    }
  }
};

Status SortAll(ir::Graph& g) {
  SHRINK_RETURN_IF_ERROR(g.TopologicalSort());
  for (const auto& n : g.nodes())
    for (ir::Graph* sub : n->Subgraphs()) SHRINK_RETURN_IF_ERROR(SortAll(*sub));
  return Status::Ok();
}

Expected<ir::Model> ConvertModel(const onnx::ModelProto& mp, const std::string& base_dir,
                                 const LoadOptions& options) {
  ir::Model model;
  model.ir_version = mp.ir_version();
  for (const auto& op : mp.opset_import())
    model.opset_imports.push_back(
        ir::OpsetImport{op.domain() == "ai.onnx" ? "" : op.domain(), op.version()});
  model.producer_name = mp.producer_name();
  model.producer_version = mp.producer_version();
  model.domain = mp.domain();
  model.model_version = mp.model_version();
  model.doc_string = mp.doc_string();
  for (const auto& kv : mp.metadata_props())
    model.metadata_props.emplace_back(kv.key(), kv.value());
  for (const auto& f : mp.functions()) model.opaque_functions.push_back(f.SerializeAsString());
  for (const auto& t : mp.training_info())
    model.opaque_training_info.push_back(t.SerializeAsString());
  if (!mp.has_graph()) return Corrupt("model has no graph");
  if (model.opset_imports.empty() && model.ir_version >= 3)
    return Corrupt("model declares no opset_import");

  Importer importer{TensorReadContext{base_dir, options.load_external_data, &model.external_data}};
  try {
    model.graph = std::make_unique<ir::Graph>(mp.graph().name());
    importer.FillGraph(mp.graph(), model.graph.get());
  } catch (const Error& e) {
    return e.ToStatus();
  }
  if (options.sort_and_verify) {
    SHRINK_RETURN_IF_ERROR(SortAll(*model.graph));
    SHRINK_RETURN_IF_ERROR(ir::Verify(model));
  }
  return model;
}

}  // namespace

Expected<ir::Model> ParseModel(const void* data, size_t size, const std::string& base_dir,
                               const LoadOptions& options) {
  if (size > static_cast<size_t>(INT32_MAX))
    return ResourceExhausted("model protobuf over 2 GB; large weights must use external data");
  onnx::ModelProto mp;
  google::protobuf::io::CodedInputStream stream(static_cast<const uint8_t*>(data),
                                                static_cast<int>(size));
  stream.SetTotalBytesLimit(INT32_MAX);
  if (!mp.ParseFromCodedStream(&stream) || !stream.ConsumedEntireMessage())
    return Corrupt("not a valid ONNX model (protobuf parse failed: truncated or corrupt file)");
  return ConvertModel(mp, base_dir, options);
}

Expected<ir::Model> LoadModel(const std::string& path, const LoadOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) return NotFound("model file '" + path + "' does not exist");
  if (fs::is_directory(path, ec))
    return InvalidArgument("'" + path + "' is a directory, not a model");
  const auto size = fs::file_size(path, ec);
  if (ec) return IOError("cannot read '" + path + "': " + ec.message());
  if (size > options.max_file_bytes)
    return ResourceExhausted("model file '" + path + "' is " + std::to_string(size) +
                             " bytes, over the limit of " + std::to_string(options.max_file_bytes));
  std::ifstream in(path, std::ios::binary);
  if (!in) return IOError("cannot open '" + path + "'");
  std::string bytes(size, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (!in) return IOError("short read from '" + path + "'");
  const std::string base = fs::path(path).parent_path().empty()
                               ? std::string(".")
                               : fs::path(path).parent_path().string();
  auto model = ParseModel(bytes.data(), bytes.size(), base, options);
  if (!model.ok()) return model.status().WithContext(path);
  return model;
}

}  // namespace shrink::onnx_io
