#include "bench/side_by_side.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "onnx/import.h"
#include "runtimes/agreement.h"
#include "runtimes/native_session.h"
#include "runtimes/onnxruntime.h"

namespace shrink::bench {
namespace {

double Ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

double Quantile(const std::vector<double>& sorted, double q) {
  const size_t i = static_cast<size_t>(std::lround(q * static_cast<double>(sorted.size() - 1)));
  return sorted[std::min(i, sorted.size() - 1)];
}

}  // namespace

LatencyStats Summarize(std::vector<double> s) {
  LatencyStats l;
  if (s.empty()) return l;
  std::sort(s.begin(), s.end());
  l.runs = static_cast<int>(s.size());
  l.p50_ms = Quantile(s, 0.5);
  l.p95_ms = Quantile(s, 0.95);
  l.mean_ms = std::accumulate(s.begin(), s.end(), 0.0) / static_cast<double>(s.size());
  return l;
}

Expected<SideBySideResult> MeasureSideBySide(const std::string& model_path,
                                             const NamedTensors& inputs,
                                             const SideBySideOptions& o) {
  SHRINK_ASSIGN_OR_RETURN(ir::Model model, onnx_io::LoadModel(model_path));
  SHRINK_ASSIGN_OR_RETURN(std::unique_ptr<runtimes::NativeSession> session,
                          runtimes::NativeSession::Create(model, o.threads));
  SHRINK_ASSIGN_OR_RETURN(runtimes::OrtRunner ort, runtimes::OrtRunner::Find());

  // Warm-up (kernel creation, primitive JIT, thread count) and one timed run to size the rounds.
  SHRINK_RETURN_IF_ERROR(session->Warm(inputs));
  std::vector<Tensor> ours_out;
  const auto t0 = std::chrono::steady_clock::now();
  SHRINK_ASSIGN_OR_RETURN(ours_out, session->Run(inputs));
  const double first_ms = Ms(std::chrono::steady_clock::now() - t0);
  const int runs =
      std::clamp(static_cast<int>(o.seconds_per_round * 1000 / std::max(first_ms, 1e-3)), 3, 50);

  runtimes::OrtRunOptions ro;
  ro.intra_op_threads = o.threads;
  ro.bench_runs = runs;
  ro.warmup_runs = 1;
  std::vector<double> ours_ms, ort_ms;
  runtimes::NamedTensors ort_out;
  for (int r = 0; r < o.rounds; ++r) {
    auto run_ours = [&]() -> Status {
      for (int k = 0; k < runs; ++k) {
        const auto s = std::chrono::steady_clock::now();
        SHRINK_ASSIGN_OR_RETURN(ours_out, session->Run(inputs));
        ours_ms.push_back(Ms(std::chrono::steady_clock::now() - s));
      }
      return Status::Ok();
    };
    auto run_ort = [&]() -> Status {
      SHRINK_ASSIGN_OR_RETURN(runtimes::OrtResult res, ort.RunDetailed(model_path, inputs, ro));
      if (!res.latency || res.latency->samples_ms.empty())
        return Internal("ONNX Runtime reported no per-run latencies");
      ort_ms.insert(ort_ms.end(), res.latency->samples_ms.begin(), res.latency->samples_ms.end());
      ort_out = std::move(res.outputs);
      return Status::Ok();
    };
    if (r % 2 == 0) {
      SHRINK_RETURN_IF_ERROR(run_ours());
      SHRINK_RETURN_IF_ERROR(run_ort());
    } else {
      SHRINK_RETURN_IF_ERROR(run_ort());
      SHRINK_RETURN_IF_ERROR(run_ours());
    }
  }

  SideBySideResult res;
  res.ours = Summarize(ours_ms);
  res.ort = Summarize(ort_ms);
  res.ratio = res.ours.p50_ms / res.ort.p50_ms;
  if (ours_out.size() != ort_out.size())
    return Internal("output count differs: ours " + std::to_string(ours_out.size()) + ", ORT " +
                    std::to_string(ort_out.size()));
  for (size_t i = 0; i < ours_out.size(); ++i) {
    const runtimes::OutputAgreement a =
        runtimes::CompareOutputs(ort_out[i].first, ours_out[i], ort_out[i].second);
    res.max_rel_l2 = std::max(res.max_rel_l2, a.same_type_and_shape ? a.rel_l2 : INFINITY);
  }
  res.steps = session->session().stats().steps;
  res.fast_steps = session->session().stats().fast_steps;
  return res;
}

}  // namespace shrink::bench
