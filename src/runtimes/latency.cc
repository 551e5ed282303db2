#include "runtimes/latency.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <numeric>

#include "core/process_memory.h"
#include "runtime/executor.h"
#include "runtime/fast/session.h"
#include "runtimes/native_session.h"
#include "runtimes/onnxruntime.h"

namespace shrink::runtimes {
namespace {

LatencyResult Summarize(std::vector<double> ms, int64_t batch) {
  LatencyResult r;
  std::sort(ms.begin(), ms.end());
  auto q = [&](double p) {
    return ms[std::min(ms.size() - 1, static_cast<size_t>(std::lround(p * (ms.size() - 1))))];
  };
  r.runs = static_cast<int>(ms.size());
  r.p50_ms = q(0.5);
  r.p95_ms = q(0.95);
  r.mean_ms = std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(ms.size());
  r.throughput_per_s = static_cast<double>(batch) * 1000.0 / r.mean_ms;
  return r;
}

// Times `run` in-process: warm-up, then until runs or the time budget (at least 3 runs).
Expected<LatencyResult> TimeInProcess(const std::function<Status()>& run, const LatencyOptions& o) {
  for (int i = 0; i < o.warmup; ++i) SHRINK_RETURN_IF_ERROR(run());
  std::vector<double> ms;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < std::max(o.max_runs, 3); ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    SHRINK_RETURN_IF_ERROR(run());
    const auto t1 = std::chrono::steady_clock::now();
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    const double elapsed = std::chrono::duration<double>(t1 - start).count();
    if (i >= 2 && elapsed > o.max_seconds) break;
    if (i + 1 >= o.runs && elapsed >= o.min_seconds) break;
  }
  return Summarize(std::move(ms), o.batch);
}

Expected<runtime::Feeds> FeedsFor(const ir::Model& model, const LatencyOptions& o) {
  if (o.feeds) return *o.feeds;
  runtime::DimValues dims = o.dims;
  for (const ir::Value* in : model.graph->inputs())
    if (in->type().shape && !in->type().shape->empty() && !(*in->type().shape)[0].param.empty())
      dims.emplace((*in->type().shape)[0].param, o.batch);
  return runtime::MakeRandomFeeds(*model.graph, o.seed, dims);
}

// A runner of one model for in-process timing.
Expected<std::function<Status()>> InProcessRunner(const ir::Model& model, const runtime::Feeds& f,
                                                  const LatencyOptions& o) {
  if (o.runtime == RuntimeKind::kNative) {
    SHRINK_ASSIGN_OR_RETURN(std::unique_ptr<NativeSession> s,
                            NativeSession::Create(model, o.threads));
    SHRINK_RETURN_IF_ERROR(s->Warm(f));
    auto shared = std::shared_ptr<NativeSession>(std::move(s));
    return std::function<Status()>([shared, &f]() { return shared->Run(f).status(); });
  }
  SHRINK_ASSIGN_OR_RETURN(std::unique_ptr<runtime::Executor> e, runtime::Executor::Create(model));
  auto shared = std::shared_ptr<runtime::Executor>(std::move(e));
  return std::function<Status()>([shared, &f]() { return shared->Run(f).status(); });
}

// Timed runs inside one ORT process; the count is sized from a probe so that the runs last about
// `share` x min_seconds.
struct OrtTimes {
  std::vector<double> ms;
  int64_t peak_memory_bytes = -1;
};
Expected<OrtTimes> OrtSamples(const std::string& path, const runtime::Feeds& feeds,
                              const LatencyOptions& o, double share) {
  SHRINK_ASSIGN_OR_RETURN(OrtRunner ort, OrtRunner::Find());
  OrtRunOptions ro;
  ro.intra_op_threads = o.threads;
  ro.warmup_runs = std::max(o.warmup, 1);
  ro.bench_runs = 3;
  SHRINK_ASSIGN_OR_RETURN(OrtResult probe, ort.RunDetailed(path, feeds, ro));
  if (!probe.latency || probe.latency->median_ms <= 0)
    return Internal("ONNX Runtime reported no latencies for " + path);
  ro.bench_runs =
      std::clamp(static_cast<int>(share * o.min_seconds * 1000 / probe.latency->median_ms),
                 std::max(static_cast<int>(share * o.runs), 3), std::max(o.max_runs, 3));
  SHRINK_ASSIGN_OR_RETURN(OrtResult r, ort.RunDetailed(path, feeds, ro));
  if (!r.latency || r.latency->samples_ms.empty())
    return Internal("ONNX Runtime reported no latencies for " + path);
  return OrtTimes{r.latency->samples_ms, r.latency->peak_memory_bytes};
}

}  // namespace

Expected<PairedLatency> MeasureLatencyPaired(const ir::Model& a, const std::string& path_a,
                                             const ir::Model& b, const std::string& path_b,
                                             const LatencyOptions& o) {
  SHRINK_ASSIGN_OR_RETURN(runtime::Feeds fa, FeedsFor(a, o));
  SHRINK_ASSIGN_OR_RETURN(runtime::Feeds fb, FeedsFor(b, o));
  if (o.runtime == RuntimeKind::kOnnxRuntime) {
    if (path_a.empty() || path_b.empty())
      return InvalidArgument("ONNX Runtime latency needs the models' files");
    std::vector<double> ma, mb;
    for (int r = 0; r < 4; ++r) {  // rounds a, b, b, a
      const bool is_a = r == 0 || r == 3;
      SHRINK_ASSIGN_OR_RETURN(OrtTimes t,
                              OrtSamples(is_a ? path_a : path_b, is_a ? fa : fb, o, 0.5));
      (is_a ? ma : mb).insert((is_a ? ma : mb).end(), t.ms.begin(), t.ms.end());
    }
    return PairedLatency{Summarize(std::move(ma), o.batch), Summarize(std::move(mb), o.batch)};
  }
  SHRINK_ASSIGN_OR_RETURN(std::function<Status()> ra, InProcessRunner(a, fa, o));
  SHRINK_ASSIGN_OR_RETURN(std::function<Status()> rb, InProcessRunner(b, fb, o));
  for (int i = 0; i < o.warmup; ++i) {
    SHRINK_RETURN_IF_ERROR(ra());
    SHRINK_RETURN_IF_ERROR(rb());
  }
  std::vector<double> ma, mb;
  const auto start = std::chrono::steady_clock::now();
  auto time = [](const std::function<Status()>& run, std::vector<double>& out) -> Status {
    const auto t0 = std::chrono::steady_clock::now();
    SHRINK_RETURN_IF_ERROR(run());
    out.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    return Status::Ok();
  };
  for (int i = 0; i < std::max(o.max_runs, 3); ++i) {
    SHRINK_RETURN_IF_ERROR(time(i % 2 ? rb : ra, i % 2 ? mb : ma));
    SHRINK_RETURN_IF_ERROR(time(i % 2 ? ra : rb, i % 2 ? ma : mb));
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (i >= 2 && elapsed > 2 * o.max_seconds) break;
    if (i + 1 >= o.runs && elapsed >= 2 * o.min_seconds) break;
  }
  return PairedLatency{Summarize(std::move(ma), o.batch), Summarize(std::move(mb), o.batch)};
}

Expected<LatencyResult> MeasureLatency(const ir::Model& model, const std::string& path,
                                       const LatencyOptions& o) {
  if (o.runtime == RuntimeKind::kOnnxRuntime) {
    if (path.empty()) return InvalidArgument("ONNX Runtime latency needs the model's file");
    SHRINK_ASSIGN_OR_RETURN(runtime::Feeds feeds, FeedsFor(model, o));
    SHRINK_ASSIGN_OR_RETURN(OrtTimes t, OrtSamples(path, feeds, o, 1.0));
    LatencyResult r = Summarize(std::move(t.ms), o.batch);
    r.peak_memory_bytes = t.peak_memory_bytes;
    return r;
  }
  const PeakRssScope memory;
  SHRINK_ASSIGN_OR_RETURN(runtime::Feeds feeds, FeedsFor(model, o));
  SHRINK_ASSIGN_OR_RETURN(std::function<Status()> run, InProcessRunner(model, feeds, o));
  SHRINK_ASSIGN_OR_RETURN(LatencyResult r, TimeInProcess(run, o));
  r.peak_memory_bytes = memory.AddedBytes();
  return r;
}

}  // namespace shrink::runtimes
