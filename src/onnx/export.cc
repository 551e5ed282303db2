#include "onnx/export.h"

#include <filesystem>
#include <fstream>

#include "onnx/proto_convert.h"

namespace shrink::onnx_io {

namespace {

constexpr size_t kProtobufLimit = size_t{2000} << 20;  // stay clear of protobuf's 2 GiB cap

// Collects tensors that go to the external data file, in deterministic (initializer) order.
struct ExternalWriter {
  bool enabled = false;
  size_t threshold = 0;
  std::string location;  // relative name written into the model
  std::string blob;      // file content

  bool Place(const Tensor& t, onnx::TensorProto* proto) {
    if (!enabled || t.dtype() == DataType::kString || t.nbytes() < threshold) return false;
    const size_t align = 64;
    blob.resize((blob.size() + align - 1) / align * align, '\0');
    const size_t offset = blob.size();
    blob.append(static_cast<const char*>(t.raw()), t.nbytes());
    proto->set_data_type(static_cast<int32_t>(t.dtype()));
    for (int64_t d : t.shape()) proto->add_dims(d);
    proto->set_data_location(onnx::TensorProto::EXTERNAL);
    auto add = [&](const char* k, const std::string& v) {
      auto* e = proto->add_external_data();
      e->set_key(k);
      e->set_value(v);
    };
    add("location", location);
    add("offset", std::to_string(offset));
    add("length", std::to_string(t.nbytes()));
    return true;
  }
};

struct Exporter {
  ExternalWriter* external = nullptr;

  void WriteAttribute(const ir::Attribute& a, onnx::AttributeProto* p) {
    using AP = onnx::AttributeProto;
    p->set_name(a.name);
    if (!a.ref_attr_name.empty()) p->set_ref_attr_name(a.ref_attr_name);
    if (!a.doc_string.empty()) p->set_doc_string(a.doc_string);
    switch (a.kind) {
      case ir::AttrKind::kFloat:
        p->set_type(AP::FLOAT);
        p->set_f(a.f);
        break;
      case ir::AttrKind::kInt:
        p->set_type(AP::INT);
        p->set_i(a.i);
        break;
      case ir::AttrKind::kString:
        p->set_type(AP::STRING);
        p->set_s(a.s);
        break;
      case ir::AttrKind::kTensor:
        p->set_type(AP::TENSOR);
        TensorToProto(a.t, p->mutable_t());
        break;
      case ir::AttrKind::kGraph:
        p->set_type(AP::GRAPH);
        WriteGraph(*a.g, p->mutable_g());
        break;
      case ir::AttrKind::kSparseTensor:
        p->set_type(AP::SPARSE_TENSOR);
        if (!a.opaque.empty() && !p->mutable_sparse_tensor()->ParseFromString(a.opaque[0]))
          Throw(StatusCode::kInternal, "attribute '" + a.name + "': bad sparse tensor bytes");
        break;
      case ir::AttrKind::kTypeProto:
        p->set_type(AP::TYPE_PROTO);
        if (!a.opaque.empty() && !p->mutable_tp()->ParseFromString(a.opaque[0]))
          Throw(StatusCode::kInternal, "attribute '" + a.name + "': bad type proto bytes");
        break;
      case ir::AttrKind::kFloats:
        p->set_type(AP::FLOATS);
        for (float f : a.floats) p->add_floats(f);
        break;
      case ir::AttrKind::kInts:
        p->set_type(AP::INTS);
        for (int64_t i : a.ints) p->add_ints(i);
        break;
      case ir::AttrKind::kStrings:
        p->set_type(AP::STRINGS);
        for (const auto& s : a.strings) p->add_strings(s);
        break;
      case ir::AttrKind::kTensors:
        p->set_type(AP::TENSORS);
        for (const auto& t : a.tensors) TensorToProto(t, p->add_tensors());
        break;
      case ir::AttrKind::kGraphs:
        p->set_type(AP::GRAPHS);
        for (const auto& g : a.graphs) WriteGraph(*g, p->add_graphs());
        break;
      case ir::AttrKind::kSparseTensors:
        p->set_type(AP::SPARSE_TENSORS);
        for (const auto& o : a.opaque)
          if (!p->add_sparse_tensors()->ParseFromString(o))
            Throw(StatusCode::kInternal, "attribute '" + a.name + "': bad sparse tensor bytes");
        break;
      case ir::AttrKind::kTypeProtos:
        p->set_type(AP::TYPE_PROTOS);
        for (const auto& o : a.opaque)
          if (!p->add_type_protos()->ParseFromString(o))
            Throw(StatusCode::kInternal, "attribute '" + a.name + "': bad type proto bytes");
        break;
    }
  }

  static void WriteValueInfo(const ir::Value& v, onnx::ValueInfoProto* p) {
    p->set_name(v.name());
    if (!v.doc_string.empty()) p->set_doc_string(v.doc_string);
    const ir::TypeInfo& t = v.type();
    if (t.dtype != DataType::kUndefined || !t.opaque.empty()) TypeToProto(t, p->mutable_type());
  }

  void WriteGraph(const ir::Graph& g, onnx::GraphProto* gp) {
    gp->set_name(g.name());
    if (!g.doc_string.empty()) gp->set_doc_string(g.doc_string);
    for (const ir::Value* v : g.initializers()) {
      if (!v->data().defined())
        Throw(StatusCode::kInvalidArgument,
              "initializer '" + v->name() + "' has no data (model loaded without external data)");
      onnx::TensorProto* tp = gp->add_initializer();
      if (!external || !external->Place(v->data(), tp)) TensorToProto(v->data(), tp);
      tp->set_name(v->name());
    }
    for (const ir::Value* v : g.declared_inputs()) WriteValueInfo(*v, gp->add_input());
    for (const ir::Value* v : g.outputs()) WriteValueInfo(*v, gp->add_output());
    for (const auto& n : g.nodes()) {
      onnx::NodeProto* np = gp->add_node();
      np->set_op_type(n->op_type());
      if (!n->domain().empty()) np->set_domain(n->domain());
      if (!n->name().empty()) np->set_name(n->name());
      if (!n->doc_string.empty()) np->set_doc_string(n->doc_string);
      for (const ir::Value* in : n->inputs()) np->add_input(in ? in->name() : "");
      for (const ir::Value* out : n->outputs()) np->add_output(out ? out->name() : "");
      for (const auto& a : n->attributes()) WriteAttribute(a, np->add_attribute());
      for (const ir::Value* out : n->outputs()) {
        if (!out || out->is_graph_output()) continue;
        const ir::TypeInfo& t = out->type();
        if (t.dtype != DataType::kUndefined || !t.opaque.empty())
          WriteValueInfo(*out, gp->add_value_info());
      }
    }
  }
};

void WriteModelProto(const ir::Model& model, ExternalWriter* external, onnx::ModelProto* mp) {
  mp->set_ir_version(model.ir_version);
  for (const auto& op : model.opset_imports) {
    auto* o = mp->add_opset_import();
    o->set_domain(op.domain);
    o->set_version(op.version);
  }
  if (!model.producer_name.empty()) mp->set_producer_name(model.producer_name);
  if (!model.producer_version.empty()) mp->set_producer_version(model.producer_version);
  if (!model.domain.empty()) mp->set_domain(model.domain);
  if (model.model_version) mp->set_model_version(model.model_version);
  if (!model.doc_string.empty()) mp->set_doc_string(model.doc_string);
  for (const auto& [k, v] : model.metadata_props) {
    auto* e = mp->add_metadata_props();
    e->set_key(k);
    e->set_value(v);
  }
  for (const auto& f : model.opaque_functions)
    if (!mp->add_functions()->ParseFromString(f))
      Throw(StatusCode::kInternal, "bad function bytes");
  for (const auto& t : model.opaque_training_info)
    if (!mp->add_training_info()->ParseFromString(t))
      Throw(StatusCode::kInternal, "bad training info bytes");
  Exporter exporter{external};
  exporter.WriteGraph(*model.graph, mp->mutable_graph());
}

size_t InitializerBytes(const ir::Graph& g) {
  size_t total = 0;
  for (const ir::Value* v : g.initializers()) total += v->data().nbytes();
  return total;
}

Status WriteFile(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return IOError("cannot write '" + tmp + "'");
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) return IOError("write failed for '" + tmp + "' (disk full?)");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);  // atomic: never leaves a half-written model
  if (ec) return IOError("cannot rename '" + tmp + "' to '" + path + "': " + ec.message());
  return Status::Ok();
}

}  // namespace

Expected<std::string> SerializeModel(const ir::Model& model) {
  if (InitializerBytes(*model.graph) > kProtobufLimit)
    return ResourceExhausted("model weights exceed 2 GB: save it with external data");
  try {
    onnx::ModelProto mp;
    WriteModelProto(model, nullptr, &mp);
    std::string bytes;
    if (!mp.SerializeToString(&bytes)) return Internal("protobuf serialisation failed");
    return bytes;
  } catch (const Error& e) {
    return e.ToStatus();
  }
}

Status SaveModel(const ir::Model& model, const std::string& path, const SaveOptions& options) {
  namespace fs = std::filesystem;
  ExternalWriter external;
  external.enabled =
      options.external_data || InitializerBytes(*model.graph) > options.protobuf_limit_bytes;
  external.threshold = options.external_threshold_bytes;
  external.location = options.external_file.empty() ? fs::path(path).filename().string() + ".data"
                                                    : options.external_file;
  if (external.enabled) {
    const fs::path rel(external.location);
    if (rel.is_absolute() || rel.has_parent_path())
      return InvalidArgument("external data file must be a plain file name, got '" +
                             external.location + "'");
  }
  try {
    onnx::ModelProto mp;
    WriteModelProto(model, external.enabled ? &external : nullptr, &mp);
    std::string bytes;
    if (!mp.SerializeToString(&bytes)) return Internal("protobuf serialisation failed");
    if (external.enabled && !external.blob.empty()) {
      const fs::path data_path = fs::path(path).parent_path() / external.location;
      SHRINK_RETURN_IF_ERROR(WriteFile(data_path.string(), external.blob));
    }
    return WriteFile(path, bytes);
  } catch (const Error& e) {
    return e.ToStatus();
  }
}

}  // namespace shrink::onnx_io
