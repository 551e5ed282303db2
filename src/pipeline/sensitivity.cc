#include "pipeline/sensitivity.h"

#include <fstream>
#include <sstream>

#include "core/sha256.h"
#include "core/temp_dir.h"
#include "onnx/export.h"
#include "onnx/import.h"
#include "pipeline/stage_apply.h"
#include "runtimes/evaluate.h"
#include "search/constraints.h"

namespace shrink::pipeline {
namespace {

Expected<double> Metric(const std::string& path, const data::TaskSpec& task,
                        const SensitivityOptions& o, bool* higher_is_better) {
  runtimes::EvaluateOptions eo;
  eo.threads = o.threads;
  eo.eval.limit = o.samples;
  eo.eval.bootstrap_samples = 0;
  eo.eval.progress_bar = false;
  SHRINK_ASSIGN_OR_RETURN(eval::EvalResult r, runtimes::EvaluateModelFile(path, task, eo));
  *higher_is_better = r.primary.higher_is_better;
  return r.primary.value;
}

}  // namespace

Expected<std::vector<std::pair<std::string, double>>> MeasureSensitivity(
    const std::string& model_path, const data::TaskSpec& task, const Policy& policy,
    const nlohmann::json& defaults, const std::vector<std::string>& layers,
    const SensitivityOptions& o) {
  SHRINK_ASSIGN_OR_RETURN(std::string model_sha, Sha256File(model_path));
  const std::string key = Sha256Hex(
      nlohmann::json(
          {{"model", model_sha}, {"choices", defaults}, {"samples", o.samples}, {"layers", layers}})
          .dump());
  if (!o.cache_path.empty()) {
    std::ifstream f(o.cache_path);
    nlohmann::json j = nlohmann::json::parse(f, nullptr, false);
    if (!j.is_discarded() && j.value("key", "") == key) {
      std::vector<std::pair<std::string, double>> out;
      for (const auto& e : j.at("layers")) out.emplace_back(e.at(0), e.at(1));
      return out;
    }
  }
  bool higher = true;
  SHRINK_ASSIGN_OR_RETURN(double reference, Metric(model_path, task, o, &higher));
  SHRINK_ASSIGN_OR_RETURN(TempDir tmp, TempDir::Create("shrink-sensitivity-"));
  std::vector<std::pair<std::string, double>> out;
  for (size_t i = 0; i < layers.size(); ++i) {
    nlohmann::json choices = defaults;
    for (const std::string& other : layers)
      choices["layers"][other] = other == layers[i] ? "int8" : "float";
    SHRINK_ASSIGN_OR_RETURN(ir::Model model, onnx_io::LoadModel(model_path));
    StageContext ctx{&task, o.threads, nullptr};
    SHRINK_RETURN_IF_ERROR(ApplyStages(model, choices, policy, ctx).status());
    const std::string file = tmp.path() + "/layer.onnx";
    SHRINK_RETURN_IF_ERROR(onnx_io::SaveModel(model, file));
    SHRINK_ASSIGN_OR_RETURN(double value, Metric(file, task, o, &higher));
    out.emplace_back(layers[i], search::MetricDropPct(reference, value, higher));
    if (o.progress) o.progress(i + 1, layers.size());
  }
  if (!o.cache_path.empty()) {
    nlohmann::json j = {{"key", key}, {"reference", reference}, {"layers", out}};
    std::ofstream(o.cache_path) << j.dump(2) << "\n";
  }
  return out;
}

}  // namespace shrink::pipeline
