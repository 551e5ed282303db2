// Helpers for the shape and data-movement reference kernels (Transpose, Slice, Expand, Tile, Pad,
// Gather..., Resize): a dtype dispatch that also covers strings, typed element access that works
// for every movable dtype, one strided-copy primitive, and float16/bfloat16 <-> float32 conversion
// for the few movement-family ops that must do arithmetic (TopK, ArgMax, CumSum, Resize, Einsum).
//
// Contract: a "movable" dtype is any fixed-width dtype DispatchAny accepts (bool, (u)int8..64,
// float16/bfloat16 moved as uint16_t, float32/64) plus kString (std::string). Packed int4/uint4 are
// not movable element-wise; kernels that only re-label a buffer (Reshape, Identity) still pass
// them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "runtime/kernel.h"
#include "runtime/kernels/kernel_util.h"

namespace shrink::runtime {

// DispatchAny, plus kString -> std::string.
template <typename F>
void DispatchMovable(const KernelContext& ctx, DataType t, F&& f) {
  if (t == DataType::kString) {
    f(TypeTag<std::string>{});
    return;
  }
  DispatchAny(ctx, t, std::forward<F>(f));
}

// Element pointer for any movable T (std::string -> the tensor's string vector).
template <typename T>
const T* Elems(const Tensor& t) {
  if constexpr (std::is_same_v<T, std::string>) {
    return t.strings().data();
  } else {
    return reinterpret_cast<const T*>(t.raw());
  }
}
template <typename T>
T* Elems(Tensor& t) {
  if constexpr (std::is_same_v<T, std::string>) {
    return t.strings().data();
  } else {
    return reinterpret_cast<T*>(t.raw());
  }
}

// Returns a new tensor of `out_shape` whose element at row-major multi-index i is
// src[offset + sum_d i[d] * strides[d]] (strides in elements, may be 0 or negative). This is the
// primitive behind Transpose, Slice, Expand, Tile, DepthToSpace and SpaceToDepth.
Tensor StridedCopy(const KernelContext& ctx, const Tensor& src, const Shape& out_shape,
                   const std::vector<int64_t>& strides, int64_t offset);

// Gathers along one axis: out[outer, j, inner] = src[outer, index[j], inner] where src is viewed
// as [outer, axis_dim, inner]. `index` entries must already be in [0, axis_dim).
Tensor TakeAlongAxis(const KernelContext& ctx, const Tensor& src, int axis,
                     const std::vector<int64_t>& index, Shape out_shape);

// True for float16 / bfloat16.
bool IsHalfLike(DataType t);
// float16/bfloat16 tensor -> float32 copy; any other tensor is returned as is (shared).
Tensor WidenHalf(const Tensor& t);
// float32 tensor -> `dtype` (float16/bfloat16) copy; returns `t` when dtype is float32.
Tensor NarrowToHalf(const Tensor& t, DataType dtype);

// An index into an axis of size `dim` in [0, dim); negative indices count from the end. Fail()s
// outside [-dim, dim).
int64_t NormalizeIndex(const KernelContext& ctx, int64_t index, int64_t dim);

// Attribute `axis` (default 0) normalised for GatherElements / ScatterElements, after checking
// that `indices` has the rank of `data` and fits inside it on every other axis; Fail()s otherwise.
int ElementsAxis(const KernelContext& ctx, const Tensor& data, const Tensor& indices);

// Reads a scalar (or one-element) int tensor input as int64.
int64_t ReadScalarInt(const KernelContext& ctx, const Tensor& t, const char* what);

}  // namespace shrink::runtime
