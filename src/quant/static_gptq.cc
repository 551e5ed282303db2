#include "quant/static_gptq.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <optional>
#include <thread>

#include "passes/pattern_util.h"
#include "quant/gptq.h"
#include "quant/probe.h"

namespace shrink::quant {

Expected<WeightRounding> ParseWeightRounding(const std::string& s) {
  if (s == "rtn") return WeightRounding::kRtn;
  if (s == "gptq") return WeightRounding::kGptq;
  return InvalidArgument("unknown weight rounding '" + s + "' (expected rtn or gptq)");
}

const char* WeightRoundingName(WeightRounding r) {
  return r == WeightRounding::kGptq ? "gptq" : "rtn";
}

namespace {

// Conv geometry in 2-D form (a 1-D conv has height 1).
struct ConvGeom {
  int64_t c = 0, kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1;
  int64_t pt = 0, pl = 0, pb = 0, pr = 0;
  std::string auto_pad = "NOTSET";
};

struct LayerUse {
  std::string node, input;
  std::optional<ConvGeom> conv;
};

// One weight (and axis) to round by GPTQ with the inputs of all its uses.
struct Layer {
  std::string weight;
  int64_t axis = -1;
  const Tensor* w = nullptr;
  bool nk = false;                   // stored with N first ([N, K] Gemm transB, [M, C, ...] Conv)
  DataType codes = DataType::kInt8;  // kInt4 for W4A8 layers (QuantPolicy::int4_weights)
  int64_t k = 0, n = 0;
  std::vector<LayerUse> uses;
};

// The layer view of `node`'s weight, or nullopt when it keeps RTN.
std::optional<std::pair<Layer, LayerUse>> LayerOf(const ir::Node& node, const QuantPolicy& p) {
  if (!IsWeightInput(node, 1) || !node.input(0)) return std::nullopt;
  const Tensor* w = passes::ConstantOf(node.input(1));
  if (!w || w->dtype() != DataType::kFloat32) return std::nullopt;
  Layer l;
  LayerUse use{node.name(), node.input(0)->name(), std::nullopt};
  l.weight = node.input(1)->name();
  l.w = w;
  l.axis = p.per_channel ? WeightChannelAxis(node, w->rank()) : -1;
  l.codes = WeightCodeType(p, node);
  const std::string& op = node.op_type();
  if (op == "MatMul") {
    if (w->rank() != 2) return std::nullopt;
    l.k = w->dim(0);
    l.n = w->dim(1);
  } else if (op == "Gemm") {
    if (w->rank() != 2 || node.GetInt("transA", 0) != 0) return std::nullopt;
    l.nk = node.GetInt("transB", 0) != 0;
    l.k = w->dim(l.nk ? 1 : 0);
    l.n = w->dim(l.nk ? 0 : 1);
  } else if (op == "Conv") {
    if (node.GetInt("group", 1) != 1 || (w->rank() != 3 && w->rank() != 4)) return std::nullopt;
    const bool two_d = w->rank() == 4;
    ConvGeom g;
    g.c = w->dim(1);
    g.kh = two_d ? w->dim(2) : 1;
    g.kw = w->dim(two_d ? 3 : 2);
    const std::vector<int64_t> s = node.GetInts("strides"), d = node.GetInts("dilations"),
                               pads = node.GetInts("pads");
    const size_t sp = two_d ? 2 : 1;
    if ((!s.empty() && s.size() != sp) || (!d.empty() && d.size() != sp) ||
        (!pads.empty() && pads.size() != 2 * sp))
      return std::nullopt;
    if (!s.empty()) {
      g.sh = two_d ? s[0] : 1;
      g.sw = s.back();
    }
    if (!d.empty()) {
      g.dh = two_d ? d[0] : 1;
      g.dw = d.back();
    }
    if (!pads.empty()) {
      g.pt = two_d ? pads[0] : 0;
      g.pl = pads[two_d ? 1 : 0];
      g.pb = two_d ? pads[2] : 0;
      g.pr = pads[two_d ? 3 : 1];
    }
    g.auto_pad = node.GetString("auto_pad", "NOTSET");
    l.nk = true;
    l.k = w->numel() / w->dim(0);
    l.n = w->dim(0);
    use.conv = g;
  } else {
    return std::nullopt;
  }
  if (l.k <= 0 || l.n <= 0) return std::nullopt;
  return std::make_pair(std::move(l), std::move(use));
}

// Indices of at most `cap` of `rows` rows, evenly strided (all when rows <= cap).
std::vector<int64_t> SampleRows(int64_t rows, int64_t cap) {
  const int64_t m = std::min(rows, cap);
  std::vector<int64_t> idx(static_cast<size_t>(m));
  for (int64_t i = 0; i < m; ++i) idx[static_cast<size_t>(i)] = rows <= cap ? i : i * rows / m;
  return idx;
}

// Output size and leading pad along one spatial axis.
std::pair<int64_t, int64_t> ConvAxis(int64_t in, int64_t k, int64_t s, int64_t d, int64_t p0,
                                     int64_t p1, const std::string& auto_pad) {
  const int64_t span = d * (k - 1) + 1;
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    const int64_t out = (in + s - 1) / s;
    const int64_t total = std::max<int64_t>(0, (out - 1) * s + span - in);
    return {out, auto_pad == "SAME_UPPER" ? total / 2 : (total + 1) / 2};
  }
  if (auto_pad == "VALID") p0 = p1 = 0;
  return {std::max<int64_t>(0, (in + p0 + p1 - span) / s + 1), p0};
}

// Sampled im2col patches [rows, C*kh*kw] of x [B, C, H, W] (or [B, C, L]).
Expected<Tensor> Im2col(const Tensor& x, const ConvGeom& g, int64_t cap, const std::string& node) {
  const bool two_d = x.rank() == 4;
  if ((x.rank() != 3 && x.rank() != 4) || x.dim(1) != g.c || (!two_d && g.kh != 1))
    return InvalidArgument("GPTQ: input of Conv '" + node + "' is " + ShapeToString(x.shape()) +
                           ", expected " + std::to_string(g.c) + " channels");
  const int64_t b = x.dim(0), h = two_d ? x.dim(2) : 1, w = x.dim(two_d ? 3 : 2);
  const auto [oh, top] = ConvAxis(h, g.kh, g.sh, g.dh, g.pt, g.pb, g.auto_pad);
  const auto [ow, left] = ConvAxis(w, g.kw, g.sw, g.dw, g.pl, g.pr, g.auto_pad);
  const int64_t k = g.c * g.kh * g.kw;
  const std::vector<int64_t> rows = SampleRows(b * oh * ow, cap);
  Tensor out(DataType::kFloat32, {static_cast<int64_t>(rows.size()), k});
  const float* px = x.data<float>();
  float* po = out.data<float>();
  for (size_t r = 0; r < rows.size(); ++r) {
    const int64_t bi = rows[r] / (oh * ow), oy = (rows[r] / ow) % oh, ox = rows[r] % ow;
    float* dst = po + static_cast<int64_t>(r) * k;
    for (int64_t c = 0; c < g.c; ++c)
      for (int64_t i = 0; i < g.kh; ++i) {
        const int64_t y = oy * g.sh - top + i * g.dh;
        for (int64_t j = 0; j < g.kw; ++j) {
          const int64_t xx = ox * g.sw - left + j * g.dw;
          const bool in = y >= 0 && y < h && xx >= 0 && xx < w;
          *dst++ = in ? px[((bi * g.c + c) * h + y) * w + xx] : 0.0f;
        }
      }
  }
  return out;
}

// Sampled rows [rows, K] of x [..., K] (x itself when it has at most `cap` rows).
Tensor SampledRows(const Tensor& x, int64_t k, int64_t cap) {
  const int64_t rows = x.numel() / k;
  if (rows <= cap) return x;
  const std::vector<int64_t> idx = SampleRows(rows, cap);
  Tensor out(DataType::kFloat32, {static_cast<int64_t>(idx.size()), k});
  for (size_t r = 0; r < idx.size(); ++r)
    std::copy_n(x.data<float>() + idx[r] * k, k, out.data<float>() + static_cast<int64_t>(r) * k);
  return out;
}

// Runs fn(i) for i in [0, count) on up to `threads` threads; the first error wins.
Status ParallelFor(size_t count, int threads, const std::function<Status(size_t)>& fn) {
  const size_t t = std::min<size_t>(
      count, static_cast<size_t>(threads > 0 ? threads
                                             : std::max(1u, std::thread::hardware_concurrency())));
  std::vector<Status> status(count, Status::Ok());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < count; i = next++) status[i] = fn(i);
  };
  std::vector<std::thread> workers;
  for (size_t i = 1; i < t; ++i) workers.emplace_back(work);
  work();
  for (std::thread& w : workers) w.join();
  for (Status& s : status) SHRINK_RETURN_IF_ERROR(s);
  return Status::Ok();
}

// Streams `source` once and fills one Hessian per layer of `group`.
Status CollectHessians(const ir::Model& model, const std::vector<const Layer*>& group,
                       CalibrationSource& source, const StaticGptqOptions& o,
                       std::vector<HessianAccumulator>& acc) {
  std::vector<std::string> probe;
  for (const Layer* l : group) {
    acc.emplace_back(l->k);
    for (const LayerUse& u : l->uses) {
      const ir::Value* v = model.graph->FindValue(u.input);
      if (v && !v->is_graph_input()) probe.push_back(u.input);
    }
  }
  SHRINK_ASSIGN_OR_RETURN(std::unique_ptr<ProbeRunner> runner,
                          ProbeRunner::Create(model, probe, o.threads));
  SHRINK_RETURN_IF_ERROR(source.Reset());
  const int64_t total = source.num_batches();
  for (int64_t batch = 0;; ++batch) {
    SHRINK_ASSIGN_OR_RETURN(std::optional<runtime::Feeds> feeds, source.Next());
    if (!feeds) break;
    auto values = runner->Run(*feeds);
    if (!values.ok())
      return InvalidArgument("GPTQ calibration batch " + std::to_string(batch) + ": " +
                             values.status().message());
    for (const auto& [name, feed] : *feeds) values->emplace(name, feed);
    SHRINK_RETURN_IF_ERROR(ParallelFor(group.size(), o.threads, [&](size_t i) -> Status {
      const Layer& l = *group[i];
      for (const LayerUse& u : l.uses) {
        auto it = values->find(u.input);
        if (it == values->end() || it->second.dtype() != DataType::kFloat32) continue;
        const Tensor& x = it->second;
        Tensor rows;
        if (u.conv) {
          SHRINK_ASSIGN_OR_RETURN(rows, Im2col(x, *u.conv, o.max_rows_per_batch, u.node));
        } else {
          if (x.rank() < 1 || x.dim(-1) != l.k)
            return InvalidArgument("GPTQ: input of '" + u.node + "' is " +
                                   ShapeToString(x.shape()) + ", expected last dim " +
                                   std::to_string(l.k));
          rows = SampledRows(x, l.k, o.max_rows_per_batch);
        }
        const Status s = acc[i].Add(rows);
        if (!s.ok()) return Status(s.code(), u.node + ": " + s.message());
      }
      return Status::Ok();
    }));
    if (o.progress) o.progress(batch + 1, total);
  }
  return Status::Ok();
}

// GPTQ codes of one layer on the RTN grid; fills `q` (RTN result) with the GPTQ codes.
Status RoundLayer(const Layer& l, const std::vector<double>& h, const StaticGptqOptions& o,
                  const QuantPolicy& policy, QuantizedTensor& q, GptqLayerStats& stats) {
  const bool symmetric = policy.weight_symmetric;
  SHRINK_ASSIGN_OR_RETURN(q, QuantizeWeight(*l.w, l.axis, l.codes, symmetric, policy.reduce_range));
  SHRINK_ASSIGN_OR_RETURN(QuantGrid qg, GridFor(l.codes, symmetric, policy.reduce_range));
  BlockGrid grid;
  grid.bits = l.codes == DataType::kInt4 ? 4 : 8;
  grid.symmetric = symmetric;
  grid.qmin = qg.qmin;
  grid.qmax = qg.qmax;
  grid.dtype = l.codes;
  const int64_t k = l.k, n = l.n;
  std::vector<BlockParams> params(static_cast<size_t>(n));
  for (int64_t c = 0; c < n; ++c) {
    const int64_t ch = q.scale.numel() == 1 ? 0 : c;
    params[static_cast<size_t>(c)] = {q.scale.data<float>()[ch],
                                      static_cast<int32_t>(q.zero_point.GetAsDouble(ch))};
  }
  const auto at = [&](int64_t r, int64_t c) { return l.nk ? c * k + r : r * n + c; };
  std::vector<float> w(static_cast<size_t>(k * n)), rtn(w.size());
  for (int64_t r = 0; r < k; ++r)
    for (int64_t c = 0; c < n; ++c) {
      const size_t i = static_cast<size_t>(r * n + c);
      w[i] = l.w->data<float>()[at(r, c)];
      rtn[i] = DequantizeCode(static_cast<int32_t>(q.codes.GetAsDouble(at(r, c))),
                              params[static_cast<size_t>(c)]);
    }
  GptqOptions go;
  go.damp = o.damp;
  go.fixed_params = &params;
  Expected<BlockQuantized> g = QuantizeGptq(w, k, n, h, k, grid, go);
  if (!g.ok()) return Status(g.status().code(), stats.node + ": " + g.status().message());
  for (int64_t r = 0; r < k; ++r)
    for (int64_t c = 0; c < n; ++c)
      q.codes.SetFromDouble(at(r, c), g->codes[static_cast<size_t>(r * n + c)]);
  stats.rtn_output_rel_error = RelativeOutputError(w, rtn, k, n, h);
  stats.output_rel_error = RelativeOutputError(w, g->Dequantized(), k, n, h);
  return Status::Ok();
}

}  // namespace

Status ValidateStaticGptqOptions(const StaticGptqOptions& o) {
  if (!(o.damp > 0)) return InvalidArgument("GPTQ damping must be > 0");
  if (o.max_rows_per_batch < 1)
    return InvalidArgument("GPTQ: max rows per batch must be >= 1, got " +
                           std::to_string(o.max_rows_per_batch));
  return Status::Ok();
}

Expected<StaticGptqResult> RoundWeightsGptq(const ir::Model& model,
                                            const std::vector<ir::Node*>& nodes,
                                            CalibrationSource& source, const QuantPolicy& policy,
                                            const StaticGptqOptions& o) {
  SHRINK_RETURN_IF_ERROR(ValidateStaticGptqOptions(o));
  std::vector<Layer> layers;
  for (const ir::Node* node : nodes) {
    auto lu = LayerOf(*node, policy);
    if (!lu) continue;
    auto it = std::find_if(layers.begin(), layers.end(), [&](const Layer& l) {
      return l.weight == lu->first.weight && l.axis == lu->first.axis && l.codes == lu->first.codes;
    });
    if (it == layers.end()) {
      layers.push_back(std::move(lu->first));
      it = layers.end() - 1;
    } else if (it->k != lu->first.k || it->nk != lu->first.nk ||
               it->uses.front().conv.has_value() != lu->second.conv.has_value()) {
      continue;  // the same weight read in another layout: that use keeps its own RTN codes
    }
    it->uses.push_back(std::move(lu->second));
  }
  StaticGptqResult result;
  for (size_t first = 0; first < layers.size();) {
    // The next group of layers whose Hessians fit the memory budget (at least one layer).
    std::vector<const Layer*> group;
    int64_t bytes = 0;
    size_t end = first;
    for (; end < layers.size(); ++end) {
      const int64_t b = layers[end].k * layers[end].k * static_cast<int64_t>(sizeof(double));
      if (!group.empty() && bytes + b > o.max_hessian_bytes) break;
      group.push_back(&layers[end]);
      bytes += b;
    }
    std::vector<HessianAccumulator> acc;
    acc.reserve(group.size());
    SHRINK_RETURN_IF_ERROR(CollectHessians(model, group, source, o, acc));
    ++result.stats.calibration_passes;
    std::vector<QuantizedTensor> q(group.size());
    std::vector<GptqLayerStats> stats(group.size());
    std::vector<char> done(group.size(), 0);
    SHRINK_RETURN_IF_ERROR(ParallelFor(group.size(), o.threads, [&](size_t i) -> Status {
      const Layer& l = *group[i];
      stats[i] = {l.uses.front().node, l.weight, l.k, l.n, acc[i].samples(), 0, 0};
      if (acc[i].samples() == 0) return Status::Ok();  // input never seen as float: RTN
      const std::vector<double> h = acc[i].Hessian();
      acc[i] = HessianAccumulator(0);  // the sums are no longer needed
      SHRINK_RETURN_IF_ERROR(RoundLayer(l, h, o, policy, q[i], stats[i]));
      done[i] = 1;
      return Status::Ok();
    }));
    for (size_t i = 0; i < group.size(); ++i) {
      if (!done[i]) continue;
      result.codes.emplace(std::make_pair(group[i]->weight, group[i]->axis), std::move(q[i]));
      result.stats.layers.push_back(std::move(stats[i]));
    }
    first = end;
  }
  return result;
}

}  // namespace shrink::quant
