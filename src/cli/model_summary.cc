#include "cli/model_summary.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>

#include "runtime/executor.h"

namespace shrink::cli {

namespace {

bool IsWeightType(DataType t) {
  return IsFloat(t) || t == DataType::kInt8 || t == DataType::kUInt8 || t == DataType::kInt4 ||
         t == DataType::kUInt4;
}

void Walk(const ir::Graph& g, ModelSummary& s, std::map<std::string, int64_t>& counts,
          std::map<std::string, int64_t>& params) {
  for (const ir::Value* v : g.initializers()) {
    ++s.initializers;
    const Tensor& t = v->data();
    const int64_t numel = t.defined() ? t.numel() : NumElements(v->type().static_shape());
    s.initializer_bytes += static_cast<int64_t>(StorageBytes(v->type().dtype, numel));
    if (IsWeightType(v->type().dtype)) params[DataTypeName(v->type().dtype)] += numel;
  }
  for (const auto& n : g.nodes()) {
    ++s.nodes;
    ++counts[n->domain().empty() ? n->op_type() : n->domain() + "." + n->op_type()];
    if (n->op_type() == "Constant" && n->domain().empty()) {
      if (const ir::Attribute* a = n->FindAttr("value"); a && a->kind == ir::AttrKind::kTensor) {
        ++s.constant_nodes;
        s.constant_bytes += static_cast<int64_t>(a->t.nbytes());
        if (IsWeightType(a->t.dtype())) params[DataTypeName(a->t.dtype())] += a->t.numel();
      }
    }
    for (const ir::Graph* sub : n->Subgraphs()) {
      ++s.subgraphs;
      Walk(*sub, s, counts, params);
    }
  }
}

}  // namespace

std::string HumanBytes(uint64_t bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1000.0 && u < 4) {
    v /= 1000.0;
    ++u;
  }
  std::ostringstream os;
  os.precision(u == 0 ? 0 : 1);
  os << std::fixed << v << " " << units[u];
  return os.str();
}

ModelSummary Summarize(const ir::Model& model, const std::string& path) {
  ModelSummary s;
  s.path = path;
  std::error_code ec;
  s.file_bytes = std::filesystem::file_size(path, ec);
  if (ec) s.file_bytes = 0;
  s.ir_version = model.ir_version;
  for (const auto& op : model.opset_imports)
    s.opsets.emplace_back(op.domain.empty() ? "ai.onnx" : op.domain, op.version);
  s.producer =
      model.producer_name + (model.producer_version.empty() ? "" : " " + model.producer_version);
  std::map<std::string, int64_t> counts, params;
  Walk(*model.graph, s, counts, params);
  const auto most_first = [](const auto& a, const auto& b) { return a.second > b.second; };
  s.op_counts.assign(counts.begin(), counts.end());
  std::stable_sort(s.op_counts.begin(), s.op_counts.end(), most_first);
  s.parameters_by_dtype.assign(params.begin(), params.end());
  std::stable_sort(s.parameters_by_dtype.begin(), s.parameters_by_dtype.end(), most_first);
  for (const auto& [dtype, n] : params) s.parameters += n;
  s.external_tensors = model.external_data.tensors;
  s.external_bytes = model.external_data.bytes;
  s.external_files = model.external_data.files;
  for (const ir::Value* v : model.graph->inputs())
    s.inputs.emplace_back(v->name(), ir::TypeInfoToString(v->type()));
  for (const ir::Value* v : model.graph->outputs())
    s.outputs.emplace_back(v->name(), ir::TypeInfoToString(v->type()));
  s.unsupported_ops = runtime::UnsupportedOps(model);
  return s;
}

nlohmann::json ToJson(const ModelSummary& s) {
  nlohmann::json j;
  j["path"] = s.path;
  j["file_bytes"] = s.file_bytes;
  j["ir_version"] = s.ir_version;
  for (const auto& [d, v] : s.opsets) j["opsets"][d] = v;
  j["producer"] = s.producer;
  j["nodes"] = s.nodes;
  j["subgraphs"] = s.subgraphs;
  for (const auto& [op, c] : s.op_counts) j["ops"].push_back({{"op", op}, {"count", c}});
  j["parameters"] = s.parameters;
  j["parameters_by_dtype"] = nlohmann::json::object();
  for (const auto& [dtype, n] : s.parameters_by_dtype) j["parameters_by_dtype"][dtype] = n;
  j["weights"] = {{"initializers", {{"count", s.initializers}, {"bytes", s.initializer_bytes}}},
                  {"constant_nodes", {{"count", s.constant_nodes}, {"bytes", s.constant_bytes}}},
                  {"external_data",
                   {{"tensors", s.external_tensors},
                    {"bytes", s.external_bytes},
                    {"files", s.external_files}}}};
  for (const auto& [n, t] : s.inputs) j["inputs"].push_back({{"name", n}, {"type", t}});
  for (const auto& [n, t] : s.outputs) j["outputs"].push_back({{"name", n}, {"type", t}});
  j["unsupported_ops"] = s.unsupported_ops;
  return j;
}

std::string ToText(const ModelSummary& s) {
  std::ostringstream os;
  os << "model       " << s.path << " (" << HumanBytes(s.file_bytes) << ")\n";
  os << "ir_version  " << s.ir_version << "   producer " << (s.producer.empty() ? "-" : s.producer)
     << "\n";
  os << "opsets     ";
  for (const auto& [d, v] : s.opsets) os << " " << d << ":" << v;
  os << "\nparameters  " << s.parameters;
  if (s.parameters_by_dtype.size() > 1) {
    const char* sep = " (";
    for (const auto& [dtype, n] : s.parameters_by_dtype) {
      os << sep << dtype << " " << n;
      sep = ", ";
    }
    os << ")";
  }
  os << "\n";
  os << "weights     " << s.initializers << " initializers ("
     << HumanBytes(static_cast<uint64_t>(s.initializer_bytes)) << "), " << s.constant_nodes
     << " Constant nodes (" << HumanBytes(static_cast<uint64_t>(s.constant_bytes)) << "), "
     << s.external_tensors << " external (" << HumanBytes(static_cast<uint64_t>(s.external_bytes))
     << ")";
  for (const auto& f : s.external_files) os << " " << f;
  os << "\n";
  for (const auto& [n, t] : s.inputs) os << "input       " << n << ": " << t << "\n";
  for (const auto& [n, t] : s.outputs) os << "output      " << n << ": " << t << "\n";
  os << "nodes       " << s.nodes
     << (s.subgraphs ? " (incl. " + std::to_string(s.subgraphs) + " subgraphs)" : "") << "\n";
  for (const auto& [op, c] : s.op_counts) {
    os << "  " << op;
    for (size_t i = op.size(); i < 28; ++i) os << ' ';
    os << c << "\n";
  }
  if (!s.unsupported_ops.empty()) {
    os << "unsupported by the reference runtime:\n";
    for (const auto& u : s.unsupported_ops) os << "  " << u << "\n";
  }
  return os.str();
}

}  // namespace shrink::cli
