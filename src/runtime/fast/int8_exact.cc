#include "runtime/fast/int8_exact.h"

#include <oneapi/dnnl/dnnl.hpp>

#include "runtime/fast/int8_util.h"

namespace shrink::runtime::fast {

bool Int8DotExact() {
  using isa = dnnl::cpu_isa;
  static const bool exact = [] {
    const isa i = dnnl::get_effective_cpu_isa();
    return i == isa::avx512_core_vnni || i == isa::avx512_core_bf16 || i == isa::avx512_core_amx ||
           i == isa::avx2_vnni;
  }();
  return exact;
}

bool Int8DotExactFor(DataType x, const Tensor& s8_weights) {
  if (Int8DotExact()) return true;
  if (x != DataType::kUInt8) return false;
  const int8_t* w = s8_weights.data<int8_t>();
  for (int64_t i = 0; i < s8_weights.numel(); ++i)
    if (w[i] < -kPairSafeWeight || w[i] > kPairSafeWeight) return false;
  return true;
}

namespace {

// Whether a QuantizeLinear produces uint8: its zero point's type, else output_dtype (opset 21),
// else uint8.
bool QuantizesToU8(const ir::Node& q) {
  constexpr int64_t kOnnxUint8 = 2;  // TensorProto.UINT8
  if (const ir::Value* zp = q.input(2)) return zp->type().dtype == DataType::kUInt8;
  return q.GetInt("output_dtype", kOnnxUint8) == kOnnxUint8;
}

}  // namespace

bool QdqLowersExactly(const ir::Model& model) {
  if (Int8DotExact()) return true;
  for (const auto& n : model.graph->nodes()) {
    if (n->op_type() == "QuantizeLinear" && !QuantizesToU8(*n)) return false;
    if (n->op_type() != "DequantizeLinear") continue;
    const ir::Value* w = n->input(0);
    if (!w || !w->is_initializer() || w->is_graph_input()) continue;  // activations
    const DataType t = w->data().dtype();
    if (t != DataType::kInt8 && t != DataType::kUInt8) continue;  // int32 biases, int4 weights
    const ir::Value* zp = n->input(2);
    if (zp && !zp->is_initializer()) return false;
    int64_t axis = n->GetInt("axis", 1);
    if (axis < 0) axis += w->data().rank();
    auto s8 = ToS8Weights(w->data(), zp ? &zp->data() : nullptr, static_cast<int>(axis));
    if (!s8 || !Int8DotExactFor(DataType::kUInt8, *s8)) return false;
  }
  return true;
}

}  // namespace shrink::runtime::fast
