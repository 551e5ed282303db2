#include "cli/quantize_metadata.h"

#include <filesystem>

#include "core/version.h"
#include "data/dataset.h"
#include "export/lineage.h"
#include "runtime/random_inputs.h"
#include "runtimes/feed_binding.h"
#include "runtimes/latency.h"
#include "runtimes/onnxruntime.h"

namespace shrink::cli {
namespace fs = std::filesystem;

std::string MetadataPathFor(const std::string& model_path) {
  fs::path p(model_path);
  if (p.extension() == ".onnx") return p.replace_extension(".json").string();
  return model_path + ".json";
}

namespace {

// The first example of the task's evaluation split, bound to the model's inputs.
Expected<runtime::Feeds> ExampleFeeds(const data::TaskSpec& task, const ir::Model& model) {
  SHRINK_ASSIGN_OR_RETURN(std::unique_ptr<data::Dataset> ds, data::OpenDataset(task.evaluation));
  SHRINK_ASSIGN_OR_RETURN(data::Batch batch, ds->GetBatch(0, 1));
  return runtimes::BindInputs(*model.graph, batch.inputs);
}

// Loads and runs the file once in ONNX Runtime on `feeds`.
exporting::RuntimeCompatibility CheckOrt(const std::string& path, const runtime::Feeds& feeds) {
  exporting::RuntimeCompatibility c{"onnxruntime", false, {}, {}};
  Expected<runtimes::OrtRunner> ort = runtimes::OrtRunner::Find();
  if (!ort.ok()) {
    c.warnings.push_back("not checked: " + ort.status().ToString());
    return c;
  }
  Expected<runtimes::NamedTensors> out = ort->Run(path, feeds);
  if (!out.ok())
    c.warnings.push_back(out.status().ToString());
  else
    c.operators_validated = true;
  return c;
}

}  // namespace

Expected<QuantizeLatency> WriteQuantizeMetadata(const ir::Model& float_model,
                                                const ir::Model& quantized,
                                                const QuantizeRecord& r) {
  exporting::ArtifactMetadata m;
  SHRINK_RETURN_IF_ERROR(exporting::DescribeFile(r.output_path, m));
  std::error_code ec;
  m.baseline_size_bytes = static_cast<int64_t>(fs::file_size(r.input_path, ec));
  if (ec) return NotFound(r.input_path + ": " + ec.message());
  m.compression_ratio =
      m.size_bytes > 0 ? static_cast<double>(m.baseline_size_bytes) / m.size_bytes : 0;
  m.runtime = "native";
  m.opset = quantized.OpsetFor("");
  m.compression.quantization = r.scheme;
  m.compression.details["quantize"] = r.options;
  if (r.primary) m.primary = *r.primary;

  QuantizeLatency out;
  Expected<runtime::Feeds> feeds =
      r.task ? ExampleFeeds(*r.task, quantized) : runtime::MakeRandomFeeds(*quantized.graph, 0, {});
  Expected<runtimes::PairedLatency> p = feeds.status();
  if (feeds.ok()) {
    runtimes::LatencyOptions lo;
    lo.threads = r.threads;
    lo.min_seconds = 0.5;
    lo.max_seconds = 5;
    lo.feeds = *feeds;
    p = runtimes::MeasureLatencyPaired(quantized, r.output_path, float_model, r.input_path, lo);
  }
  exporting::RuntimeCompatibility native{"native", p.ok(), {}, {}};
  if (p.ok()) {
    m.latency_ms_p50 = p->a.p50_ms;
    m.latency_ms_p95 = p->a.p95_ms;
    m.throughput_qps = p->a.throughput_per_s;
    out.float_p50_ms = p->b.p50_ms;
    out.quantized_p50_ms = p->a.p50_ms;
  } else {
    out.latency_problem = p.status().ToString();
    native.warnings.push_back("not measured: " + out.latency_problem);
  }
  m.compatibility.push_back(native);
  m.compatibility.push_back(feeds.ok() ? CheckOrt(r.output_path, *feeds)
                                       : exporting::RuntimeCompatibility{
                                             "onnxruntime", false, {}, {"not checked: no inputs"}});
  out.ort_validated = m.compatibility.back().operators_validated;
  if (!out.ort_validated && !m.compatibility.back().warnings.empty())
    out.ort_problem = m.compatibility.back().warnings.front();
  for (const auto& c : m.compatibility)
    for (const auto& w : c.warnings) m.warnings.push_back(c.runtime + ": " + w);

  exporting::Lineage l = exporting::Lineage::ForThisProcess();
  l.threads = r.threads;
  l.command_line = r.command_line;
  l.options = r.options;
  SHRINK_RETURN_IF_ERROR(l.AddInput("model", r.input_path));
  if (!r.task_path.empty()) SHRINK_RETURN_IF_ERROR(l.AddInput("task", r.task_path));
  m.lineage = l.ToJson();
  SHRINK_RETURN_IF_ERROR(exporting::SaveMetadata(m, MetadataPathFor(r.output_path)));
  return out;
}

}  // namespace shrink::cli
