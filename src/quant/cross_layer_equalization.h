// Cross-layer equalization (DFQ, Nagel et al. 2019): evens out the per-channel weight ranges of
// consecutive layers so that per-tensor int8 weights lose less, without changing the float model.
//
// Contract: EqualizeCrossLayers() finds pairs A -> ... -> B in the main graph where
// - A is a Conv, Gemm (transA 0) or MatMul with a constant rank-2 (Conv: rank >= 3) float32
//   weight, and a bias that is absent or a 1-D constant of A's output channels;
// - between them is a chain of ops that commute with a positive per-channel scale (Relu,
//   MaxPool, Identity, inference Dropout) and at most one Clip(0, M) with constant bounds
//   (ReLU6); every value on the way has exactly one consumer and is not a graph output;
// - B reads that value as input 0 and is a Conv (any group: depthwise-separable chains included)
//   when A is a Conv, a Gemm / MatMul when A is one, with a constant weight whose input channel
//   count equals A's output channel count;
// - every weight and bias involved is an initializer used by that node alone.
// (Flatten, Reshape, Add and the like end the chain.) For each pair it scales output channel i of A
// (weight rows and bias) by 1/s_i and input channel i of B by s_i with s_i = sqrt(r1_i / r2_i) (r1:
// max |W_A| of output channel i, r2: max |W_B| of input channel i; s_i = 1 where either is 0), so
// that both ranges become sqrt(r1_i * r2_i). Pairs that share a layer (pointwise -> depthwise ->
// pointwise) are revisited until no scale moves by more than `tolerance` (relative) or
// `max_iterations` sweeps. Relu is positively homogeneous, so those pairs are exact. Clip(0, M) is
// not: relu6(x / s) != relu6(x) / s once x reaches M, and ONNX Clip bounds are scalars. By default
// pairs across a Clip are left alone. With `through_clip` they are equalized too and the Clip is
// rewritten exactly: Clip(0, max_i M / S_i) followed by Min(., M / S_i) with a per-channel constant
// (S_i: the accumulated scale), so the float model computes the same values; the price is one Min
// node and, after quantization, one more quantize/dequantize pair per block (measured on
// depthwise_cnn: no accuracy gain, int8 latency 0.42 -> 1.28 ms, see docs/benchmarks.md).
// Equalization never removes nodes; no pair found is not an error.
#pragma once

#include <cstdint>

#include "core/status.h"
#include "ir/model.h"

namespace shrink::quant {

struct CleOptions {
  bool through_clip = false;
  int max_iterations = 100;
  double tolerance = 1e-4;
};

struct CleStats {
  int64_t pairs = 0;          // pairs equalized
  int64_t clip_rewrites = 0;  // Clip(0, M) made per-channel with a Min
  int64_t iterations = 0;     // sweeps until converged
};

Expected<CleStats> EqualizeCrossLayers(ir::Model& model, const CleOptions& options = {});

}  // namespace shrink::quant
