// Quantization parameters for the int8 fast kernels (QLinearConv, QLinearMatMul, ConvInteger,
// MatMulInteger on oneDNN; QLinearConv's native path), read once at create from constant inputs.
//
// Contract: every helper returns nullopt when the parameters are not what the int8 kernels
// implement (non-constant, wrong dtype, shapes other than per-tensor / per-channel), so the factory
// declines and the node runs on its reference kernel.
//   ScalarInt  — a constant integer scalar (zero point); an omitted input reads as 0.
//   FloatsOf   — a constant float32 tensor's values (scales).
//   ToS8Weights — w - w_zp as int8 (w is (u)int8; w_zp per-tensor or per-`axis` channel), once:
//                 oneDNN takes s8 weights without a zero point. nullopt when a value leaves
//                 [-128, 127] (asymmetric int8 weights with a nonzero zero point, u8 weights
//                 with a zero point far from 128): those nodes stay on the reference kernel.
//   OutputScales — x_scale * w_scale[c] / y_scale in float32, the reference kernels' formula, one
//                 per channel (or one value).
// Requantization in oneDNN: acc (int32, + int32 bias) is converted to float32, multiplied by the
// output scale, the destination zero point is added and the result rounded half-to-even and
// saturated. The reference rounds acc * scale first and then adds the zero point (in float64), so
// results may differ by one quantization step on ties and through float32 rounding of large
// accumulators; tests assert that bound (kRequantTol).
#pragma once

#include <optional>
#include <vector>

#include "core/tensor.h"
#include "runtime/fast/onednn_util.h"

namespace shrink::runtime::fast {

inline constexpr double kRequantTol = 1.0;  // max |fast - reference| in quantized units

// Input `i` of the node: its constant value (nullptr when it varies or is omitted) / omitted.
inline const Tensor* ConstInput(const CreateInfo& info, size_t i) {
  return i < info.constants.size() ? info.constants[i] : nullptr;
}
inline bool OmittedInput(const CreateInfo& info, size_t i) {
  return i >= info.input_dtypes.size() || info.input_dtypes[i] == DataType::kUndefined;
}

std::optional<int32_t> ScalarInt(const Tensor* t, bool omitted);
std::optional<std::vector<float>> FloatsOf(const Tensor* t);
std::optional<Tensor> ToS8Weights(const Tensor& w, const Tensor* zp, int axis);
std::vector<float> OutputScales(float x_scale, const std::vector<float>& w_scale, float y_scale);

// An int8 convolution's parameters, read once at create (QLinearConv and its variants,
// ConvInteger).
struct Int8ConvParams {
  Tensor w;                   // s8, w - w_zp
  Tensor bias;                // s32 [M] (f32 when y_dtype is float32: QConvFloat) or undefined
  std::vector<float> scales;  // empty: int32 output (ConvInteger)
  int32_t x_zp = 0, y_zp = 0;
  DataType x_dtype = DataType::kUInt8, y_dtype = DataType::kInt32;
  std::vector<FusedActivation> acts;  // QLinearConvAct: applied in float before requantizing
  float y_scale = 1.0f;               // with `acts` (scales then hold x_scale * w_scale)
};

// QLinearConv(x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp[, B]) with constant parameters
// (per-tensor x / y, per-tensor or per-output-channel w, 8-bit y); with `acts`, the
// com.shrink QLinearConvAct variant (same inputs, activations before the requantization).
std::optional<Int8ConvParams> QLinearConvParams(const CreateInfo& info,
                                                std::vector<FusedActivation> acts);

// oneDNN data type of an 8/32-bit integer or float32 tensor dtype; throws kUnimplemented otherwise.
dnnl::memory::data_type DnnlType(DataType t);

// A one-element s32 memory holding `v` (runtime zero point argument).
dnnl::memory ZeroPointMemory(int32_t v);

// Post-ops adding a destination zero point before rounding / saturation (eltwise linear, 1 * x +
// zp): what oneDNN's destination zero-point attribute computes, without its slow kernels.
dnnl::post_ops ZeroPointPostOp(int32_t zp);

}  // namespace shrink::runtime::fast
