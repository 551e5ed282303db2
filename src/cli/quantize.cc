// `shrink quantize MODEL (--task TASK.yaml | --calib FILE.npy|.npz | --calib-random N)
//  [--method minmax|percentile|entropy|mse] [--percentile P] [--per-channel] [--symmetric |
//  --asymmetric-weights]
//  [--activations u8|s8] [--ops Conv,MatMul,Gemm] [--exclude NAME,...] [--keep-first-last]
//  [--format qdq|qoperator] [--dynamic] [--batches N] [--batch-size B] [--report FILE]
//  [--eval-limit N] [--json]
//  -o OUT.onnx`
// Post-training int8 quantization (src/quant/quantize.h): calibrates on the given data with a
// progress bar, writes standard ONNX (QDQ, or QLinearConv / QLinearMatMul with --format
// qoperator), prints size before/after, the number of quantized nodes and, with --task, the
// primary metric of the float and the quantized model (native runtime).
#include "quant/quantize.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/model_summary.h"
#include "data/task.h"
#include "onnx/export.h"
#include "onnx/import.h"
#include "quant/probe.h"
#include "quant/report.h"
#include "runtimes/evaluate.h"

namespace shrink::cli {
namespace {

struct QuantizeArgs {
  std::string model, out, task, calib, method = "minmax", activations = "u8", format = "qdq";
  std::string report;
  int64_t calib_random = 0, batches = 16, batch_size = 8, report_batches = 4, eval_limit = -1;
  double percentile = 99.99;
  bool per_channel = false, symmetric = true, keep_first_last = false, dynamic = false;
  bool json = false;
  std::vector<std::string> exclude, ops;
  int threads = 0;
  uint64_t seed = 0;
};

void DrawBar(int64_t done, int64_t total) {
  constexpr int kWidth = 30;
  const double frac = total > 0 ? std::min(1.0, static_cast<double>(done) / total) : 0.0;
  const int filled = static_cast<int>(frac * kWidth);
  std::fprintf(stderr, "\rcalibrating [%s%s] %lld", std::string(filled, '#').c_str(),
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

Expected<std::unique_ptr<quant::CalibrationSource>> OpenSource(const QuantizeArgs& a,
                                                               const ir::Graph& g,
                                                               const data::TaskSpec* task) {
  const int given = !a.task.empty() + !a.calib.empty() + (a.calib_random > 0);
  if (given > 1) return InvalidArgument("give only one of --task, --calib and --calib-random");
  if (task) return quant::OpenTaskCalibration(*task, g, a.batches);
  if (!a.calib.empty())
    return quant::OpenTensorFileCalibration(a.calib, g, a.batch_size, a.batches);
  if (a.calib_random > 0) return quant::MakeRandomCalibration(g, a.calib_random, a.seed);
  if (a.dynamic) return std::unique_ptr<quant::CalibrationSource>();
  return InvalidArgument(
      "calibration data needed: --task TASK.yaml, --calib FILE.npy|.npz or "
      "--calib-random N (or --dynamic)");
}

Expected<double> PrimaryMetric(const ir::Model& model, const data::TaskSpec& task,
                               const QuantizeArgs& a) {
  runtimes::EvaluateOptions o;
  o.threads = a.threads > 0 ? a.threads : 2;
  o.eval.bootstrap_samples = 0;
  o.eval.limit = a.eval_limit;
  o.eval.progress_bar = !a.json;
  SHRINK_ASSIGN_OR_RETURN(eval::EvalResult r, runtimes::EvaluateModel(model, task, o));
  return r.primary.value;
}

Status Quantize(const QuantizeArgs& a) {
  quant::QuantizeOptions o;
  SHRINK_ASSIGN_OR_RETURN(o.observer.method, quant::ParseCalibrationMethod(a.method));
  o.observer.percentile = a.percentile;
  SHRINK_ASSIGN_OR_RETURN(o.format, quant::ParseQuantFormat(a.format));
  if (a.activations != "u8" && a.activations != "s8")
    return InvalidArgument("--activations must be u8 or s8, got '" + a.activations + "'");
  o.policy.activation_dtype = a.activations == "u8" ? DataType::kUInt8 : DataType::kInt8;
  o.policy.per_channel = a.per_channel;
  o.policy.weight_symmetric = a.symmetric;
  o.policy.keep_first_last = a.keep_first_last;
  o.policy.exclude = a.exclude;
  if (!a.ops.empty()) o.policy.op_types = a.ops;
  o.dynamic = a.dynamic;
  o.threads = a.threads;
  SHRINK_RETURN_IF_ERROR(quant::ValidatePolicy(o.policy));
  SHRINK_RETURN_IF_ERROR(quant::ValidateObserverOptions(o.observer));
  if (a.dynamic && o.format == quant::QuantFormat::kQOperator)
    return InvalidArgument(
        "--dynamic writes MatMulInteger graphs; --format qoperator does not apply");

  SHRINK_ASSIGN_OR_RETURN(ir::Model model, onnx_io::LoadModel(a.model));
  std::optional<data::TaskSpec> task;
  if (!a.task.empty()) {
    SHRINK_ASSIGN_OR_RETURN(task, data::LoadTask(a.task));
  }
  SHRINK_ASSIGN_OR_RETURN(std::unique_ptr<quant::CalibrationSource> source,
                          OpenSource(a, *model.graph, task ? &*task : nullptr));
  SHRINK_RETURN_IF_ERROR(quant::PrepareForQuantization(model));
  const bool need_float = !a.report.empty() || task.has_value();
  ir::Model float_model;
  if (need_float) {
    SHRINK_ASSIGN_OR_RETURN(float_model, quant::CloneModel(model));
  }
  if (!a.json && isatty(STDERR_FILENO)) o.progress = DrawBar;
  SHRINK_ASSIGN_OR_RETURN(quant::QuantizeResult r, quant::QuantizeModel(model, source.get(), o));

  nlohmann::json j;
  if (!a.report.empty()) {
    if (!source) return InvalidArgument("--report needs calibration data to measure SQNR on");
    SHRINK_ASSIGN_OR_RETURN(
        quant::QuantReport rep,
        quant::MeasureLayers(float_model, model, r, *source, a.report_batches, a.threads));
    std::ofstream f(a.report);
    f << quant::ReportJson(r, rep).dump(2) << "\n";
    if (!f) return IOError("cannot write report '" + a.report + "'");
    j["report"] = a.report;
    if (!rep.layers.empty())
      j["worst_layer"] = {{"node", rep.layers[0].node}, {"sqnr_db", rep.layers[0].sqnr_db}};
  }
  if (o.format == quant::QuantFormat::kQOperator) SHRINK_RETURN_IF_ERROR(quant::ToQOperator(model));
  SHRINK_RETURN_IF_ERROR(onnx_io::SaveModel(model, a.out));

  const uint64_t before = FileBytes(a.model), after = FileBytes(a.out);
  const double ratio = after > 0 ? static_cast<double>(before) / static_cast<double>(after) : 0;
  j["input"] = a.model;
  j["output"] = a.out;
  j["method"] = a.dynamic ? "dynamic" : a.method;
  j["format"] = a.format;
  j["bytes_before"] = before;
  j["bytes_after"] = after;
  j["ratio"] = ratio;
  j["quantized_nodes"] = r.stats.quantized_nodes;
  j["selected_nodes"] = r.nodes.size();
  j["quantized_activations"] = r.stats.quantized_activations;
  j["calibration_batches"] = r.calibration_batches;
  if (task) {
    SHRINK_ASSIGN_OR_RETURN(double m0, PrimaryMetric(float_model, *task, a));
    SHRINK_ASSIGN_OR_RETURN(double m1, PrimaryMetric(model, *task, a));
    j["metric"] = {{"name", task->metric.name}, {"float", m0}, {"quantized", m1}};
  }
  if (a.json) {
    std::cout << j.dump(2) << "\n";
    return Status::Ok();
  }
  std::cout << "wrote " << a.out << ": " << HumanBytes(before) << " -> " << HumanBytes(after)
            << " (" << std::fixed << std::setprecision(2) << ratio << "x smaller)\n"
            << "quantized " << r.stats.quantized_nodes << " of " << r.nodes.size()
            << " selected nodes (" << r.stats.quantized_activations << " activations, "
            << r.stats.quantized_weights << " weights";
  if (!a.dynamic) std::cout << ", " << r.calibration_batches << " calibration batches";
  std::cout << ")\n";
  if (task)
    std::cout << task->metric.name << ": " << std::setprecision(4)
              << j["metric"]["float"].get<double>() << " (float) -> "
              << j["metric"]["quantized"].get<double>() << " (int8)\n";
  if (!a.report.empty()) std::cout << "report: " << a.report << "\n";
  return Status::Ok();
}

}  // namespace

void RegisterQuantize(CLI::App& app, std::vector<CommandRunner>& runners) {
  auto* cmd =
      app.add_subcommand("quantize", "Post-training int8 quantization (ONNX QDQ/QOperator)");
  auto a = std::make_shared<QuantizeArgs>();
  cmd->add_option("model", a->model, "ONNX model file")->required();
  cmd->add_option("-o,--output", a->out, "Quantized ONNX model to write")->required();
  cmd->add_option("--task", a->task, "Task YAML: calibrate on its calibration split");
  cmd->add_option("--calib", a->calib, "Calibration inputs: .npy [N, ...] or .npz (key = input)");
  cmd->add_option("--calib-random", a->calib_random, "N seeded random batches (latency only)");
  cmd->add_option("--method", a->method, "minmax | percentile | entropy | mse");
  cmd->add_option("--percentile", a->percentile, "Percentile for --method percentile");
  cmd->add_flag("--per-channel", a->per_channel, "Weights: one scale per output channel");
  cmd->add_flag("--symmetric,!--asymmetric-weights", a->symmetric,
                "Weights: symmetric, zero point 0 (default; what int8 kernels run fastest) or "
                "asymmetric");
  cmd->add_option("--activations", a->activations, "u8 (asymmetric) | s8 (symmetric)");
  cmd->add_option("--ops", a->ops, "Op types to quantize (default Conv,MatMul,Gemm)")
      ->delimiter(',');
  cmd->add_option("--exclude", a->exclude, "Node names / globs to keep in float")->delimiter(',');
  cmd->add_flag("--keep-first-last", a->keep_first_last, "Keep the first and last layer in float");
  cmd->add_option("--format", a->format, "qdq | qoperator");
  cmd->add_flag("--dynamic", a->dynamic, "Dynamic quantization of MatMul/Gemm (no calibration)");
  cmd->add_option("--batches", a->batches, "At most this many calibration batches (0: all)");
  cmd->add_option("--batch-size", a->batch_size, "Batch size for --calib files");
  cmd->add_option("--report", a->report, "Write per-layer diagnostics (SQNR, ranges) as JSON");
  cmd->add_option("--report-batches", a->report_batches, "Batches used for the report");
  cmd->add_option("--eval-limit", a->eval_limit, "With --task: evaluate on at most N examples");
  cmd->add_option("--threads", a->threads, "Threads (0: library default)");
  cmd->add_option("--seed", a->seed, "Seed for --calib-random");
  cmd->add_flag("--json", a->json, "Machine-readable output");
  runners.push_back({cmd, [a]() { return Quantize(*a); }});
}

}  // namespace shrink::cli
