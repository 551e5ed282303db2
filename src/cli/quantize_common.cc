#include "cli/quantize_common.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "runtimes/evaluate.h"

namespace shrink::cli {

void DrawProgressBar(const std::string& phase, int64_t done, int64_t total) {
  constexpr int kWidth = 30;
  const double frac = total > 0 ? std::min(1.0, static_cast<double>(done) / total) : 0.0;
  const int filled = static_cast<int>(frac * kWidth);
  std::fprintf(stderr, "\r%-11s [%s%s] %lld", phase.c_str(), std::string(filled, '#').c_str(),
               std::string(kWidth - filled, '.').c_str(), static_cast<long long>(done));
  if (total > 0) std::fprintf(stderr, "/%lld", static_cast<long long>(total));
  if (done == total) std::fprintf(stderr, "\n");
  std::fflush(stderr);
}

uint64_t FileBytes(const std::string& path) {
  std::error_code ec;
  const auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<uint64_t>(n);
}

Expected<std::unique_ptr<quant::CalibrationSource>> OpenCalibration(const CalibrationArgs& a,
                                                                    const ir::Graph& g,
                                                                    const data::TaskSpec* task) {
  const int given = !a.task.empty() + !a.calib.empty() + (a.calib_random > 0);
  if (given > 1) return InvalidArgument("give only one of --task, --calib and --calib-random");
  if (task) return quant::OpenTaskCalibration(*task, g, a.batches);
  if (!a.calib.empty())
    return quant::OpenTensorFileCalibration(a.calib, g, a.batch_size, a.batches);
  if (a.calib_random > 0) return quant::MakeRandomCalibration(g, a.calib_random, a.seed);
  return std::unique_ptr<quant::CalibrationSource>();
}

Expected<double> PrimaryMetric(const ir::Model& model, const data::TaskSpec& task, int threads,
                               int64_t eval_limit, bool progress) {
  runtimes::EvaluateOptions o;
  o.threads = threads > 0 ? threads : 2;
  o.eval.bootstrap_samples = 0;
  o.eval.limit = eval_limit;
  o.eval.progress_bar = progress;
  SHRINK_ASSIGN_OR_RETURN(eval::EvalResult r, runtimes::EvaluateModel(model, task, o));
  return r.primary.value;
}

Expected<QuantizeLatency> ReportArtifact(const ir::Model& float_model, const ir::Model& quantized,
                                         const QuantizeRecord& record, bool json) {
  SHRINK_ASSIGN_OR_RETURN(QuantizeLatency l, WriteQuantizeMetadata(float_model, quantized, record));
  if (json) return l;
  if (l.latency_problem.empty())
    std::cout << std::fixed << std::setprecision(3)
              << "latency (native, batch 1, paired): " << l.float_p50_ms << " ms -> "
              << l.quantized_p50_ms << " ms (" << std::setprecision(2)
              << l.float_p50_ms / l.quantized_p50_ms << "x)\n";
  else
    std::cout << "latency: not measured (" << l.latency_problem << ")\n";
  std::cout << "onnxruntime: " << (l.ort_validated ? "loads and runs it" : l.ort_problem)
            << "\nmetadata: " << MetadataPathFor(record.output_path) << "\n";
  return l;
}

Status CompareOnTask(const ir::Model& float_model, const ir::Model& quantized,
                     const data::TaskSpec* task, int threads, int64_t eval_limit, bool progress,
                     nlohmann::json* j, QuantizeRecord* record) {
  if (!task) return Status::Ok();
  SHRINK_ASSIGN_OR_RETURN(double m0,
                          PrimaryMetric(float_model, *task, threads, eval_limit, progress));
  SHRINK_ASSIGN_OR_RETURN(double m1,
                          PrimaryMetric(quantized, *task, threads, eval_limit, progress));
  (*j)["metric"] = {{"name", task->metric.name}, {"float", m0}, {"quantized", m1}};
  record->primary = exporting::MetricPair{task->metric.name, m0, m1, task->metric.higher_is_better};
  record->task = task;
  return Status::Ok();
}

Status PrintJsonReport(const ir::Model& float_model, const ir::Model& quantized,
                       const QuantizeRecord& record, nlohmann::json j) {
  SHRINK_ASSIGN_OR_RETURN(QuantizeLatency l, ReportArtifact(float_model, quantized, record, true));
  j["latency_ms_p50"] = {{"float", l.float_p50_ms}, {"quantized", l.quantized_p50_ms}};
  j["onnxruntime_validated"] = l.ort_validated;
  j["metadata"] = MetadataPathFor(record.output_path);
  std::cout << j.dump(2) << "\n";
  return Status::Ok();
}

}  // namespace shrink::cli
