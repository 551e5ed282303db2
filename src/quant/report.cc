#include "quant/report.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "quant/probe.h"

namespace shrink::quant {

namespace {

struct Accum {
  double signal = 0, noise = 0;
  double Db() const {
    if (noise <= 0) return kSqnrExact;
    if (signal <= 0) return -kSqnrExact;
    return std::min(kSqnrExact, 10 * std::log10(signal / noise));
  }
};

void Accumulate(const Tensor& f, const Tensor& q, Accum& a) {
  if (f.dtype() != DataType::kFloat32 || q.dtype() != DataType::kFloat32 || f.numel() != q.numel())
    return;
  const float* x = f.data<float>();
  const float* y = q.data<float>();
  for (int64_t i = 0; i < f.numel(); ++i) {
    a.signal += static_cast<double>(x[i]) * x[i];
    const double d = static_cast<double>(x[i]) - y[i];
    a.noise += d * d;
  }
}

}  // namespace

Expected<QuantReport> MeasureLayers(const ir::Model& float_model, const ir::Model& quant_model,
                                    const QuantizeResult& result, CalibrationSource& source,
                                    int64_t max_batches, int threads) {
  struct Layer {
    const ir::Node* node;
    std::string output;
  };
  std::vector<Layer> layers;
  std::vector<std::string> probes;
  for (const auto& n : float_model.graph->nodes())
    if (std::find(result.nodes.begin(), result.nodes.end(), n->name()) != result.nodes.end() &&
        n->output(0)) {
      layers.push_back({n.get(), n->output(0)->name()});
      probes.push_back(n->output(0)->name());
    }
  std::vector<std::string> outputs;
  for (const ir::Value* v : float_model.graph->outputs()) outputs.push_back(v->name());
  SHRINK_ASSIGN_OR_RETURN(auto fr, ProbeRunner::Create(float_model, probes, threads));
  SHRINK_ASSIGN_OR_RETURN(auto qr, ProbeRunner::Create(quant_model, probes, threads));
  SHRINK_RETURN_IF_ERROR(source.Reset());
  std::unordered_map<std::string, Accum> acc;
  QuantReport report;
  while (max_batches <= 0 || report.batches < max_batches) {
    SHRINK_ASSIGN_OR_RETURN(std::optional<runtime::Feeds> feeds, source.Next());
    if (!feeds) break;
    SHRINK_ASSIGN_OR_RETURN(auto fv, fr->Run(*feeds));
    SHRINK_ASSIGN_OR_RETURN(auto qv, qr->Run(*feeds));
    for (const auto& [name, t] : fv) {
      auto q = qv.find(name);
      if (q != qv.end()) Accumulate(t, q->second, acc[name]);
    }
    ++report.batches;
  }
  std::unordered_map<std::string, const ActivationInfo*> act;
  for (const ActivationInfo& a : result.activations) act[a.name] = &a;
  for (const Layer& l : layers) {
    if (!acc.count(l.output)) continue;
    LayerReport r;
    r.node = l.node->name();
    r.op_type = l.node->op_type();
    r.output = l.output;
    r.sqnr_db = acc[l.output].Db();
    if (l.node->input(0) && act.count(l.node->input(0)->name())) {
      const ActivationInfo& a = *act[l.node->input(0)->name()];
      r.input = a.name;
      r.input_min = a.observed_min;
      r.input_max = a.observed_max;
      r.input_range = a.range;
      r.outlier_ratio = a.outlier_ratio;
    }
    report.layers.push_back(r);
  }
  std::stable_sort(
      report.layers.begin(), report.layers.end(),
      [](const LayerReport& a, const LayerReport& b) { return a.sqnr_db < b.sqnr_db; });
  for (const std::string& o : outputs)
    if (acc.count(o)) report.outputs.emplace_back(o, acc[o].Db());
  return report;
}

nlohmann::json ReportJson(const QuantizeResult& result, const QuantReport& report) {
  nlohmann::json j;
  j["stats"] = {{"quantized_nodes", result.stats.quantized_nodes},
                {"quantized_activations", result.stats.quantized_activations},
                {"quantized_weights", result.stats.quantized_weights},
                {"quantized_biases", result.stats.quantized_biases},
                {"folded_activations", result.stats.folded_activations},
                {"calibration_batches", result.calibration_batches},
                {"report_batches", report.batches}};
  j["outputs"] = nlohmann::json::array();
  for (const auto& [name, db] : report.outputs)
    j["outputs"].push_back({{"name", name}, {"sqnr_db", db}});
  j["layers"] = nlohmann::json::array();
  for (const LayerReport& l : report.layers) {
    nlohmann::json e = {
        {"node", l.node}, {"op_type", l.op_type}, {"output", l.output}, {"sqnr_db", l.sqnr_db}};
    if (!l.input.empty())
      e["input"] = {{"name", l.input},
                    {"observed", {l.input_min, l.input_max}},
                    {"range", {l.input_range.lo, l.input_range.hi}},
                    {"outlier_ratio", l.outlier_ratio}};
    j["layers"].push_back(e);
  }
  j["activations"] = nlohmann::json::array();
  for (const ActivationInfo& a : result.activations)
    j["activations"].push_back({{"name", a.name},
                                {"observed", {a.observed_min, a.observed_max}},
                                {"range", {a.range.lo, a.range.hi}},
                                {"scale", a.params.scale},
                                {"zero_point", a.params.zero_point},
                                {"outlier_ratio", a.outlier_ratio}});
  return j;
}

}  // namespace shrink::quant
