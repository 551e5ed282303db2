// Benchmark (not a test): fp32 MatMul vs weight-only MatMul(x, DequantizeLinear(int4 / int8))
// on the fast runtime, x [M, K] @ W [K, N], paired (alternating runs of the two sessions, medians).
//   weight_only_gemv [--m 1] [--k 768] [--n 3072] [--block 32] [--bits 4] [--threads 2] [--runs
//   200]
// Prints median / p10 latency of each, the speedup, and the weight bytes each session holds.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

#include "ir/builder.h"
#include "onnx/import.h"
#include "runtime/fast/session.h"
#include "runtime/random_inputs.h"

namespace {

using namespace shrink;

Tensor Random(DataType t, Shape shape, uint32_t seed, double lo, double hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> d(lo, hi);
  Tensor out(t, std::move(shape));
  for (int64_t i = 0; i < out.numel(); ++i) {
    const double v = d(rng);
    out.SetFromDouble(i, IsInteger(t) ? std::nearbyint(v) : v);
  }
  return out;
}

ir::Model Build(int64_t k, int64_t n, int bits, int64_t block) {
  ir::Model m = ir::MakeModel(21);
  ir::Graph& g = *m.graph;
  ir::Value* x = g.AddInput("x", ir::TypeInfo::Tensor(DataType::kFloat32, {1, k}));
  ir::Value* w;
  if (bits == 32) {
    w = g.AddInitializer("w", Random(DataType::kFloat32, {k, n}, 1, -0.5, 0.5));
  } else {
    const DataType dt = bits == 4 ? DataType::kInt4 : DataType::kInt8;
    const double r = bits == 4 ? 7 : 127;
    w = g.AddNode("DequantizeLinear",
                  {g.AddInitializer("q", Random(dt, {k, n}, 1, -r, r)),
                   g.AddInitializer("s", Random(DataType::kFloat32, {(k + block - 1) / block, n}, 2,
                                                0.01, 0.1))},
                  {"w"}, {ir::MakeAttr("axis", int64_t{0}), ir::MakeAttr("block_size", block)})
            ->output(0);
  }
  g.AddOutput(g.AddNode("MatMul", {x, w}, {"y"})->output(0));
  return m;
}

int PlanStatsOf(const std::string& path, const std::vector<std::string>& dim_args, int threads) {
  auto model = onnx_io::LoadModel(path);
  if (!model.ok()) return std::fprintf(stderr, "%s\n", model.status().ToString().c_str()), 1;
  runtime::DimValues dims;
  for (const auto& d : dim_args) {
    const auto eq = d.find('=');
    if (eq == std::string::npos) return std::fprintf(stderr, "--dim NAME=VALUE\n"), 1;
    dims[d.substr(0, eq)] = std::stoll(d.substr(eq + 1));
  }
  auto feeds = runtime::MakeRandomFeeds(*model->graph, 0, dims);
  runtime::fast::SessionOptions opt;
  opt.threads = threads;
  auto s = runtime::fast::Session::Create(*model, opt);
  if (!feeds.ok() || !s.ok()) return std::fprintf(stderr, "cannot run %s\n", path.c_str()), 1;
  const auto t0 = std::chrono::steady_clock::now();
  auto fast = (*s)->Run(*feeds);
  if (!fast.ok()) return std::fprintf(stderr, "run failed\n"), 1;
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  auto ex = runtime::Executor::Create(*model);
  auto ref = ex.ok() ? (*ex)->Run(*feeds) : Expected<std::vector<Tensor>>(ex.status());
  if (!ref.ok()) return std::fprintf(stderr, "reference: %s\n", ref.status().ToString().c_str()), 1;
  for (size_t o = 0; o < ref->size(); ++o) {
    double diff = 0, scale = 1e-12;
    for (int64_t i = 0; i < (*ref)[o].numel(); ++i) {
      diff = std::max(diff, std::fabs((*ref)[o].GetAsDouble(i) - (*fast)[o].GetAsDouble(i)));
      scale = std::max(scale, std::fabs((*ref)[o].GetAsDouble(i)));
    }
    std::printf("output %zu: max |fast - reference| %.3g (%.3g of max |reference|)\n", o, diff,
                diff / scale);
  }
  const auto& st = (*s)->stats();
  std::printf(
      "%s: first run %.1f ms; %ld steps (%ld fast), %ld weight-only DequantizeLinear kept "
      "packed, %.1f MiB folded constants, %.1f MiB weights held by fast kernels\n",
      path.c_str(), ms, static_cast<long>(st.steps), static_cast<long>(st.fast_steps),
      static_cast<long>(st.deferred_dq_nodes), st.folded_bytes / 1048576.0,
      st.kernel_weight_bytes / 1048576.0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("fp32 vs weight-only MatMul on the fast runtime");
  int64_t m = 1, k = 768, n = 3072, block = 32;
  int bits = 4, threads = 2, runs = 200;
  app.add_option("--m", m);
  app.add_option("--k", k);
  app.add_option("--n", n);
  app.add_option("--block", block);
  app.add_option("--bits", bits)->check(CLI::IsMember({4, 8}));
  app.add_option("--threads", threads);
  app.add_option("--runs", runs);
  std::string model_path;
  std::vector<std::string> dims;
  app.add_option("--model", model_path, "report the plan statistics of this model instead");
  app.add_option("--dim", dims, "symbolic dimension of --model, NAME=VALUE");
  CLI11_PARSE(app, argc, argv);
  if (!model_path.empty()) return PlanStatsOf(model_path, dims, threads);
  ir::Model fp32 = Build(k, n, 32, block), wo = Build(k, n, bits, block);
  fp32.graph->inputs()[0]->type() = ir::TypeInfo::Tensor(DataType::kFloat32, {m, k});
  wo.graph->inputs()[0]->type() = ir::TypeInfo::Tensor(DataType::kFloat32, {m, k});
  runtime::fast::SessionOptions opt;
  opt.threads = threads;
  auto a = runtime::fast::Session::Create(fp32, opt);
  auto b = runtime::fast::Session::Create(wo, opt);
  if (!a.ok() || !b.ok()) {
    std::fprintf(stderr, "session: %s\n", (!a.ok() ? a.status() : b.status()).ToString().c_str());
    return 1;
  }
  const runtime::Feeds feeds = {{"x", Random(DataType::kFloat32, {m, k}, 3, -1, 1)}};
  std::vector<double> ta, tb;
  auto time = [&](runtime::fast::Session& s) {
    const auto t0 = std::chrono::steady_clock::now();
    if (!s.Run(feeds).ok()) std::exit(1);
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  };
  for (int i = 0; i < 10; ++i) time(**a), time(**b);
  for (int i = 0; i < runs; ++i) {
    ta.push_back(time(**a));
    tb.push_back(time(**b));
  }
  auto pct = [](std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
  };
  const auto& sa = (*a)->stats();
  const auto& sb = (*b)->stats();
  std::printf("x[%ld,%ld] @ W[%ld,%ld], %d threads, %d paired runs\n", static_cast<long>(m),
              static_cast<long>(k), static_cast<long>(k), static_cast<long>(n), threads, runs);
  std::printf("fp32      : p50 %.4f ms  p10 %.4f ms  (%s; kernel weight bytes %ld)\n", pct(ta, 0.5),
              pct(ta, 0.1), (*a)->Profile().back().backend.c_str(),
              static_cast<long>(sa.kernel_weight_bytes + sa.folded_bytes));
  std::printf("int%d b%ld : p50 %.4f ms  p10 %.4f ms  (%s; kernel weight bytes %ld, folded %ld)\n",
              bits, static_cast<long>(block), pct(tb, 0.5), pct(tb, 0.1),
              (*b)->Profile().back().backend.c_str(), static_cast<long>(sb.kernel_weight_bytes),
              static_cast<long>(sb.folded_bytes));
  std::printf("speedup (fp32 p50 / weight-only p50): %.2fx\n", pct(ta, 0.5) / pct(tb, 0.5));
  return 0;
}
