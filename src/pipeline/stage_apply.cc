#include "pipeline/stage_apply.h"

#include <algorithm>
#include <optional>

#include "passes/constant_folding.h"
#include "passes/dead_code_elimination.h"
#include "passes/fold_batchnorm_into_conv.h"
#include "passes/fold_conv_affine.h"
#include "passes/fuse_hardswish.h"
#include "passes/fuse_matmul_add_into_gemm.h"
#include "passes/pass_manager.h"
#include "pipeline/stages/configs.h"
#include "quant/calibration.h"
#include "quant/probe.h"
#include "quant/quantize.h"
#include "quant/report.h"
#include "quant/weight_only.h"
#include "runtime/node_evaluator.h"

namespace shrink::pipeline {
namespace {

Status ApplyFold(ir::Model& model, const nlohmann::json& c, AppliedStages& out) {
  passes::PassManager pm;
  pm.Add(std::make_unique<passes::ConstantFolding>());
  pm.Add(std::make_unique<passes::FoldBatchNormIntoConv>());
  if (c.value("fuse", true)) {
    pm.Add(std::make_unique<passes::FuseMatMulAddIntoGemm>());
    pm.Add(std::make_unique<passes::FoldConvAffine>());
    // Standard ONNX HardSwish only (opset >= 14): the fold stage adds no com.shrink ops.
    if (model.OpsetFor("") >= 14) pm.Add(std::make_unique<passes::FuseHardSwish>());
  }
  pm.Add(std::make_unique<passes::DeadCodeElimination>());
  SHRINK_ASSIGN_OR_RETURN(bool changed, pm.Run(model, runtime::EvaluateNode));
  out.record["fold"] = {{"options", c}, {"changed", changed}};
  return Status::Ok();
}

Status ApplyPtq(ir::Model& model, const nlohmann::json& c, const nlohmann::json& layers,
                const std::vector<std::string>& int4, const StageContext& ctx, AppliedStages& out) {
  quant::QuantizeOptions o;
  o.policy.op_types = c.at("op_types").get<std::vector<std::string>>();
  o.policy.exclude = c.at("exclude").get<std::vector<std::string>>();
  for (const auto& [name, precision] : layers.items()) {
    if (precision == "float") o.policy.exclude.push_back(name);
    if (precision == "w4a8") o.policy.int4_weights.push_back(name);
  }
  o.policy.exclude.insert(o.policy.exclude.end(), int4.begin(), int4.end());
  o.policy.keep_first_last = c.at("keep_first_last").get<bool>();
  o.policy.quantize_outputs = c.value("quantize_outputs", true);
  o.policy.fold_hardswish = c.value("fold_hardswish", true);
  o.policy.activation_dtype =
      c.at("activations").get<std::string>() == "s8" ? DataType::kInt8 : DataType::kUInt8;
  o.policy.per_channel = c.at("per_channel").get<bool>();
  o.policy.weight_symmetric = c.at("symmetric").get<bool>();
  o.policy.reduce_range = c.value("reduce_range", false);
  SHRINK_ASSIGN_OR_RETURN(o.observer.method,
                          quant::ParseCalibrationMethod(c.at("method").get<std::string>()));
  o.observer.percentile = c.at("percentile").get<double>();
  o.dynamic = c.at("dynamic").get<bool>();
  o.cle = c.value("cle", false);
  // Both need calibration data: a dynamic candidate of the same search leaves them out.
  o.bias_correction = !o.dynamic && c.value("bias_correction", false);
  o.smoothquant_alpha = o.dynamic ? -1.0 : c.value("smoothquant", -1.0);
  if (!o.dynamic) {
    SHRINK_ASSIGN_OR_RETURN(o.weight_rounding,
                            quant::ParseWeightRounding(c.value("weight_rounding", "rtn")));
  }
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
  out.compression.quantization = quant::SchemeName(o);
  out.compression.details["ptq"] = c;
  return Status::Ok();
}

// Weight-only quantization from a `weight_only` stage's choices (`c`), or int4 with the defaults
// of WeightOnlyOptions for the layers a per-layer genome sets to "int4" (`only`, after ptq).
Status ApplyWeightOnly(ir::Model& model, const nlohmann::json& c,
                       const std::vector<std::string>& only, const nlohmann::json& layers,
                       const StageContext& ctx, AppliedStages& out) {
  quant::WeightOnlyOptions o;
  if (!c.is_null()) {
    o.bits = c.at("bits").get<int>();
    o.block_size = c.at("block_size").get<int64_t>();
    SHRINK_ASSIGN_OR_RETURN(o.method,
                            quant::ParseWeightOnlyMethod(c.at("method").get<std::string>()));
    o.symmetric = c.at("symmetric").get<bool>();
    o.embeddings = c.value("embeddings", false) && only.empty();
    o.exclude = c.at("exclude").get<std::vector<std::string>>();
  }
  o.bits = only.empty() ? o.bits : 4;
  o.include = only;
  for (const auto& [name, precision] : layers.items())
    if (only.empty() && precision == "float") o.exclude.push_back(name);
  o.allow_quantized_model = true;  // int4 layers next to the int8 ones of a ptq stage
  o.threads = ctx.threads;
  if (ctx.calibration_progress)
    o.progress = [&ctx](const std::string& phase, int64_t done, int64_t total) {
      if (phase == "calibrating") ctx.calibration_progress(done, total);
    };
  std::unique_ptr<quant::CalibrationSource> source;
  if (o.method == quant::WeightOnlyMethod::kGptq) {
    if (!ctx.task) return InvalidArgument("weight_only stage: GPTQ needs a task");
    const int64_t batch = std::max<int64_t>(1, ctx.task->batch_size);
    SHRINK_ASSIGN_OR_RETURN(
        source, quant::OpenTaskCalibration(*ctx.task, *model.graph, (256 + batch - 1) / batch));
  }
  SHRINK_ASSIGN_OR_RETURN(quant::WeightOnlyResult r,
                          quant::QuantizeWeightsOnly(model, source.get(), o));
  const std::string key = only.empty() ? "weight_only" : "int4_layers";
  out.record[key] = {{"options", c},
                     {"scheme", r.scheme},
                     {"quantized_nodes", r.nodes.size()},
                     {"initializer_bytes_before", r.bytes_before},
                     {"initializer_bytes_after", r.bytes_after},
                     {"calibration_batches", r.calibration_batches},
                     {"excluded", o.exclude}};
  if (r.nodes.empty()) return Status::Ok();  // nothing left in float for it: not in the name
  const std::string& q = out.compression.quantization;
  out.compression.quantization = q == "none" ? r.scheme : q + " + " + r.scheme;
  out.compression.details[key] = {{"scheme", r.scheme}, {"nodes", r.nodes}};
  return Status::Ok();
}

// Layers a per-layer genome sets to "int4" that weight-only quantization can take (MatMul, Gemm);
// the others (Conv) stay int8.
std::vector<std::string> Int4Layers(const ir::Graph& g, const nlohmann::json& layers) {
  std::vector<std::string> names;
  for (const auto& n : g.nodes()) {
    const auto it = layers.find(n->name());
    if (it != layers.end() && *it == "int4" && (n->op_type() == "MatMul" || n->op_type() == "Gemm"))
      names.push_back(n->name());
  }
  return names;
}

}  // namespace

Status CheckStagesSupported(const Policy& policy) {
  if (const auto* s = dynamic_cast<const SearchConfig*>(policy.Stage("search"));
      s && s->per_layer && !policy.Stage("ptq"))
    return InvalidArgument(policy.file + ": per-layer search needs a `ptq` stage");
  for (const auto& stage : policy.stages) {  // ptq refuses a model that already holds int4
    if (stage->kind() == "ptq") break;
    if (stage->kind() == "weight_only" && policy.Stage("ptq"))
      return InvalidArgument(policy.file + ": put the `ptq` stage before `weight_only`");
  }
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
      quant::NameNodes(*model.graph);  // layer genes name nodes as ptq will (unnamed ones too)
      const std::vector<std::string> int4 = Int4Layers(*model.graph, layers);
      SHRINK_RETURN_IF_ERROR(ApplyPtq(model, c, layers, int4, ctx, out));
      if (!int4.empty())
        SHRINK_RETURN_IF_ERROR(ApplyWeightOnly(
            model, choices.value("weight_only", nlohmann::json()), int4, layers, ctx, out));
    } else if (kind == "weight_only") {
      SHRINK_RETURN_IF_ERROR(ApplyWeightOnly(model, c, {}, layers, ctx, out));
    } else if (kind == "search") {
      continue;
    } else {
      return Unimplemented("stage '" + kind + "' cannot be applied yet");
    }
  }
  return out;
}

}  // namespace shrink::pipeline
