#include "quant/quantize.h"

#include <optional>

#include "passes/constant_folding.h"
#include "passes/dead_code_elimination.h"
#include "passes/fold_batchnorm_into_conv.h"
#include "passes/fold_conv_affine.h"
#include "passes/fuse_hardswish.h"
#include "passes/pass_manager.h"
#include "passes/upgrade_opset.h"
#include "quant/dynamic.h"
#include "quant/probe.h"
#include "runtime/node_evaluator.h"

namespace shrink::quant {

Expected<QuantFormat> ParseQuantFormat(const std::string& s) {
  if (s == "qdq") return QuantFormat::kQdq;
  if (s == "qoperator") return QuantFormat::kQOperator;
  return InvalidArgument("unknown quantized format '" + s + "' (expected qdq or qoperator)");
}

namespace {
bool IsQuantizedOp(const std::string& op) {
  for (const char* q : {"QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear",
                        "QLinearConv", "QLinearMatMul", "MatMulInteger", "ConvInteger"})
    if (op == q) return true;
  return false;
}
}  // namespace

Status PrepareForQuantization(ir::Model& model, bool int4_codes) {
  // Per-axis QDQ needs opset 13: older models (PaddleOCR exports at 9/11) are upgraded first.
  // One with an op the upgrade cannot translate (model untouched) stays at its opset.
  // A model with a decomposed hard-swish goes to 14 (ONNX HardSwish), so that the fused op stays
  // standard ONNX and a quantized Conv can quantize its HardSwish output (qdq.cc).
  const int64_t target = passes::HasDecomposedHardSwish(*model.graph, model.OpsetFor("")) ? 14 : 13;
  if (model.OpsetFor("") < target) {
    const Status up = passes::UpgradeOpset(model, target);
    if (!up.ok() && up.code() != StatusCode::kUnimplemented) return up;
  }
  if (int4_codes && model.OpsetFor("") < 21) {  // int4 DequantizeLinear
    const Status up = passes::UpgradeOpset(model, 21);
    if (!up.ok()) return Status(up.code(), "int4 weights need ai.onnx opset 21: " + up.message());
  }
  NameNodes(*model.graph);
  passes::PassManager pm;
  pm.Add(std::make_unique<passes::ConstantFolding>());
  pm.Add(std::make_unique<passes::FoldBatchNormIntoConv>());
  pm.Add(std::make_unique<passes::FoldConvAffine>());
  if (model.OpsetFor("") >= 14) pm.Add(std::make_unique<passes::FuseHardSwish>());
  pm.Add(std::make_unique<passes::DeadCodeElimination>());
  SHRINK_ASSIGN_OR_RETURN(bool changed, pm.Run(model, runtime::EvaluateNode));
  (void)changed;
  return Status::Ok();
}

Expected<QuantizeResult> QuantizeModel(ir::Model& model, CalibrationSource* source,
                                       const QuantizeOptions& options) {
  SHRINK_RETURN_IF_ERROR(ValidatePolicy(options.policy));
  SHRINK_RETURN_IF_ERROR(ValidateObserverOptions(options.observer));
  if (!options.dynamic && !source)
    return InvalidArgument(
        "static quantization needs calibration data (a task, a tensor file or "
        "random batches)");
  const bool smooth = options.smoothquant_alpha >= 0;
  if (smooth && options.smoothquant_alpha > 1)
    return InvalidArgument("smoothquant alpha must be in [0, 1], got " +
                           std::to_string(options.smoothquant_alpha));
  if ((smooth || options.bias_correction) && (options.dynamic || !source))
    return InvalidArgument(
        "SmoothQuant and bias correction need static quantization with calibration data");
  if (!options.policy.int4_weights.empty() &&
      (options.dynamic || options.format != QuantFormat::kQdq))
    return InvalidArgument(
        "int4 weights with 8-bit activations need static quantization in the QDQ format");
  const bool gptq = options.weight_rounding == WeightRounding::kGptq;
  if (gptq && (options.dynamic || !source))
    return InvalidArgument("GPTQ weight rounding needs static quantization with calibration data");
  if (gptq) SHRINK_RETURN_IF_ERROR(ValidateStaticGptqOptions(options.gptq));
  for (const auto& n : model.graph->nodes())
    if (IsQuantizedOp(n->op_type()))
      return InvalidArgument("the model is already quantized (" + n->Describe() + ")");
  SHRINK_RETURN_IF_ERROR(PrepareForQuantization(model, !options.policy.int4_weights.empty()));
  QuantizeResult result;
  if (options.cle) {
    SHRINK_ASSIGN_OR_RETURN(result.cle, EqualizeCrossLayers(model, options.cle_options));
  }
  std::vector<ir::Node*> selected = SelectNodes(*model.graph, options.policy);
  for (const ir::Node* n : selected) result.nodes.push_back(n->name());
  if (smooth) {
    SHRINK_ASSIGN_OR_RETURN(
        result.smoothquant,
        SmoothQuant(model, result.nodes, *source, options.smoothquant_alpha, options.threads));
    selected = SelectNodes(*model.graph, options.policy);  // same names; nodes may have moved
  }
  if (options.dynamic) {
    SHRINK_ASSIGN_OR_RETURN(result.stats, QuantizeDynamic(model, result.nodes, options.policy));
    return result;
  }
  QuantPolicy policy = options.policy;
  if (options.format == QuantFormat::kQOperator) policy.quantize_bias = false;  // FuseQdq's rule
  const QdqPlan plan = PlanQdq(selected, policy);
  std::vector<std::string> names;
  for (const PlannedTensor& t : plan.tensors) names.push_back(t.name);
  CalibrateOptions co;
  co.observer = options.observer;
  co.threads = options.threads;
  co.progress = [&](int64_t done, int64_t total) {
    result.calibration_batches = done;
    if (options.progress) options.progress(done, total);
  };
  SHRINK_ASSIGN_OR_RETURN(Observers observers, Calibrate(model, names, *source, co));
  SHRINK_ASSIGN_OR_RETURN(
      QuantGrid grid, GridFor(policy.activation_dtype, policy.activation_dtype == DataType::kInt8));
  std::map<std::string, TensorQuant> quant;
  for (const std::string& name : names) {
    auto it = observers.find(name);
    if (it == observers.end()) continue;
    const Observer& obs = *it->second;
    TensorQuant tq;
    tq.range = obs.ComputeRange(grid);
    tq.params = ParamsFor(tq.range, grid);
    quant[name] = tq;
    result.activations.push_back({name, obs.histogram().min(), obs.histogram().max(), tq.range,
                                  tq.params, obs.OutlierRatio()});
  }
  std::optional<ir::Model> float_model;
  if (options.bias_correction) {
    SHRINK_ASSIGN_OR_RETURN(float_model, CloneModel(model));
  }
  WeightCodes codes;
  if (gptq) {
    StaticGptqOptions go = options.gptq;
    go.threads = options.threads;
    go.progress = options.progress;
    SHRINK_ASSIGN_OR_RETURN(StaticGptqResult g,
                            RoundWeightsGptq(model, selected, *source, policy, go));
    codes = std::move(g.codes);
    result.gptq = std::move(g.stats);
  }
  SHRINK_ASSIGN_OR_RETURN(result.stats, InsertQdq(model, plan, quant, policy, &codes));
  if (float_model) {
    SHRINK_ASSIGN_OR_RETURN(
        result.bias_correction,
        CorrectBias(*float_model, model, result.nodes, *source, options.threads, options.progress));
  }
  return result;
}

}  // namespace shrink::quant
