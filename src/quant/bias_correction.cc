#include "quant/bias_correction.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "passes/pattern_util.h"
#include "quant/channel_stats.h"

namespace shrink::quant {

namespace {

bool Correctable(const ir::Node& n) {
  if (!passes::IsOp(&n, "Conv") && !passes::IsOp(&n, "Gemm") && !passes::IsOp(&n, "MatMul"))
    return false;
  if (n.GetInt("transA", 0) || !n.input(1) || !n.output(0)) return false;
  if (passes::ConstantOf(n.input(1))) return true;
  const ir::Node* dq = passes::ProducerIs(n.input(1), "DequantizeLinear");
  return dq && passes::ConstantOf(dq->input(0));  // a quantized weight, not an activation
}

int ChannelAxis(const ir::Node& n) { return n.op_type() == "Conv" ? 1 : -1; }

// Adds `delta` to a float32 1-D initializer owned by one use.
bool AddToFloat(ir::Value* v, const std::vector<double>& delta, double factor) {
  if (!v || !v->is_initializer() || v->is_graph_input() || v->uses().size() != 1) return false;
  const Tensor& t = v->data();
  if (t.dtype() != DataType::kFloat32 || t.numel() != static_cast<int64_t>(delta.size()))
    return false;
  Tensor c = t.Clone();
  for (size_t i = 0; i < delta.size(); ++i)
    c.data<float>()[i] += static_cast<float>(delta[i] * factor);
  v->set_data(std::move(c));
  return true;
}

// DequantizeLinear(int32 codes, scale) bias: codes += round(delta / scale).
bool AddToInt32(ir::Value* bias, const std::vector<double>& delta) {
  ir::Node* dq = passes::ProducerIs(bias, "DequantizeLinear");
  if (!dq || bias->uses().size() != 1) return false;
  ir::Value* codes = dq->input(0);
  const Tensor* scale = passes::ConstantOf(dq->input(1));
  if (!codes || !codes->is_initializer() || codes->uses().size() != 1 || !scale) return false;
  const Tensor& t = codes->data();
  const int64_t n = static_cast<int64_t>(delta.size());
  if (t.dtype() != DataType::kInt32 || t.numel() != n ||
      (scale->numel() != 1 && scale->numel() != n))
    return false;
  if (dq->input(2) && passes::ScalarConstantOf(dq->input(2)).value_or(1) != 0) return false;
  Tensor c = t.Clone();
  for (int64_t i = 0; i < n; ++i) {
    const double s = scale->GetAsDouble(scale->numel() == 1 ? 0 : i);
    if (!(s > 0)) continue;
    const double v = c.data<int32_t>()[i] + std::round(delta[static_cast<size_t>(i)] / s);
    c.data<int32_t>()[i] = static_cast<int32_t>(std::clamp(v, -2147483647.0, 2147483647.0));
  }
  codes->set_data(std::move(c));
  return true;
}

bool ApplyDelta(ir::Graph& g, ir::Node& n, const std::vector<double>& delta) {
  if (n.op_type() == "MatMul") {
    // MatMul [-> QuantizeLinear -> DequantizeLinear] -> Add(constant): the Add holds the bias.
    ir::Value* y = n.output(0);
    ir::Node* add = passes::SoleUse(y);
    if (passes::IsOp(add, "QuantizeLinear")) {
      ir::Node* dq = passes::SoleUse(add->output(0));
      y = passes::IsOp(dq, "DequantizeLinear") ? dq->output(0) : nullptr;
      add = y ? passes::SoleUse(y) : nullptr;
    }
    if (!passes::IsOp(add, "Add")) return false;
    ir::Value* other = add->input(0) == y ? add->input(1) : add->input(0);
    return AddToFloat(other, delta, 1.0) || AddToInt32(other, delta);
  }
  const double beta = n.op_type() == "Gemm" ? n.GetFloat("beta", 1.0f) : 1.0;
  if (beta == 0) return false;
  ir::Value* b = n.input(2);
  if (!b) {
    Tensor t(DataType::kFloat32, {static_cast<int64_t>(delta.size())});
    for (size_t i = 0; i < delta.size(); ++i)
      t.data<float>()[i] = static_cast<float>(delta[i] / beta);
    n.SetInput(2, passes::AddConstant(g, n.name() + ".bias_correction", std::move(t)));
    return true;
  }
  return AddToFloat(b, delta, 1.0 / beta) || AddToInt32(b, delta);
}

}  // namespace

Expected<BiasCorrectionStats> CorrectBias(
    const ir::Model& float_model, ir::Model& quant_model, const std::vector<std::string>& nodes,
    CalibrationSource& source, int threads,
    const std::function<void(int64_t done, int64_t total)>& progress) {
  const std::unordered_set<std::string> wanted(nodes.begin(), nodes.end());
  std::vector<ir::Node*> layers;
  std::vector<ChannelRequest> requests;
  for (ir::Node* n : passes::NodeList(*quant_model.graph)) {
    if (!wanted.count(n->name()) || !Correctable(*n)) continue;
    if (!float_model.graph->FindValue(n->output(0)->name())) continue;
    layers.push_back(n);
    requests.push_back({n->output(0)->name(), ChannelAxis(*n)});
  }
  BiasCorrectionStats stats;
  if (layers.empty()) return stats;
  const int64_t per_pass = source.num_batches();
  const int64_t total = per_pass > 0 ? per_pass * static_cast<int64_t>(layers.size() + 1) : -1;
  int64_t done = 0;
  auto tick = [&] {
    ++done;
    if (progress) progress(done, total);
  };
  SHRINK_ASSIGN_OR_RETURN(
      auto float_means,
      CollectChannelStats(float_model, requests, ChannelStat::kMean, source, threads, tick));
  double shift = 0, channels = 0;
  for (size_t k = 0; k < layers.size(); ++k) {
    ir::Node* n = layers[k];
    const std::string& y = requests[k].tensor;
    SHRINK_ASSIGN_OR_RETURN(
        auto quant_means,
        CollectChannelStats(quant_model, {requests[k]}, ChannelStat::kMean, source, threads, tick));
    auto f = float_means.find(y);
    auto q = quant_means.find(y);
    if (f == float_means.end() || q == quant_means.end() || f->second.size() != q->second.size())
      continue;
    std::vector<double> delta(f->second.size());
    for (size_t c = 0; c < delta.size(); ++c) delta[c] = f->second[c] - q->second[c];
    if (!ApplyDelta(*quant_model.graph, *n, delta)) continue;
    ++stats.corrected;
    for (double d : delta) shift += std::abs(d);
    channels += static_cast<double>(delta.size());
  }
  stats.mean_abs_shift_before = channels > 0 ? shift / channels : 0;
  return stats;
}

}  // namespace shrink::quant
