// Test / bench helper: turns a float model into a QDQ model the way post-training quantizers do
// (a small stand-in, not the real quantizer in src/quant/).
//
// Contract: MakeQdq calibrates on one run of `calib` with the reference executor (min-max range of
// every quantized activation, widened to include 0), then
//   - activations: every float value read by Conv (input 0), Add or MaxPool, and every MaxPool
//     output, gets QuantizeLinear -> DequantizeLinear (uint8, asymmetric; a MaxPool output reuses
//     its input's parameters, so the pool can run in 8-bit); graph outputs are left alone;
//   - weights: every constant float Conv weight becomes DequantizeLinear(int8, per output channel
//     symmetric scale max|w| / 127, zero point 0, axis 0). Biases stay float (fuse_qdq quantizes
//     them to int32).
// Run BatchNormalization folding first: a Conv -> BN pair would get its QDQ in between.
// Returns the number of QuantizeLinear nodes inserted, or the executor's error.
#pragma once

#include "ir/model.h"
#include "runtime/executor.h"

namespace shrink::testing {

Expected<int> MakeQdq(ir::Model& model, const runtime::Feeds& calib);

}  // namespace shrink::testing
