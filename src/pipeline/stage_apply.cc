#include "pipeline/stage_apply.h"

#include <algorithm>
#include <optional>

#include "passes/constant_folding.h"
#include "passes/dead_code_elimination.h"
#include "passes/fold_batchnorm_into_conv.h"
#include "passes/fuse_matmul_add_into_gemm.h"
#include "passes/pass_manager.h"
#include "pipeline/stages/configs.h"
#include "quant/calibration.h"
#include "quant/probe.h"
#include "quant/quantize.h"
#include "quant/report.h"
#include "runtime/node_evaluator.h"

namespace shrink::pipeline {
namespace {

Status ApplyFold(ir::Model& model, const nlohmann::json& c, AppliedStages& out) {
  passes::PassManager pm;
  pm.Add(std::make_unique<passes::ConstantFolding>());
  pm.Add(std::make_unique<passes::FoldBatchNormIntoConv>());
  if (c.value("fuse", true)) pm.Add(std::make_unique<passes::FuseMatMulAddIntoGemm>());
  pm.Add(std::make_unique<passes::DeadCodeElimination>());
  SHRINK_ASSIGN_OR_RETURN(bool changed, pm.Run(model, runtime::EvaluateNode));
  out.record["fold"] = {{"options", c}, {"changed", changed}};
  return Status::Ok();
}

std::string QuantName(const nlohmann::json& c) {
  if (c.at("dynamic").get<bool>()) return "int8_dynamic_matmul";
  std::string s = "int8_static_" + c.at("format").get<std::string>();
  s += c.at("per_channel").get<bool>() ? "_per_channel" : "_per_tensor";
  s += c.at("symmetric").get<bool>() ? "_symmetric_weights" : "_asymmetric_weights";
  s += "_" + c.at("activations").get<std::string>() + "_activations_" +
       c.at("method").get<std::string>();
  return s;
}

Status ApplyPtq(ir::Model& model, const nlohmann::json& c, const nlohmann::json& layers,
                const StageContext& ctx, AppliedStages& out) {
  quant::QuantizeOptions o;
  o.policy.op_types = c.at("op_types").get<std::vector<std::string>>();
  o.policy.exclude = c.at("exclude").get<std::vector<std::string>>();
  for (const auto& [name, precision] : layers.items())
    if (precision == "float") o.policy.exclude.push_back(name);
  o.policy.keep_first_last = c.at("keep_first_last").get<bool>();
  o.policy.activation_dtype =
      c.at("activations").get<std::string>() == "s8" ? DataType::kInt8 : DataType::kUInt8;
  o.policy.per_channel = c.at("per_channel").get<bool>();
  o.policy.weight_symmetric = c.at("symmetric").get<bool>();
  SHRINK_ASSIGN_OR_RETURN(o.observer.method,
                          quant::ParseCalibrationMethod(c.at("method").get<std::string>()));
  o.observer.percentile = c.at("percentile").get<double>();
  o.dynamic = c.at("dynamic").get<bool>();
  SHRINK_ASSIGN_OR_RETURN(o.format, quant::ParseQuantFormat(c.at("format").get<std::string>()));
  o.threads = ctx.threads;
  o.progress = ctx.calibration_progress;
  std::unique_ptr<quant::CalibrationSource> source;
  if (!o.dynamic) {
    if (!ctx.task) return InvalidArgument("ptq stage: static quantization needs a task");
    const int64_t batch = std::max<int64_t>(1, ctx.task->batch_size);
    const int64_t max_batches = (c.at("calibration_samples").get<int64_t>() + batch - 1) / batch;
    SHRINK_ASSIGN_OR_RETURN(source,
                            quant::OpenTaskCalibration(*ctx.task, *model.graph, max_batches));
  }
  std::optional<ir::Model> float_copy;
  if (ctx.diagnose && source) {
    SHRINK_RETURN_IF_ERROR(quant::PrepareForQuantization(model));
    SHRINK_ASSIGN_OR_RETURN(float_copy, quant::CloneModel(model));
  }
  SHRINK_ASSIGN_OR_RETURN(quant::QuantizeResult r, quant::QuantizeModel(model, source.get(), o));
  if (float_copy) {
    SHRINK_ASSIGN_OR_RETURN(quant::QuantReport rep,
                            quant::MeasureLayers(*float_copy, model, r, *source, 4, ctx.threads));
    for (const quant::LayerReport& l : rep.layers)
      out.layer_sqnr.push_back({{"layer", l.node}, {"op_type", l.op_type}, {"sqnr_db", l.sqnr_db}});
  }
  if (o.format == quant::QuantFormat::kQOperator && !o.dynamic)
    SHRINK_RETURN_IF_ERROR(quant::ToQOperator(model));
  out.record["ptq"] = {{"options", c},
                       {"quantized_nodes", r.stats.quantized_nodes},
                       {"quantized_activations", r.stats.quantized_activations},
                       {"calibration_batches", r.calibration_batches},
                       {"excluded", o.policy.exclude}};
  out.compression.quantization = QuantName(c);
  out.compression.details["ptq"] = c;
  return Status::Ok();
}

}  // namespace

Status CheckStagesSupported(const Policy& policy) {
  if (policy.Stage("weight_only"))
    return Unimplemented(policy.file +
                         ": stage 'weight_only' is not implemented yet (weight-only "
                         "int4/int8 quantization is part of the quantization issue)");
  if (const auto* s = dynamic_cast<const SearchConfig*>(policy.Stage("search"));
      s && s->per_layer &&
      std::find(s->layer_choices.begin(), s->layer_choices.end(), "int4") != s->layer_choices.end())
    return Unimplemented(policy.file +
                         ": layer choice 'int4' needs weight-only quantization, "
                         "which is not implemented yet");
  if (const auto* s = dynamic_cast<const SearchConfig*>(policy.Stage("search"));
      s && s->per_layer && !policy.Stage("ptq"))
    return InvalidArgument(policy.file + ": per-layer search needs a `ptq` stage");
  return Status::Ok();
}

Expected<AppliedStages> ApplyStages(ir::Model& model, const nlohmann::json& choices,
                                    const Policy& policy, const StageContext& ctx) {
  AppliedStages out;
  const nlohmann::json layers = choices.value("layers", nlohmann::json::object());
  for (const auto& stage : policy.stages) {
    const std::string kind = stage->kind();
    const nlohmann::json& c = choices.at(kind);
    if (kind == "fold") {
      SHRINK_RETURN_IF_ERROR(ApplyFold(model, c, out));
    } else if (kind == "ptq") {
      SHRINK_RETURN_IF_ERROR(ApplyPtq(model, c, layers, ctx, out));
    } else if (kind == "search") {
      continue;
    } else {
      return Unimplemented("stage '" + kind + "' cannot be applied yet");
    }
  }
  return out;
}

}  // namespace shrink::pipeline
