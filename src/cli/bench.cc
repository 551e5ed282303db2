// `shrink bench MODEL [--threads N] [--batch B] [--dim NAME=V ...] [--runs R] [--warmup W]
//                     [--reference] [--keep-qdq] [--json]`
// Measures the fast runtime (fast::Session; --reference: the reference executor) on seeded random
// inputs after warm-up (QDQ patterns are lowered to 8-bit QLinear ops first unless --keep-qdq,
// then what stays float gets the runtime fusions of passes::FuseForRuntime):
// latency p50/p95/p99 and mean, throughput (samples/s = batch / mean), peak memory (planned
// activation peak of the session and the process peak RSS), and a per-op table (time per run, share
// of total, calls) aggregated by step type from the session profiler, on up to kProfiledRuns runs
// after the timed ones (the latency is measured without the profiler).
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/process_memory.h"
#include "onnx/import.h"
#include "passes/fuse_qdq_ops.h"
#include "passes/runtime_fusion.h"
#include "runtime/fast/int8_exact.h"
#include "runtime/fast/session.h"
#include "runtime/random_inputs.h"

namespace shrink::cli {

namespace {

constexpr int kProfiledRuns = 200;  // at most, for the per-step table

struct BenchArgs {
  std::string model;
  int threads = 0;
  int64_t batch = 1;
  std::vector<std::string> dims;
  int runs = 20;
  int warmup = 3;
  bool reference = false;
  bool keep_qdq = false;
  bool json = false;
};

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * (v.size() - 1) + 0.5));
  return v[i];
}

Status Bench(const BenchArgs& a) {
  if (a.runs < 1 || a.warmup < 0 || a.batch < 1 || a.threads < 0)
    return InvalidArgument("--runs and --batch must be >= 1, --warmup and --threads >= 0");
  SHRINK_ASSIGN_OR_RETURN(ir::Model model, onnx_io::LoadModel(a.model));
  // QDQ models run in 8-bit on the fast runtime: QDQ patterns become QLinear ops first.
  // The runtime fusions (Gelu, LayerNorm, Attention) on what stays float, as a runtime applies
  // them.
  // Where their int8 products would not be exact (full-range weights without VNNI) they run as
  // written.
  if (!a.reference && !a.keep_qdq) {
    if (runtime::fast::QdqLowersExactly(model))
      SHRINK_RETURN_IF_ERROR(passes::LowerQdq(model).status());
    SHRINK_RETURN_IF_ERROR(passes::FuseForRuntime(model).status());
  }
  runtime::DimValues dims;
  for (const ir::Value* in : model.graph->inputs())  // a symbolic leading dim is the batch
    if (in->type().shape && !in->type().shape->empty() && !(*in->type().shape)[0].param.empty())
      dims[(*in->type().shape)[0].param] = a.batch;
  for (const auto& d : a.dims) {
    const auto eq = d.find('=');
    if (eq == std::string::npos)
      return InvalidArgument("--dim expects NAME=VALUE, got '" + d + "'");
    try {
      dims[d.substr(0, eq)] = std::stoll(d.substr(eq + 1));
    } catch (const std::exception&) {
      return InvalidArgument("--dim " + d + ": value is not an integer");
    }
  }
  SHRINK_ASSIGN_OR_RETURN(runtime::Feeds feeds, runtime::MakeRandomFeeds(*model.graph, 0, dims));
  runtime::fast::SessionOptions opt;
  opt.threads = a.threads;
  opt.use_fast = !a.reference;
  SHRINK_ASSIGN_OR_RETURN(auto session, runtime::fast::Session::Create(model, opt));
  // Warm-up: at least `warmup` runs, and until the session has settled its thread count.
  for (int i = 0; i < a.warmup || session->stats().threads == 0; ++i)
    SHRINK_RETURN_IF_ERROR(session->Run(feeds).status());
  // Latency without the profiler (its two clock reads a step are ~2% of a 50 us int8 CNN), then
  // the per-step table from runs of their own.
  std::vector<double> ms;
  for (int i = 0; i < a.runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    SHRINK_RETURN_IF_ERROR(session->Run(feeds).status());
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  const int profiled = std::min(a.runs, kProfiledRuns);
  session->SetProfiling(true);
  session->ResetProfile();
  for (int i = 0; i < profiled; ++i) SHRINK_RETURN_IF_ERROR(session->Run(feeds).status());
  double mean = 0;
  for (double v : ms) mean += v / static_cast<double>(ms.size());
  struct Agg {
    double ms = 0;
    int64_t calls = 0;
    std::string backend;
  };
  std::map<std::string, Agg> by_op;
  double total = 0;
  for (const auto& p : session->Profile()) {
    Agg& g = by_op[p.op_type];
    g.ms += p.total_ms / profiled;
    g.calls += p.calls / profiled;
    if (g.backend.empty() || g.backend == p.backend)
      g.backend = p.backend;
    else
      g.backend = "mixed";
    total += p.total_ms / profiled;
  }
  std::vector<std::pair<std::string, Agg>> ops(by_op.begin(), by_op.end());
  std::sort(ops.begin(), ops.end(),
            [](const auto& x, const auto& y) { return x.second.ms > y.second.ms; });
  const auto& st = session->stats();
  nlohmann::json j;
  j["model"] = a.model;
  j["runtime"] = a.reference ? "reference" : "fast";
  j["threads"] = a.threads;
  j["threads_used"] = st.threads;
  j["spin_pool"] = st.spin_pool;  // kernels split on the spin pool (no OpenMP step in the plan)
  j["batch"] = a.batch;
  j["runs"] = a.runs;
  j["latency_ms"] = {{"p50", Percentile(ms, 50)},
                     {"p95", Percentile(ms, 95)},
                     {"p99", Percentile(ms, 99)},
                     {"mean", mean},
                     {"min", *std::min_element(ms.begin(), ms.end())}};
  j["throughput_per_s"] = static_cast<double>(a.batch) * 1000.0 / mean;
  j["peak_activation_bytes"] = st.peak_activation_bytes;
  j["peak_rss_bytes"] = PeakRssBytes();
  j["plan"] = {{"nodes", st.nodes},
               {"steps", st.steps},
               {"fast_steps", st.fast_steps},
               {"fused_nodes", st.fused_nodes},
               {"folded_nodes", st.folded_nodes}};
  for (const auto& [op, g] : ops)
    j["ops"].push_back({{"op", op},
                        {"backend", g.backend},
                        {"ms", g.ms},
                        {"calls", g.calls},
                        {"share", total > 0 ? g.ms / total : 0.0}});
  for (const auto& p : session->Profile())
    j["steps"].push_back({{"name", p.name},
                          {"op", p.op_type},
                          {"backend", p.backend},
                          {"ms", p.total_ms / profiled}});
  if (a.json) {
    std::cout << j.dump(2) << "\n";
    return Status::Ok();
  }
  std::cout << std::fixed << std::setprecision(2);
  std::cout << a.model << " (" << j["runtime"].get<std::string>() << ", batch " << a.batch
            << ", threads " << (a.threads ? std::to_string(a.threads) : std::string("default"))
            << ", " << a.runs << " runs after " << a.warmup << " warm-up)\n";
  std::cout << "latency ms   p50 " << Percentile(ms, 50) << "  p95 " << Percentile(ms, 95)
            << "  p99 " << Percentile(ms, 99) << "  mean " << mean << "\n";
  std::cout << "throughput   " << j["throughput_per_s"].get<double>() << " samples/s\n";
  std::cout << "memory       activations peak " << st.peak_activation_bytes / (1024.0 * 1024.0)
            << " MiB, process peak RSS " << PeakRssBytes() / (1024.0 * 1024.0) << " MiB\n";
  std::cout << "plan         " << st.nodes << " nodes, " << st.steps << " steps (" << st.fast_steps
            << " fast), " << st.fused_nodes << " fused, " << st.folded_nodes << " folded\n\n";
  std::cout << std::left << std::setw(40) << "op" << std::setw(11) << "backend" << std::right
            << std::setw(10) << "ms/run" << std::setw(8) << "share" << std::setw(7) << "calls\n";
  for (const auto& [op, g] : ops)
    std::cout << std::left << std::setw(40) << op << std::setw(11) << g.backend << std::right
              << std::setw(10) << g.ms << std::setw(7) << (total > 0 ? 100.0 * g.ms / total : 0.0)
              << "%" << std::setw(6) << g.calls << "\n";
  return Status::Ok();
}

}  // namespace

void RegisterBench(CLI::App& app, std::vector<CommandRunner>& runners) {
  auto* cmd = app.add_subcommand("bench", "Measure latency, throughput, memory and per-op time");
  auto a = std::make_shared<BenchArgs>();
  cmd->add_option("model", a->model, "ONNX model file")->required();
  cmd->add_option("--threads", a->threads, "Threads for the kernels (0: default)");
  cmd->add_option("--batch", a->batch, "Value of every symbolic leading (batch) dimension");
  cmd->add_option("--dim", a->dims, "Other symbolic dimensions, NAME=VALUE");
  cmd->add_option("--runs", a->runs, "Timed runs");
  cmd->add_option("--warmup", a->warmup, "Untimed warm-up runs");
  cmd->add_flag("--reference", a->reference, "Run every node on its reference kernel");
  cmd->add_flag("--keep-qdq", a->keep_qdq,
                "Run QDQ patterns as written (float ops between Q/DQ) instead of in 8-bit");
  cmd->add_flag("--json", a->json, "Machine-readable output");
  runners.push_back({cmd, [a]() { return Bench(*a); }});
}

}  // namespace shrink::cli
