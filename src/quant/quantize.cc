#include "quant/quantize.h"

#include "passes/constant_folding.h"
#include "passes/dead_code_elimination.h"
#include "passes/fold_batchnorm_into_conv.h"
#include "passes/pass_manager.h"
#include "quant/dynamic.h"
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

Status PrepareForQuantization(ir::Model& model) {
  NameNodes(*model.graph);
  passes::PassManager pm;
  pm.Add(std::make_unique<passes::ConstantFolding>());
  pm.Add(std::make_unique<passes::FoldBatchNormIntoConv>());
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
  for (const auto& n : model.graph->nodes())
    if (IsQuantizedOp(n->op_type()))
      return InvalidArgument("the model is already quantized (" + n->Describe() + ")");
  SHRINK_RETURN_IF_ERROR(PrepareForQuantization(model));
  QuantizeResult result;
  const std::vector<ir::Node*> selected = SelectNodes(*model.graph, options.policy);
  for (const ir::Node* n : selected) result.nodes.push_back(n->name());
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
  SHRINK_ASSIGN_OR_RETURN(result.stats, InsertQdq(model, plan, quant, policy));
  return result;
}

}  // namespace shrink::quant
