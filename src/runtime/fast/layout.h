// Activation layouts of the fast plan: layout propagation (int8 and fp32 paths).
//
// Every Tensor keeps its logical ONNX shape [N, C, spatial...]; a Layout says how its buffer is
// ordered: kPlain (row-major N, C, spatial..., ONNX's) or kChannelsLast (N, spatial..., C: what
// oneDNN's int8 convolution wants, so that it needs no reorder on either side).
//
// Kernels declare what they can take (FastKernel::layout_caps, LayoutCaps below). The plan decides
// one Layout per value once, after the first Run (each step's kernel then exists or has declined):
// DecideLayouts. A value is channels-last only when it has rank >= 3, is not a graph output, its
// producer step's kernel can write it so and every reader step's kernel can read it so at that
// input; `tied` kernels (elementwise: QLinearAdd, per-tensor Q/DQ) keep one layout
// for their listed inputs and output, so a plain input makes their output plain and vice versa
// (solved to a fixpoint). fp32 kernels (Conv, pooling, elementwise activations, Add/Sub/Mul/Div
// unless they broadcast along a spatial axis) take part too when SessionOptions::fp32_channels_last
// is set (their caps have `fp32`). Kernels learn their layouts through FastKernel::SetLayouts.
// Everywhere else (feeds, constants, graph outputs, reference steps, a kernel dropped later at
// Reshape) values are plain: the session converts at those boundaries only (ToPlain /
// ToChannelsLast).
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_set>
#include <vector>

#include "core/tensor.h"

namespace shrink::runtime::fast {

enum class Layout : uint8_t { kPlain, kChannelsLast };

struct LayoutCaps {
  std::vector<int> inputs;  // node inputs the kernel can read channels-last
  bool output = false;      // whether it can write output 0 channels-last
  bool tied = false;        // `inputs` and output 0 must share one layout (elementwise kernels)
  bool fp32 = false;  // an fp32 kernel's caps: used only with SessionOptions::fp32_channels_last
};

// One plan step as the layout decision sees it.
struct LayoutStep {
  bool has_kernel = false;
  LayoutCaps caps;
  std::vector<int> in_slots;     // per node input of the primary node (-1: omitted)
  std::vector<int> other_reads;  // slots read by nodes fused after the primary one
  int out_slot = -1;             // the step's output 0 (after fusion); -1 when unrequested
  size_t out_rank = 0;           // rank of that output
};

// Per slot (0..num_slots-1): the layout chosen. `plain_slots` (graph outputs) stay plain.
std::vector<Layout> DecideLayouts(const std::vector<LayoutStep>& steps, size_t num_slots,
                                  const std::unordered_set<int>& plain_slots);

// Buffer conversions for a tensor of logical shape `shape` (rank >= 3) and `elem_size`-byte
// elements (1, 2, 4 or 8): plain -> channels-last and back. `src` and `dst` must not overlap.
void ToChannelsLast(const void* src, void* dst, const Shape& shape, size_t elem_size);
void ToPlain(const void* src, void* dst, const Shape& shape, size_t elem_size);

}  // namespace shrink::runtime::fast
