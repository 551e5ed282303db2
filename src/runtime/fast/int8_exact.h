// Where the fast runtime's int8 products are exact (equal to the reference executor's int32 sums).
// With a VNNI instruction set (AVX-512 VNNI, AMX or AVX2-VNNI, as oneDNN's effective ISA says,
// ONEDNN_MAX_CPU_ISA included) they always are. Below that oneDNN multiplies u8 by s8 pairwise
// into saturating int16 sums (vpmaddubsw): full-range weights can overflow (with
// ONEDNN_MAX_CPU_ISA=AVX2 the int8 kernel tests came out up to 43 quantization steps off), 7-bit
// weights cannot: a pair sums to at most 2 * 255 * 64 = 32640 < 32767 (`shrink quantize
// --reduce-range`, quant::QuantPolicy::reduce_range), with u8 activations: s8 ones oneDNN shifts
// into u8 and, below VNNI, halves the weights for (measured: 3 steps off with 7-bit weights). The
// int8 factories decline what would not be exact (reference kernels), and runtimes::NativeSession
// and `shrink bench` run a QDQ model as written (float kernels between Q / DQ) unless all of it
// would be.
#pragma once

#include "core/tensor.h"
#include "ir/model.h"

namespace shrink::runtime::fast {

// The largest |weight| whose u8 x s8 pair sums fit int16 (7-bit weights).
constexpr int kPairSafeWeight = 64;

// Whether oneDNN's int8 convolutions and matmuls are exact here for any s8 weights (VNNI).
bool Int8DotExact();
// Whether they are exact for activations of type `x` and these s8 weights (w - w_zp):
// Int8DotExact(), or u8 activations and every |w| <= kPairSafeWeight.
bool Int8DotExactFor(DataType x, const Tensor& s8_weights);
// Whether a QDQ model's int8 products are exact here once lowered (passes::LowerQdq):
// Int8DotExact(), or u8 activations (every QuantizeLinear's) and every 8-bit weight (a constant
// input of DequantizeLinear, less its zero point) within kPairSafeWeight.
bool QdqLowersExactly(const ir::Model& model);

}  // namespace shrink::runtime::fast
