// Quantization parameters: scale / zero point from a range, and quantized weights and biases.
//
// Contract (ONNX QuantizeLinear semantics: q = saturate(round_half_even(x / scale) + zero_point)):
// - GridFor(kUInt8, false) = [0, 255] asymmetric; GridFor(kInt8, true) = [-127, 127] with zero
//   point 0 (the -128 code stays unused, as most int8 kernels expect); GridFor(kInt8, false) =
//   [-128, 127]; GridFor(kUInt8, true) = [0, 255] with zero point 128. Other dtypes:
//   kInvalidArgument.
// - ParamsFor(range, grid): asymmetric: scale = (hi - lo) / (qmax - qmin), zero point =
//   round(qmin - lo / scale) clamped to the grid; symmetric: scale = max(|lo|, |hi|) / (qmax -
//   zp). The range is first made to contain 0. A zero-width range gets scale 1.
// - QuantizeWeight: float32 weight -> (u)int8 codes with per-tensor (axis < 0) or per-`axis`
//   scale and zero point (each channel's own min/max range). Zero points are always emitted, in
//   the codes' dtype.
// - QuantizeBias: int32 codes with scale = input_scale * weight_scale (per channel when the
//   weight scale is) and zero point 0 (not emitted), as QLinearConv / ORT's QDQ bias expect.
#pragma once

#include <cstdint>

#include "core/status.h"
#include "core/tensor.h"
#include "quant/observer.h"

namespace shrink::quant {

struct QuantParams {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

// `reduce_range`: 8-bit codes on 7 bits (int8 [-64, 64] symmetric, [-64, 63] asymmetric; uint8
// [0, 127]), for weights run by int8 kernels that add u8 x s8 product pairs in saturating int16
// (x86-64 without VNNI: ONNX Runtime's, OpenVINO's and oneDNN's AVX2 kernels): 255 * 64 * 2 fits.
// Other dtypes ignore it.
Expected<QuantGrid> GridFor(DataType dtype, bool symmetric, bool reduce_range = false);
QuantParams ParamsFor(Range range, const QuantGrid& grid);
// Quantize-dequantize of one value with `p` on `grid` (saturating): what the QDQ model computes.
double FakeQuantize(double x, const QuantParams& p, const QuantGrid& grid);

struct QuantizedTensor {
  Tensor codes;       // (u)int8 or int32
  Tensor scale;       // float32 scalar, or [C] with axis >= 0
  Tensor zero_point;  // same shape as scale, dtype of codes; undefined for biases
  int64_t axis = -1;  // -1: per tensor
};

// `axis` < 0: per tensor. kInvalidArgument for a non-float32 weight or a bad axis.
Expected<QuantizedTensor> QuantizeWeight(const Tensor& w, int64_t axis, DataType dtype,
                                         bool symmetric, bool reduce_range = false);
// `bias` float32 of length C (or broadcastable scalar); `weight_scale` scalar or [C].
Expected<QuantizedTensor> QuantizeBias(const Tensor& bias, float input_scale,
                                       const Tensor& weight_scale);

}  // namespace shrink::quant
