// oneDNN helpers shared by the oneDNN fast kernels: one CPU engine and stream per process,
// plain memory descriptors for our row-major tensors, the ONNX-activation -> eltwise mapping
// (used both by standalone eltwise kernels and as fused post-ops), and ONNX window geometry
// (strides, dilations, pads, auto_pad, ceil_mode) for Conv and pooling.
// Contract: helpers throw shrink::Error (kUnimplemented) for what they cannot express; factories
// catch nothing, the plan turns a throwing create into a reference fallback.
#pragma once

#include <map>
#include <oneapi/dnnl/dnnl.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "ir/node.h"
#include "runtime/fast/fast_kernel.h"

namespace shrink::runtime::fast {

dnnl::engine& CpuEngine();
dnnl::stream& CpuStream();

dnnl::memory::dims ToDims(const Shape& s);
// Plain row-major f32 descriptor (a scalar becomes [1]).
dnnl::memory::desc PlainDesc(const Shape& s,
                             dnnl::memory::data_type dt = dnnl::memory::data_type::f32);

struct EltwiseSpec {
  dnnl::algorithm alg;
  float alpha = 0.0f;
  float beta = 0.0f;
};
// The oneDNN eltwise for an ONNX activation, or nullopt when it has none.
std::optional<EltwiseSpec> EltwiseFor(const FusedActivation& act);
bool CanFuseEltwise(const FusedActivation& act);
// CanFuseEltwise, or the residual sum (kSumPostOp): for kernels whose output 0 is their
// primitive's destination, or is reordered into it first (BuiltConv).
bool CanFuseEltwiseOrSum(const FusedActivation& act);
// Eltwise post-ops, and a sum for kSumPostOp.
dnnl::post_ops MakePostOps(const std::vector<FusedActivation>& acts);
// Whether `acts` has kSumPostOp.
bool HasSum(const std::vector<FusedActivation>& acts);

struct WindowGeometry {
  Shape strides, dilations, pads_begin, pads_end, out;  // dilations as ONNX (1 = dense)
};
// `in` and `kernel` are spatial dims. Throws kInvalidArgument on an impossible window.
WindowGeometry MakeWindow(const ir::Node& node, const Shape& in, const Shape& kernel,
                          bool ceil_mode);

// Moves `pd` past oneDNN's AMX implementations (to the next one, AVX-512 VNNI for int8) when
// `skip`. On small int8 convolutions AMX's tile setup costs more than it saves: measured here at
// batch 1, 2 threads, a 24 -> 96 channel 1x1 conv on 14x14 took 8.2 us with AMX and 4.2 us with
// VNNI, MobileNetV2's 576-channel 14x14 depthwise conv 44 vs 23 us; from about 4M multiply-adds
// AMX wins (ResNet-50 int8: 5.7 ms with AMX, 9.4 ms without).
template <typename PrimitiveDesc>
void SkipAmx(PrimitiveDesc& pd, bool skip) {
  while (skip && std::string(pd.impl_info_str()).find("amx") != std::string::npos &&
         pd.next_impl()) {
  }
}

// Runs a reorder between two memories (blocking).
void Reorder(dnnl::memory& from, dnnl::memory& to);

// A primitive that reads one source and writes one destination (eltwise, softmax, pooling),
// bound to plain memories; Execute() points them at the buffers and runs it to completion.
struct SrcDstPrimitive {
  dnnl::primitive prim;
  dnnl::memory src, dst;
  void Execute(const void* in, void* out);
};

// The cached value for `key`, built with `build(key)` the first time (per-shape primitives).
template <typename Key, typename Value, typename BuildFn>
Value& FindOrBuild(std::map<Key, Value>& cache, const Key& key, BuildFn&& build) {
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, build(key)).first;
  return it->second;
}

}  // namespace shrink::runtime::fast
