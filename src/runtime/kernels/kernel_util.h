// Shared helpers for reference kernels: broadcasting, axis normalisation, reading index tensors,
// and dtype dispatch. Keep it small; op-specific helpers stay in the op's file.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/tensor.h"
#include "runtime/kernel.h"

namespace shrink::runtime {

// Numpy-style multidirectional broadcast of shapes; Fail()s through ctx on mismatch.
Shape BroadcastShapes(const KernelContext& ctx, const std::vector<Shape>& shapes);

// Element strides that read `in` (right-aligned) while walking `out` in row-major order;
// broadcast dims get stride 0.
std::vector<int64_t> BroadcastStrides(const Shape& in, const Shape& out);

// Maps a linear index of `out` to offsets of several broadcast inputs, incrementally.
class BroadcastIterator {
 public:
  BroadcastIterator(const Shape& out, const std::vector<Shape>& ins);
  int64_t offset(size_t input) const { return offsets_[input]; }
  void Next();  // advance to the next output element

 private:
  Shape out_;
  std::vector<std::vector<int64_t>> strides_;
  std::vector<int64_t> counter_;
  std::vector<int64_t> offsets_;
};

// Axis in [-rank, rank) -> [0, rank); Fail()s otherwise.
int64_t NormalizeAxis(const KernelContext& ctx, int64_t axis, int64_t rank);

// Values of an int32/int64 tensor (e.g. shape, axes, indices inputs).
std::vector<int64_t> ReadInts(const KernelContext& ctx, const Tensor& t);

// Row-major strides of a shape.
std::vector<int64_t> StridesOf(const Shape& shape);

template <typename T>
struct TypeTag {
  using type = T;
};

// Calls f(TypeTag<T>{}) for float32 or float64; Unsupported() otherwise.
template <typename F>
void DispatchFloat(const KernelContext& ctx, DataType t, F&& f) {
  switch (t) {
    case DataType::kFloat32:
      f(TypeTag<float>{});
      return;
    case DataType::kFloat64:
      f(TypeTag<double>{});
      return;
    default:
      ctx.Unsupported(std::string("dtype ") + DataTypeName(t));
  }
}

// Calls f(TypeTag<T>{}) for any plain numeric dtype (float32/64, (u)int8/16/32/64).
template <typename F>
void DispatchNumeric(const KernelContext& ctx, DataType t, F&& f) {
  switch (t) {
    case DataType::kInt8:
      f(TypeTag<int8_t>{});
      return;
    case DataType::kUInt8:
      f(TypeTag<uint8_t>{});
      return;
    case DataType::kInt16:
      f(TypeTag<int16_t>{});
      return;
    case DataType::kUInt16:
      f(TypeTag<uint16_t>{});
      return;
    case DataType::kInt32:
      f(TypeTag<int32_t>{});
      return;
    case DataType::kUInt32:
      f(TypeTag<uint32_t>{});
      return;
    case DataType::kInt64:
      f(TypeTag<int64_t>{});
      return;
    case DataType::kUInt64:
      f(TypeTag<uint64_t>{});
      return;
    default:
      DispatchFloat(ctx, t, std::forward<F>(f));  // float32/64, or Unsupported()
  }
}

// Calls f(TypeTag<T>{}) for every fixed-width dtype incl. bool (for data-movement ops); float16 and
// bfloat16 are moved as uint16_t.
template <typename F>
void DispatchAny(const KernelContext& ctx, DataType t, F&& f) {
  switch (t) {
    case DataType::kBool:
      f(TypeTag<bool>{});
      return;
    case DataType::kFloat16:
    case DataType::kBFloat16:
      f(TypeTag<uint16_t>{});
      return;
    default:
      DispatchNumeric(ctx, t, std::forward<F>(f));
  }
}

// Raw element pointer for data-movement ops that treat float16/bfloat16 as uint16_t.
template <typename T>
const T* RawAs(const Tensor& t) {
  return reinterpret_cast<const T*>(t.raw());
}
template <typename T>
T* RawAs(Tensor& t) {
  return reinterpret_cast<T*>(t.raw());
}

}  // namespace shrink::runtime
