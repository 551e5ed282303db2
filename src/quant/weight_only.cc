#include "quant/weight_only.h"

#include <algorithm>
#include <map>
#include <optional>
#include <thread>
#include <unordered_set>

#include "passes/pattern_util.h"
#include "passes/upgrade_opset.h"
#include "quant/block_quant.h"
#include "quant/gptq.h"
#include "quant/policy.h"
#include "quant/probe.h"
#include "quant/quantize.h"

namespace shrink::quant {

Expected<WeightOnlyMethod> ParseWeightOnlyMethod(const std::string& s) {
  if (s == "rtn") return WeightOnlyMethod::kRtn;
  if (s == "gptq") return WeightOnlyMethod::kGptq;
  return InvalidArgument("unknown weight-only method '" + s + "' (expected rtn or gptq)");
}

Status ValidateWeightOnlyOptions(const WeightOnlyOptions& o) {
  SHRINK_RETURN_IF_ERROR(MakeBlockGrid(o.bits, o.symmetric).status());
  const int64_t b = o.block_size;
  if (b < 16 || b > 256 || (b & (b - 1)) != 0)
    return InvalidArgument("weight-only block size must be a power of two in [16, 256], got " +
                           std::to_string(b));
  for (const std::string& op : o.op_types)
    if (op != "MatMul" && op != "Gemm")
      return InvalidArgument("weight-only quantization applies to MatMul and Gemm, not '" + op +
                             "' (embedding tables: the embeddings option)");
  if (!(o.gptq_damp > 0)) return InvalidArgument("GPTQ damping must be > 0");
  return Status::Ok();
}

std::string WeightOnlyScheme(const WeightOnlyOptions& o) {
  std::string s = "weight-only int" + std::to_string(o.bits) + " block" +
                  std::to_string(o.block_size) +
                  (o.method == WeightOnlyMethod::kGptq ? " gptq" : " rtn");
  if (!o.symmetric) s += " asymmetric";
  if (o.method == WeightOnlyMethod::kGptq && o.act_order) s += " act-order";
  if (o.embeddings) s += " +embeddings";
  return s;
}

namespace {

bool IsQuantizationOp(const std::string& op) {
  for (const char* q :
       {"QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "QLinearConv",
        "QLinearMatMul", "MatMulInteger", "ConvInteger", "MatMulNBits"})
    if (op == q) return true;
  return false;
}

const Tensor* FloatMatrix(const ir::Value* v) {
  const Tensor* t = passes::ConstantOf(v);
  return t && t->dtype() == DataType::kFloat32 && t->rank() == 2 ? t : nullptr;
}

bool MatchesAny(const std::vector<std::string>& globs, const std::string& name) {
  return std::any_of(globs.begin(), globs.end(),
                     [&](const std::string& g) { return GlobMatch(g, name); });
}

// One quantized weight and the selected nodes that read it.
struct WeightGroup {
  ir::Value* weight = nullptr;
  bool transposed = false;  // stored [N, K] (Gemm transB, Gather tables)
  bool gather = false;
  std::vector<std::pair<ir::Node*, int>> uses;  // (node, input index)
  int64_t k = 0, n = 0;
};

std::optional<std::pair<int, bool>> WeightInputOf(const ir::Node& n, const WeightOnlyOptions& o) {
  if (!n.domain().empty() && n.domain() != "ai.onnx") return std::nullopt;
  const std::string& op = n.op_type();
  if (op == "Gather") {
    const int64_t axis = n.GetInt("axis", 0);
    if (!o.embeddings || (axis != 0 && axis != -2) || !FloatMatrix(n.input(0))) return std::nullopt;
    return std::make_pair(0, true);
  }
  if (std::find(o.op_types.begin(), o.op_types.end(), op) == o.op_types.end()) return std::nullopt;
  if (!FloatMatrix(n.input(1))) return std::nullopt;
  if (op == "Gemm") {
    if (n.GetInt("transA", 0)) return std::nullopt;
    return std::make_pair(1, n.GetInt("transB", 0) != 0);
  }
  return std::make_pair(1, false);
}

std::vector<WeightGroup> SelectWeights(const ir::Graph& g, const WeightOnlyOptions& o) {
  std::vector<WeightGroup> groups;
  for (const auto& node : g.nodes()) {
    if (!o.include.empty() && !MatchesAny(o.include, node->name())) continue;
    if (MatchesAny(o.exclude, node->name())) continue;
    const auto wi = WeightInputOf(*node, o);
    if (!wi) continue;
    ir::Value* w = node->input(wi->first);
    auto it = std::find_if(groups.begin(), groups.end(), [&](const WeightGroup& gr) {
      return gr.weight == w && gr.transposed == wi->second;
    });
    if (it == groups.end()) {
      WeightGroup gr;
      gr.weight = w;
      gr.transposed = wi->second;
      gr.gather = node->op_type() == "Gather";
      const Tensor& t = *FloatMatrix(w);
      gr.k = t.dim(gr.transposed ? 1 : 0);
      gr.n = t.dim(gr.transposed ? 0 : 1);
      groups.push_back(gr);
      it = groups.end() - 1;
    }
    it->uses.emplace_back(node.get(), wi->first);
  }
  // A table read by Gather and by Transpose (a tied output projection, GPT-2's lm_head) is shared
  // quantized; a table something else still reads as float is left alone (an int4 copy beside
  // the float one would only grow the model).
  std::vector<WeightGroup> kept;
  for (WeightGroup& gr : groups) {
    bool shared_with_float = false;
    for (const ir::Use& u : gr.weight->uses()) {
      const auto in_group = [&](const std::pair<ir::Node*, int>& x) {
        return x.first == u.node && x.second == u.index;
      };
      if (!gr.gather || std::any_of(gr.uses.begin(), gr.uses.end(), in_group)) continue;
      const std::vector<int64_t> perm = u.node->GetInts("perm");
      if (passes::IsOp(u.node, "Transpose") && (perm.empty() || perm == std::vector<int64_t>{1, 0}))
        gr.uses.emplace_back(u.node, u.index);
      else
        shared_with_float = true;
    }
    if (!shared_with_float) kept.push_back(std::move(gr));
  }
  return kept;
}

// W in [K, N] orientation.
std::vector<float> KnOf(const Tensor& t, bool transposed) {
  const float* p = t.data<float>();
  if (!transposed) return std::vector<float>(p, p + t.numel());
  const int64_t rows = t.dim(0), cols = t.dim(1);  // [N, K]
  std::vector<float> out(static_cast<size_t>(t.numel()));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) out[static_cast<size_t>(c * rows + r)] = p[r * cols + c];
  return out;
}

int64_t InitializerBytes(const ir::Graph& g) {
  int64_t b = 0;
  for (const ir::Value* v : g.initializers()) b += static_cast<int64_t>(v->data().nbytes());
  return b;
}

// One streaming pass over `source`: the Hessian of every activation in `inputs` (name -> K).
Expected<std::map<std::string, HessianAccumulator>> CollectHessians(
    const ir::Model& model, const std::map<std::string, int64_t>& inputs, CalibrationSource& source,
    const WeightOnlyOptions& o, int64_t& batches) {
  std::map<std::string, HessianAccumulator> acc;
  std::vector<std::string> probe;
  for (const auto& [name, k] : inputs) {
    acc.emplace(name, HessianAccumulator(k));
    const ir::Value* v = model.graph->FindValue(name);
    if (v && !v->is_graph_input()) probe.push_back(name);
  }
  SHRINK_ASSIGN_OR_RETURN(std::unique_ptr<ProbeRunner> runner,
                          ProbeRunner::Create(model, probe, o.threads));
  SHRINK_RETURN_IF_ERROR(source.Reset());
  const int64_t total = source.num_batches();
  for (batches = 0;; ++batches) {
    SHRINK_ASSIGN_OR_RETURN(std::optional<runtime::Feeds> feeds, source.Next());
    if (!feeds) break;
    auto values = runner->Run(*feeds);
    if (!values.ok())
      return InvalidArgument("GPTQ calibration batch " + std::to_string(batches) + ": " +
                             values.status().message());
    for (const auto& [name, feed] : *feeds) values->emplace(name, feed);
    for (auto& [name, h] : acc) {
      auto it = values->find(name);
      if (it != values->end()) SHRINK_RETURN_IF_ERROR(h.Add(it->second));
    }
    if (o.progress) o.progress("calibrating", batches + 1, total);
  }
  return acc;
}

void Rewrite(ir::Graph& g, const WeightGroup& gr, const BlockQuantized& q) {
  BlockTensors t = ToTensors(q, gr.transposed);
  const std::string base = gr.weight->name();
  const Shape shape = gr.weight->data().shape();
  std::vector<ir::Value*> ins = {g.AddInitializer(g.UniqueName(base + "_quantized"), t.codes),
                                 g.AddInitializer(g.UniqueName(base + "_scale"), t.scale)};
  if (t.zero_point.defined())
    ins.push_back(g.AddInitializer(g.UniqueName(base + "_zero_point"), t.zero_point));
  const std::string out = g.UniqueName(base + "_dequantized");
  ir::Node* dq = g.AddNode("DequantizeLinear", ins, {out},
                           {ir::MakeAttr("axis", t.axis), ir::MakeAttr("block_size", q.block)},
                           out + "_DequantizeLinear");
  dq->output(0)->type() = ir::TypeInfo::Tensor(DataType::kFloat32, shape);
  for (const auto& [node, index] : gr.uses) node->SetInput(index, dq->output(0));
  g.RemoveInitializer(gr.weight);  // kept when something else still reads the float weight
}

struct Quantized {
  Status status;
  BlockQuantized q;
  WeightOnlyLayer layer;
};

// RTN, or GPTQ with the summed Hessians of the inputs of every node that reads the weight.
Quantized QuantizeGroup(const WeightGroup& gr, const std::map<std::string, HessianAccumulator>& hs,
                        const BlockGrid& grid, const WeightOnlyOptions& o, const GptqOptions& go) {
  Quantized out;
  const std::vector<float> w = KnOf(gr.weight->data(), gr.transposed);
  std::vector<double> h;
  for (const auto& use : gr.uses) {
    auto it = gr.gather ? hs.end() : hs.find(use.first->input(0)->name());
    if (it == hs.end() || it->second.samples() == 0) continue;
    const std::vector<double> hu = it->second.Hessian();
    if (h.empty()) h.assign(hu.size(), 0.0);
    for (size_t j = 0; j < h.size(); ++j) h[j] += hu[j];
  }
  WeightOnlyLayer& layer = out.layer;
  layer.node = gr.uses.front().first->name();
  layer.op_type = gr.uses.front().first->op_type();
  layer.weight = gr.weight->name();
  layer.k = gr.k;
  layer.n = gr.n;
  out.q = QuantizeRtn(w, gr.k, gr.n, o.block_size, grid);
  if (!h.empty()) {
    Expected<BlockQuantized> q = QuantizeGptq(w, gr.k, gr.n, h, o.block_size, grid, go);
    if (!q.ok()) {
      out.status = Status(q.status().code(), layer.node + ": " + q.status().message());
      return out;
    }
    layer.rtn_output_rel_error = RelativeOutputError(w, out.q.Dequantized(), gr.k, gr.n, h);
    out.q = std::move(*q);
    layer.output_rel_error = RelativeOutputError(w, out.q.Dequantized(), gr.k, gr.n, h);
  }
  layer.weight_rel_mse = RelativeMse(w, out.q.Dequantized());
  return out;
}

}  // namespace

Expected<WeightOnlyResult> QuantizeWeightsOnly(ir::Model& model, CalibrationSource* source,
                                               const WeightOnlyOptions& o) {
  SHRINK_RETURN_IF_ERROR(ValidateWeightOnlyOptions(o));
  const bool gptq = o.method == WeightOnlyMethod::kGptq;
  if (gptq && !source)
    return InvalidArgument("GPTQ needs calibration data (a task or a tensor file)");
  const ir::Node* quantized = nullptr;
  for (const auto& n : model.graph->nodes())
    if (!quantized && IsQuantizationOp(n->op_type())) quantized = n.get();
  if (quantized && !o.allow_quantized_model)
    return InvalidArgument("the model is already quantized (" + quantized->Describe() + ")");
  if (quantized)
    NameNodes(*model.graph);  // constant folding would turn DequantizeLinear(W) back into float
  else
    SHRINK_RETURN_IF_ERROR(PrepareForQuantization(model));
  SHRINK_ASSIGN_OR_RETURN(BlockGrid grid, MakeBlockGrid(o.bits, o.symmetric));
  ir::Graph& g = *model.graph;
  WeightOnlyResult result;
  result.scheme = WeightOnlyScheme(o);
  result.bytes_before = InitializerBytes(g);
  if (SelectWeights(g, o).empty()) {  // nothing to do: no calibration pass, no opset change
    result.bytes_after = result.bytes_before;
    return result;
  }
  if (model.OpsetFor("") < 21) SHRINK_RETURN_IF_ERROR(passes::UpgradeOpset(model, 21));
  const std::vector<WeightGroup> groups = SelectWeights(g, o);  // after the upgrade's rewrites
  std::unordered_set<const ir::Node*> selected;
  for (const WeightGroup& gr : groups)
    for (const auto& use : gr.uses) selected.insert(use.first);
  for (const auto& node : g.nodes())
    if (selected.count(node.get())) result.nodes.push_back(node->name());

  std::map<std::string, HessianAccumulator> hessians;
  if (gptq) {
    std::map<std::string, int64_t> inputs;
    for (const WeightGroup& gr : groups)
      if (!gr.gather)
        for (const auto& use : gr.uses) inputs[use.first->input(0)->name()] = gr.k;
    SHRINK_ASSIGN_OR_RETURN(hessians,
                            CollectHessians(model, inputs, *source, o, result.calibration_batches));
  }
  GptqOptions go;
  go.damp = o.gptq_damp;
  go.act_order = o.act_order;
  // Weights are quantized `threads` at a time in parallel (each is independent; the graph is
  // rewritten serially after each round, which also bounds the memory held by codes).
  const size_t threads = static_cast<size_t>(
      o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency()));
  std::vector<Quantized> round;
  for (size_t first = 0; first < groups.size(); first += threads) {
    round.assign(std::min(threads, groups.size() - first), Quantized{});
    std::vector<std::thread> workers;
    for (size_t t = 1; t < round.size(); ++t)
      workers.emplace_back(
          [&, t] { round[t] = QuantizeGroup(groups[first + t], hessians, grid, o, go); });
    round[0] = QuantizeGroup(groups[first], hessians, grid, o, go);
    for (std::thread& w : workers) w.join();
    for (size_t t = 0; t < round.size(); ++t) {
      SHRINK_RETURN_IF_ERROR(round[t].status);
      Rewrite(g, groups[first + t], round[t].q);
      result.layers.push_back(round[t].layer);
      if (o.progress)
        o.progress("quantizing", static_cast<int64_t>(first + t + 1),
                   static_cast<int64_t>(groups.size()));
    }
  }
  SHRINK_RETURN_IF_ERROR(g.TopologicalSort());
  result.bytes_after = InitializerBytes(g);
  return result;
}

}  // namespace shrink::quant
