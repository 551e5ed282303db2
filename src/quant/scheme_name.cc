// quant::SchemeName (declared in quantize.h): the stable name of a quantization configuration.
#include "quant/quantize.h"

namespace shrink::quant {

std::string SchemeName(const QuantizeOptions& o) {
  if (o.dynamic) return "int8_dynamic_matmul";
  std::string s = "int8_static_";
  s += o.format == QuantFormat::kQdq ? "qdq" : "qoperator";
  s += o.policy.per_channel ? "_per_channel" : "_per_tensor";
  s += o.policy.weight_symmetric ? "_symmetric_weights" : "_asymmetric_weights";
  if (o.policy.reduce_range) s += "_7bit";
  s += o.policy.activation_dtype == DataType::kInt8 ? "_s8" : "_u8";
  s += std::string("_activations_") + CalibrationMethodName(o.observer.method);
  if (!o.policy.quantize_outputs) s += "_float_outputs";
  if (o.cle) s += "_cle";
  if (o.bias_correction) s += "_bias_corrected";
  if (o.smoothquant_alpha >= 0) s += "_smoothquant";
  if (o.weight_rounding == WeightRounding::kGptq) s += "_gptq";
  if (!o.policy.int4_weights.empty())  // W4A8 layers: how many globs (names, in a search)
    s += "_int4_weights_" + std::to_string(o.policy.int4_weights.size());
  return s;
}

}  // namespace shrink::quant
