#include "cli/quantize_weight_only.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/model_summary.h"
#include "cli/quantize_common.h"
#include "data/task.h"
#include "onnx/export.h"
#include "onnx/import.h"
#include "quant/probe.h"
#include "quant/weight_only.h"
#include "runtimes/evaluate.h"

namespace shrink::cli {
namespace {}  // namespace

Status RunWeightOnly(const WeightOnlyArgs& a) {
  quant::WeightOnlyOptions o;
  if (a.bits != "int4" && a.bits != "int8")
    return InvalidArgument("--weight-only must be int4 or int8, got '" + a.bits + "'");
  o.bits = a.bits == "int4" ? 4 : 8;
  o.block_size = a.block_size;
  SHRINK_ASSIGN_OR_RETURN(o.method, quant::ParseWeightOnlyMethod(a.method));
  o.symmetric = a.symmetric;
  o.embeddings = a.embeddings;
  o.act_order = a.act_order;
  o.exclude = a.exclude;
  if (!a.ops.empty()) o.op_types = a.ops;
  o.threads = a.threads;
  SHRINK_RETURN_IF_ERROR(quant::ValidateWeightOnlyOptions(o));

  SHRINK_ASSIGN_OR_RETURN(ir::Model model, onnx_io::LoadModel(a.model));
  std::optional<data::TaskSpec> task;
  if (!a.task.empty()) {
    SHRINK_ASSIGN_OR_RETURN(task, data::LoadTask(a.task));
  }
  std::unique_ptr<quant::CalibrationSource> source;
  if (o.method == quant::WeightOnlyMethod::kGptq) {
    SHRINK_ASSIGN_OR_RETURN(
        source, OpenCalibration({a.task, a.calib, a.calib_random, a.batches, a.batch_size, a.seed},
                                *model.graph, task ? &*task : nullptr));
    if (!source)
      return InvalidArgument(
          "--wo-method gptq needs calibration data: --task TASK.yaml, --calib FILE.npy|.npz or "
          "--calib-random N");
  }
  SHRINK_ASSIGN_OR_RETURN(ir::Model float_model, quant::CloneModel(model));
  if (!a.json && isatty(STDERR_FILENO)) o.progress = DrawProgressBar;
  SHRINK_ASSIGN_OR_RETURN(quant::WeightOnlyResult r,
                          quant::QuantizeWeightsOnly(model, source.get(), o));
  SHRINK_RETURN_IF_ERROR(onnx_io::SaveModel(model, a.out));

  const uint64_t before = FileBytes(a.model), after = FileBytes(a.out);
  const double ratio = after > 0 ? static_cast<double>(before) / static_cast<double>(after) : 0;
  std::vector<quant::WeightOnlyLayer> worst = r.layers;
  std::sort(worst.begin(), worst.end(),
            [](const auto& x, const auto& y) { return x.weight_rel_mse > y.weight_rel_mse; });
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : worst) {
    nlohmann::json j = {{"node", l.node},     {"op_type", l.op_type},
                        {"weight", l.weight}, {"k", l.k},
                        {"n", l.n},           {"weight_rel_mse", l.weight_rel_mse}};
    if (l.output_rel_error >= 0) {
      j["output_rel_error"] = l.output_rel_error;
      j["rtn_output_rel_error"] = l.rtn_output_rel_error;
    }
    layers.push_back(j);
  }
  nlohmann::json j = {{"input", a.model},
                      {"output", a.out},
                      {"scheme", r.scheme},
                      {"bytes_before", before},
                      {"bytes_after", after},
                      {"ratio", ratio},
                      {"quantized_nodes", r.nodes.size()},
                      {"calibration_batches", r.calibration_batches},
                      {"layers", layers}};
  QuantizeRecord rec{a.model,       a.out, a.task, r.scheme, j, {}, a.threads > 0 ? a.threads : 2,
                     a.command_line};
  rec.options.erase("layers");
  SHRINK_RETURN_IF_ERROR(CompareOnTask(float_model, model, task ? &*task : nullptr, a.threads,
                                       a.eval_limit, !a.json, &j, &rec));
  if (a.json) return PrintJsonReport(float_model, model, rec, j);
  std::cout << "wrote " << a.out << ": " << HumanBytes(before) << " -> " << HumanBytes(after)
            << " (" << std::fixed << std::setprecision(2) << ratio << "x smaller)\n"
            << r.scheme << ": " << r.nodes.size() << " nodes, " << r.layers.size() << " weights";
  if (source) std::cout << ", " << r.calibration_batches << " calibration batches";
  std::cout << "\n";
  for (size_t i = 0; i < worst.size() && i < 3; ++i) {
    std::cout << "  " << worst[i].node << " [" << worst[i].k << "x" << worst[i].n
              << "]: weight rel. MSE " << std::scientific << std::setprecision(2)
              << worst[i].weight_rel_mse;
    if (worst[i].output_rel_error >= 0)
      std::cout << ", output rel. error " << worst[i].output_rel_error << " (rtn "
                << worst[i].rtn_output_rel_error << ")";
    std::cout << std::fixed << "\n";
  }
  if (task)
    std::cout << task->metric.name << ": " << std::setprecision(4)
              << j["metric"]["float"].get<double>() << " (float) -> "
              << j["metric"]["quantized"].get<double>() << " (" << a.bits << " weight-only)\n";
  return ReportArtifact(float_model, model, rec, false).status();
}

}  // namespace shrink::cli
