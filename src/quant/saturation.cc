#include "quant/saturation.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "quant/probe.h"

namespace shrink::quant {
namespace {

struct Quantizer {
  TensorSaturation* stat;
  std::vector<double> scale, zero_point;  // one per channel (or a single one)
  int64_t axis = -1;                      // -1: per tensor
  double lo = 0, hi = 255;
};

bool IntegerRange(DataType t, double* lo, double* hi) {
  switch (t) {
    case DataType::kUInt8:
      *lo = 0, *hi = 255;
      return true;
    case DataType::kInt8:
      *lo = -128, *hi = 127;
      return true;
    case DataType::kUInt16:
      *lo = 0, *hi = 65535;
      return true;
    case DataType::kInt16:
      *lo = -32768, *hi = 32767;
      return true;
    case DataType::kUInt4:
      *lo = 0, *hi = 15;
      return true;
    case DataType::kInt4:
      *lo = -8, *hi = 7;
      return true;
    default:
      return false;
  }
}

std::vector<double> Doubles(const Tensor& t) {
  std::vector<double> v(static_cast<size_t>(t.numel()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = t.GetAsDouble(static_cast<int64_t>(i));
  return v;
}

// The quantizer of `n`, or false when it cannot be measured.
bool Describe(const ir::Node& n, int64_t opset, Quantizer* q) {
  const ir::Value* scale = n.input(1);
  const ir::Value* zp = n.input(2);
  if (!scale || !scale->is_initializer() || (zp && !zp->is_initializer())) return false;
  if (opset >= 21 && n.GetInt("block_size", 0) != 0) return false;
  DataType out = DataType::kUInt8;
  if (zp)
    out = zp->data().dtype();
  else if (opset >= 21 && n.GetInt("output_dtype", 0) != 0)
    out = static_cast<DataType>(n.GetInt("output_dtype", 0));
  if (!IntegerRange(out, &q->lo, &q->hi)) return false;
  q->scale = Doubles(scale->data());
  q->zero_point = zp ? Doubles(zp->data()) : std::vector<double>(q->scale.size(), 0.0);
  if (q->scale.empty() || q->zero_point.size() != q->scale.size()) return false;
  if (q->scale.size() > 1) q->axis = n.GetInt("axis", 1);
  return true;
}

void Count(const Tensor& x, const Quantizer& q) {
  if (x.dtype() != DataType::kFloat32) return;
  const float* d = x.data<float>();
  const int64_t n = x.numel();
  int64_t channels = 1, inner = 1;
  if (q.axis >= 0 || q.scale.size() > 1) {
    const int64_t rank = static_cast<int64_t>(x.shape().size());
    const int64_t axis = q.axis < 0 ? q.axis + rank : q.axis;
    if (axis < 0 || axis >= rank || x.shape()[axis] != static_cast<int64_t>(q.scale.size())) return;
    channels = x.shape()[axis];
    for (int64_t k = axis + 1; k < rank; ++k) inner *= x.shape()[k];
  }
  TensorSaturation& s = *q.stat;
  for (int64_t i = 0; i < n; ++i) {
    const size_t c = channels > 1 ? static_cast<size_t>((i / inner) % channels) : 0;
    const double v = std::nearbyint(static_cast<double>(d[i]) / q.scale[c]) + q.zero_point[c];
    if (std::isnan(v))
      ++s.below;
    else if (v < q.lo)
      ++(q.zero_point[c] == q.lo ? s.floored : s.below);
    else if (v > q.hi)
      ++s.above;
  }
  s.values += n;
}

}  // namespace

double TensorSaturation::rate() const {
  return values > 0 ? static_cast<double>(below + above) / static_cast<double>(values) : 0.0;
}

double SaturationReport::rate() const {
  return values > 0 ? static_cast<double>(clipped) / static_cast<double>(values) : 0.0;
}

nlohmann::json SaturationReport::ToJson(size_t max_tensors) const {
  nlohmann::json worst = nlohmann::json::array();
  for (size_t i = 0; i < tensors.size() && i < max_tensors; ++i)
    worst.push_back({{"tensor", tensors[i].tensor},
                     {"node", tensors[i].node},
                     {"values", tensors[i].values},
                     {"below", tensors[i].below},
                     {"above", tensors[i].above},
                     {"floored", tensors[i].floored},
                     {"rate", tensors[i].rate()}});
  return {{"quantizers", tensors.size()}, {"values", values},
          {"clipped", clipped},           {"rate", rate()},
          {"batches", batches},           {"worst", worst}};
}

Expected<SaturationReport> MeasureSaturation(const ir::Model& model, CalibrationSource& source,
                                             int64_t max_batches, int threads) {
  SaturationReport report;
  std::vector<Quantizer> quantizers;
  // Stable addresses for Quantizer::stat: reserve before taking pointers.
  size_t count = 0;
  for (const auto& n : model.graph->nodes())
    if (n->op_type() == "QuantizeLinear" && n->domain().empty()) ++count;
  report.tensors.reserve(count);
  const int64_t opset = model.OpsetFor("");
  std::map<std::string, std::vector<size_t>> by_tensor;  // probe name -> quantizers reading it
  for (const auto& n : model.graph->nodes()) {
    if (n->op_type() != "QuantizeLinear" || !n->domain().empty() || !n->input(0)) continue;
    Quantizer q;
    if (!Describe(*n, opset, &q)) continue;
    report.tensors.push_back({n->input(0)->name(), n->name()});
    q.stat = &report.tensors.back();
    by_tensor[n->input(0)->name()].push_back(quantizers.size());
    quantizers.push_back(std::move(q));
  }
  if (quantizers.empty()) return report;
  std::vector<std::string> names;
  for (const auto& [name, _] : by_tensor) names.push_back(name);
  SHRINK_ASSIGN_OR_RETURN(std::unique_ptr<ProbeRunner> probe,
                          ProbeRunner::Create(model, names, threads));
  SHRINK_RETURN_IF_ERROR(source.Reset());
  while (max_batches <= 0 || report.batches < max_batches) {
    SHRINK_ASSIGN_OR_RETURN(std::optional<runtime::Feeds> feeds, source.Next());
    if (!feeds) break;
    SHRINK_ASSIGN_OR_RETURN(auto values, probe->Run(*feeds));
    for (const auto& [name, idx] : by_tensor) {
      const Tensor* x = nullptr;
      if (auto it = values.find(name); it != values.end()) x = &it->second;
      for (const auto& [feed, t] : *feeds)  // a quantized graph input
        if (!x && feed == name) x = &t;
      if (x)
        for (size_t i : idx) Count(*x, quantizers[i]);
    }
    ++report.batches;
  }
  for (const TensorSaturation& t : report.tensors) {
    report.values += t.values;
    report.clipped += t.below + t.above;
  }
  std::stable_sort(report.tensors.begin(), report.tensors.end(),
                   [](const auto& a, const auto& b) { return a.rate() > b.rate(); });
  return report;
}

}  // namespace shrink::quant
