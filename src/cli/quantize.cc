// `shrink quantize MODEL (--task TASK.yaml | --calib FILE.npy|.npz | --calib-random N)
//  [--method minmax|percentile|entropy|mse] [--percentile P] [--per-channel] [--symmetric |
//  --asymmetric-weights] [--reduce-range]
//  [--activations u8|s8] [--ops Conv,MatMul,Gemm] [--exclude NAME,...] [--keep-first-last]
//  [--no-output-quant] [--no-fold-hardswish]
//  [--format qdq|qoperator] [--dynamic] [--batches N] [--batch-size B] [--report FILE]
//  [--eval-limit N] [--json] [--cle [--cle-through-clip]] [--bias-correction]
//  [--smoothquant ALPHA] [--weight-rounding rtn|gptq]
//  [--weight-only int4|int8 [--block-size 32|64|128] [--wo-method rtn|gptq] [--act-order]
//  [--embeddings]]
//  -o OUT.onnx`
// Post-training int8 quantization (src/quant/quantize.h): calibrates on the given data with a
// progress bar, writes standard ONNX (QDQ, or QLinearConv / QLinearMatMul with --format
// qoperator), prints size before/after, the number of quantized nodes and, with --task, the
// primary metric of the float and the quantized model (native runtime). --weight-only runs the
// block-wise weight-only quantizer instead (quantize_weight_only.h).
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
#include "cli/quantize_common.h"
#include "cli/quantize_job.h"
#include "cli/quantize_weight_only.h"
#include "data/task.h"
#include "onnx/export.h"
#include "onnx/import.h"
#include "quant/probe.h"
#include "quant/report.h"
#include "runtimes/evaluate.h"

namespace shrink::cli {
namespace {

constexpr char kSaturationWarning[] =
    "this CPU has no VNNI: ONNX Runtime's int8 kernels here saturate the products of full-range "
    "weights (Fashion-MNIST CNN top-1 0.914 -> 0.879 under ORT on an AVX2 EPYC), and shrink's "
    "runtime stays exact only by running them in float, slower than fp32. Quantize with "
    "--reduce-range (7-bit weights, top-1 0.913) for int8 that is exact and fast on both here.";

struct QuantizeArgs {
  std::string model, out, task, calib, method = "minmax", activations = "u8", format = "qdq";
  std::string report;
  int64_t calib_random = 0, batches = 16, batch_size = 8, report_batches = 4, eval_limit = -1;
  double percentile = 99.99;
  bool per_channel = false, symmetric = true, keep_first_last = false, dynamic = false;
  bool reduce_range = false;  // 7-bit int8 weights (QuantPolicy::reduce_range)
  bool activation_matmul = false;
  bool output_quant = true;    // --no-output-quant: only inputs and weights get QDQ
  bool fold_hardswish = true;  // --no-fold-hardswish: quantize a Conv's output before HardSwish
  bool json = false;
  bool cle = false, cle_through_clip = false, bias_correction = false;
  double smoothquant = -1;
  std::string weight_rounding = "rtn";  // int8 weight codes: rtn | gptq (static_gptq.h)
  std::vector<std::string> exclude, ops, int4_weights;
  int threads = 0;
  uint64_t seed = 0;
  WeightOnlyArgs wo;  // --weight-only options (wo.bits non-empty: a weight-only run)
  std::string job;    // --job DIR: run as a one-trial compress job (quantize_job.h)
  double max_drop_pct = 1.0;
  bool pdf = true;
  std::string command_line;
};

// The weight-only run's arguments; options that only mean something for int8 QDQ are refused.
Expected<WeightOnlyArgs> WeightOnlyFrom(const QuantizeArgs& a) {
  if (a.dynamic || a.per_channel || a.format != "qdq" || !a.report.empty() ||
      a.method != "minmax" || a.activations != "u8" || a.keep_first_last || !a.output_quant ||
      a.cle || a.cle_through_clip || a.bias_correction || a.smoothquant >= 0 ||
      a.weight_rounding != "rtn" || !a.int4_weights.empty())
    return InvalidArgument(
        "--weight-only does not combine with the int8 options (--dynamic, --per-channel, "
        "--format, --report, --method, --activations, --keep-first-last, --no-output-quant, "
        "--cle, --bias-correction, --smoothquant, --weight-rounding, --int4-weights; GPTQ there: "
        "--wo-method)");
  WeightOnlyArgs w = a.wo;
  w.model = a.model;
  w.out = a.out;
  w.task = a.task;
  w.calib = a.calib;
  w.calib_random = a.calib_random;
  w.batches = a.batches;
  w.batch_size = a.batch_size;
  w.eval_limit = a.eval_limit;
  w.symmetric = a.symmetric;
  w.json = a.json;
  w.exclude = a.exclude;
  w.ops = a.ops;
  w.threads = a.threads;
  w.seed = a.seed;
  w.command_line = a.command_line;
  return w;
}

// The one-point policy stage of `--job`: the same options as the flags, as `ptq` or
// `weight_only` stage options (pipeline/stages/configs.h). Flags the stages do not have (and
// data sources other than the task) are refused.
Expected<QuantizeJob> JobFrom(const QuantizeArgs& a) {
  if (a.task.empty() || !a.calib.empty() || a.calib_random > 0)
    return InvalidArgument("--job needs --task (the job calibrates and evaluates on it)");
  if (!a.report.empty() || a.cle_through_clip || a.wo.act_order)
    return InvalidArgument(
        "--job does not take --report, --cle-through-clip or --act-order "
        "(the job report has the per-layer SQNR of the chosen candidate)");
  SHRINK_ASSIGN_OR_RETURN(data::TaskSpec task, data::LoadTask(a.task));
  QuantizeJob j;
  j.model = a.model;
  j.task = a.task;
  j.dir = a.job;
  j.max_metric_drop_pct = a.max_drop_pct;
  j.threads = a.threads > 0 ? a.threads : 2;
  j.eval_limit = a.eval_limit;
  j.pdf = a.pdf;
  j.json = a.json;
  j.command_line = a.command_line;
  const int64_t samples = a.batches > 0 ? a.batches * task.batch_size : 1 << 20;
  if (!a.wo.bits.empty()) {
    SHRINK_RETURN_IF_ERROR(WeightOnlyFrom(a).status());
    j.stage = "weight_only";
    j.options = {{"bits", a.wo.bits == "int8" ? 8 : 4},
                 {"block_size", a.wo.block_size},
                 {"method", a.wo.method},
                 {"symmetric", a.symmetric},
                 {"embeddings", a.wo.embeddings},
                 {"exclude", a.exclude}};
    return j;
  }
  j.options = {{"method", a.method},
               {"percentile", a.percentile},
               {"per_channel", a.per_channel},
               {"symmetric", a.symmetric},
               {"reduce_range", a.reduce_range},
               {"activations", a.activations},
               {"dynamic", a.dynamic},
               {"keep_first_last", a.keep_first_last},
               {"quantize_outputs", a.output_quant},
               {"fold_hardswish", a.fold_hardswish},
               {"cle", a.cle},
               {"bias_correction", a.bias_correction},
               {"weight_rounding", a.weight_rounding},
               {"exclude", a.exclude},
               {"format", a.format},
               {"calibration_samples", std::min<int64_t>(samples, 1 << 20)}};
  if (a.smoothquant >= 0) j.options["smoothquant"] = a.smoothquant;
  if (!a.ops.empty()) j.options["op_types"] = a.ops;
  return j;
}

CalibrationArgs CalibrationFrom(const QuantizeArgs& a) {
  return {a.task, a.calib, a.calib_random, a.batches, a.batch_size, a.seed};
}

void DrawBar(int64_t done, int64_t total) { DrawProgressBar("calibrating", done, total); }

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
  o.policy.reduce_range = a.reduce_range;
  o.policy.keep_first_last = a.keep_first_last;
  o.policy.activation_matmul = a.activation_matmul;
  o.policy.quantize_outputs = a.output_quant;
  o.policy.fold_hardswish = a.fold_hardswish;
  o.policy.exclude = a.exclude;
  o.policy.int4_weights = a.int4_weights;
  if (!a.ops.empty()) o.policy.op_types = a.ops;
  o.dynamic = a.dynamic;
  o.cle = a.cle || a.cle_through_clip;
  o.cle_options.through_clip = a.cle_through_clip;
  o.bias_correction = a.bias_correction;
  o.smoothquant_alpha = a.smoothquant;
  SHRINK_ASSIGN_OR_RETURN(o.weight_rounding, quant::ParseWeightRounding(a.weight_rounding));
  if (a.dynamic && o.weight_rounding == quant::WeightRounding::kGptq)
    return InvalidArgument("--weight-rounding gptq needs static quantization (not --dynamic)");
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
  SHRINK_ASSIGN_OR_RETURN(
      std::unique_ptr<quant::CalibrationSource> source,
      OpenCalibration(CalibrationFrom(a), *model.graph, task ? &*task : nullptr));
  if (!source && !a.dynamic)
    return InvalidArgument(
        "calibration data needed: --task TASK.yaml, --calib FILE.npy|.npz or "
        "--calib-random N (or --dynamic)");
  SHRINK_ASSIGN_OR_RETURN(ir::Model float_model, quant::CloneModel(model));
  SHRINK_RETURN_IF_ERROR(quant::PrepareForQuantization(model));
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
  if (o.cle) j["cle"] = {{"pairs", r.cle.pairs}, {"clip_rewrites", r.cle.clip_rewrites}};
  if (a.smoothquant >= 0)
    j["smoothquant"] = {{"groups", r.smoothquant.groups}, {"folded", r.smoothquant.folded}};
  if (a.bias_correction) j["bias_corrected_layers"] = r.bias_correction.corrected;
  if (o.weight_rounding == quant::WeightRounding::kGptq) {
    double rtn = 0, gptq = 0;  // mean relative output error on the calibration Hessians
    for (const quant::GptqLayerStats& l : r.gptq.layers) {
      rtn += l.rtn_output_rel_error / static_cast<double>(r.gptq.layers.size());
      gptq += l.output_rel_error / static_cast<double>(r.gptq.layers.size());
    }
    j["gptq"] = {{"layers", r.gptq.layers.size()},
                 {"mean_rtn_output_rel_error", rtn},
                 {"mean_output_rel_error", gptq}};
  }
  if (!a.reduce_range && quant::Int8PairSumsSaturateHere()) {
    j["warnings"] = {kSaturationWarning};
    if (!a.json) std::cerr << "warning: " << kSaturationWarning << "\n";
  }
  QuantizeRecord rec{
      a.model,       a.out, a.task, quant::SchemeName(o), j, {}, a.threads > 0 ? a.threads : 2,
      a.command_line};
  SHRINK_RETURN_IF_ERROR(CompareOnTask(float_model, model, task ? &*task : nullptr, a.threads,
                                       a.eval_limit, !a.json, &j, &rec));
  if (a.json) return PrintJsonReport(float_model, model, rec, j);
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
              << j["metric"]["quantized"].get<double>()
              << (a.int4_weights.empty() ? " (int8)\n" : " (W4A8 / int8)\n");
  if (!a.report.empty()) std::cout << "report: " << a.report << "\n";
  return ReportArtifact(float_model, model, rec, false).status();
}

}  // namespace

void RegisterQuantize(CLI::App& app, std::vector<CommandRunner>& runners) {
  auto* cmd =
      app.add_subcommand("quantize", "Post-training int8 quantization (ONNX QDQ/QOperator)");
  auto a = std::make_shared<QuantizeArgs>();
  cmd->add_option("model", a->model, "ONNX model file")->required();
  cmd->add_option("-o,--output", a->out, "Quantized ONNX model to write (its metadata: OUT.json)");
  cmd->add_option("--job", a->job,
                  "Instead of -o: run this configuration as a one-trial compress job in DIR "
                  "(baseline and candidate on native and onnxruntime, best/, report)");
  cmd->add_option("--max-drop", a->max_drop_pct, "With --job: the metric drop allowed (%)");
  cmd->add_flag("!--no-pdf", a->pdf, "With --job: skip the PDF report");
  cmd->add_option("--task", a->task, "Task YAML: calibrate on its calibration split");
  cmd->add_option("--calib", a->calib, "Calibration inputs: .npy [N, ...] or .npz (key = input)");
  cmd->add_option("--calib-random", a->calib_random, "N seeded random batches (latency only)");
  cmd->add_option("--method", a->method, "minmax | percentile | entropy | mse");
  cmd->add_option("--percentile", a->percentile, "Percentile for --method percentile");
  cmd->add_flag("--per-channel", a->per_channel, "Weights: one scale per output channel");
  cmd->add_flag("--symmetric,!--asymmetric-weights", a->symmetric,
                "Weights: symmetric, zero point 0 (default; what int8 kernels run fastest) or "
                "asymmetric");
  cmd->add_flag("--reduce-range", a->reduce_range,
                "Weights on 7 bits, for x86 CPUs without VNNI under ONNX Runtime / OpenVINO "
                "(their int8 kernels saturate 16-bit pair sums of full-range weights)");
  cmd->add_option("--activations", a->activations, "u8 (asymmetric) | s8 (symmetric)");
  cmd->add_option("--ops", a->ops, "Op types to quantize (default Conv,MatMul,Gemm)")
      ->delimiter(',');
  cmd->add_option("--exclude", a->exclude, "Node names / globs to keep in float")->delimiter(',');
  cmd->add_option("--int4-weights", a->int4_weights,
                  "Node names / globs whose weights get 4-bit codes, activations staying 8-bit "
                  "(W4A8; opset 21; '*': every quantized layer)")
      ->delimiter(',');
  cmd->add_flag("--keep-first-last", a->keep_first_last, "Keep the first and last layer in float");
  cmd->add_flag("--activation-matmul", a->activation_matmul,
                "Also quantize MatMuls of two activations (attention scores)");
  cmd->add_flag("!--no-output-quant", a->output_quant,
                "Leave the outputs of quantized nodes in float (only inputs and weights get QDQ)");
  cmd->add_flag("!--no-fold-hardswish", a->fold_hardswish,
                "Quantize a Conv's output before its HardSwish too (ONNX Runtime then runs the "
                "conv in int8; shrink's runtime is a little faster folded)");
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
  cmd->add_flag("--cle", a->cle, "Cross-layer equalization before quantizing (exact in float)");
  cmd->add_flag("--cle-through-clip", a->cle_through_clip,
                "--cle also across ReLU6 (adds a per-channel Min per block; slower int8)");
  cmd->add_flag("--bias-correction", a->bias_correction,
                "Empirical bias correction after quantizing (one calibration pass per layer)");
  cmd->add_option("--smoothquant", a->smoothquant,
                  "SmoothQuant with this alpha in [0, 1] for MatMul/Gemm activation outliers");
  cmd->add_option("--weight-rounding", a->weight_rounding,
                  "int8 weight codes: rtn (round to nearest, default) | gptq (error-minimising "
                  "on the same scales; MatMul, Gemm, Conv group 1; one more calibration pass)");
  cmd->add_option("--weight-only", a->wo.bits,
                  "int4 | int8: block-wise weight-only quantization of MatMul/Gemm weights "
                  "(activations stay float)");
  cmd->add_option("--block-size", a->wo.block_size, "Weight-only block along K: 32 | 64 | 128");
  cmd->add_option("--wo-method", a->wo.method,
                  "Weight-only: rtn (round to nearest) | gptq (needs calibration data)");
  cmd->add_flag("--act-order", a->wo.act_order, "GPTQ: visit input features by activation size");
  cmd->add_flag("--embeddings", a->wo.embeddings, "Weight-only: also Gather embedding tables");
  runners.push_back({cmd, [a]() -> Status {
                       a->command_line = "shrink quantize " + a->model +
                                         (a->job.empty() ? " -o " + a->out : " --job " + a->job);
                       if (a->job.empty() == a->out.empty())
                         return InvalidArgument("give -o OUT.onnx or --job DIR (one of them)");
                       if (!a->job.empty()) {
                         SHRINK_ASSIGN_OR_RETURN(QuantizeJob job, JobFrom(*a));
                         return RunQuantizeJob(job);
                       }
                       if (a->wo.bits.empty()) return Quantize(*a);
                       SHRINK_ASSIGN_OR_RETURN(WeightOnlyArgs w, WeightOnlyFrom(*a));
                       return RunWeightOnly(w);
                     }});
}

}  // namespace shrink::cli
