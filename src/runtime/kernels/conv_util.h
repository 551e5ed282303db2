// Shared geometry and im2col machinery for the convolution-shaped ops: Conv, ConvInteger,
// QLinearConv (through ConvForward) and the pooling ops (through MakeConvGeometry).
//
// Contract: MakeConvGeometry reads the ONNX attributes strides, dilations, pads and auto_pad
// (NOTSET / SAME_UPPER / SAME_LOWER / VALID) of the kernel's node, validates them against the
// input shape [N, C, D1..Dn] and the spatial kernel size, and computes explicit begin/end pads
// and the output spatial size (floor, or ceil when ceil_mode; a ceil window that would start in
// the end padding is dropped). All failures go through ctx.Fail.
// ConvOutputShape gives [N, M, out...]; AddConvBias adds a per-output-channel bias B [M] to such
// a y and Fail()s unless B has shape [M].
// ConvForward computes an un-biased grouped N-d convolution y = conv(x, w) as im2col + GemmRef,
// reading x [N, C, in...] and w [M, C/group, k...] and writing y [N, M, out...] (row-major).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "runtime/kernel.h"

namespace shrink::runtime {

struct ConvGeometry {
  int64_t batch = 0;
  int64_t channels = 0;
  Shape in;      // input spatial dims
  Shape kernel;  // kernel spatial dims
  Shape strides;
  Shape dilations;
  Shape pads_begin;
  Shape pads_end;
  Shape out;  // output spatial dims
  int rank() const { return static_cast<int>(in.size()); }
  int64_t in_size() const { return NumElements(in); }
  int64_t out_size() const { return NumElements(out); }
  int64_t kernel_size() const { return NumElements(kernel); }
  // True when im2col would be the identity (1x1 kernel, unit strides, no padding).
  bool is_pointwise() const;
};

ConvGeometry MakeConvGeometry(const KernelContext& ctx, const Shape& x_shape, const Shape& kernel,
                              bool ceil_mode = false);

// Validates x [N, C, ...] against w [M, C/group, k...]; Fail()s on a mismatch.
void CheckConvShapes(const KernelContext& ctx, const Shape& x_shape, const Shape& w_shape,
                     int64_t group);

// The kernel's spatial dims from w, checked against a kernel_shape attribute when present.
Shape ConvKernelShape(const KernelContext& ctx, const Shape& w_shape);

// [N, out_channels, out...] for geometry g.
Shape ConvOutputShape(const ConvGeometry& g, int64_t out_channels);

// y [N, M, out...] += b[c] for every channel c; Fail()s unless b has shape [M].
template <typename T>
void AddConvBias(const KernelContext& ctx, const Tensor& b, const ConvGeometry& g, int64_t m,
                 T* y) {
  if (b.rank() != 1 || b.numel() != m)
    ctx.Fail("B must have shape [" + std::to_string(m) + "], got " + ShapeToString(b.shape()));
  const T* bp = b.data<T>();
  const int64_t out_size = g.out_size();
  for (int64_t n = 0; n < g.batch; ++n)
    for (int64_t c = 0; c < m; ++c) {
      T* row = y + (n * m + c) * out_size;
      for (int64_t i = 0; i < out_size; ++i) row[i] += bp[c];
    }
}

// col [C * kernel_size, out_size] from one image x [C, in...]; padding reads as zero.
template <typename T>
void Im2Col(const T* x, int64_t channels, const ConvGeometry& g, T* col);

template <typename T>
void ConvForward(const T* x, const T* w, int64_t out_channels, int64_t group, const ConvGeometry& g,
                 T* y);

}  // namespace shrink::runtime
