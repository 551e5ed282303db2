// Tensor: a dense, typed, n-dimensional array with shared, 64-byte aligned storage.
//
// Copying a Tensor shares its buffer (cheap); Clone() copies the bytes. Strings (kString) live in a
// separate vector so the IR can carry any ONNX tensor; numeric kernels never see them.
// Every allocation is checked against a process-wide limit (SetTensorMemoryLimit) so that a
// declared shape that would need absurd memory fails with kResourceExhausted instead of crashing.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "core/dtype.h"
#include "core/status.h"

namespace shrink {

using Shape = std::vector<int64_t>;

// Product of dims; 1 for a scalar. -1 if any dim is negative or the product overflows int64.
int64_t NumElements(const Shape& shape);
std::string ShapeToString(const Shape& shape);  // "[2, 3, 4]"

// Largest single tensor allocation allowed (bytes). Default 16 GiB.
void SetTensorMemoryLimit(size_t bytes);
size_t TensorMemoryLimit();

class Tensor {
 public:
  Tensor() = default;
  // Zero-filled tensor. Throws shrink::Error (kInvalidArgument / kResourceExhausted) on a bad
  // shape or a size over the limit; use Create() at boundaries where a Status is wanted.
  Tensor(DataType dtype, Shape shape);
  static Expected<Tensor> Create(DataType dtype, Shape shape);

  template <typename T>
  static Tensor FromVector(Shape shape, const std::vector<T>& values);
  template <typename T>
  static Tensor Scalar(T value) {
    return FromVector<T>({}, {value});
  }

  bool defined() const { return dtype_ != DataType::kUndefined; }
  DataType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  int64_t dim(int i) const { return shape_[static_cast<size_t>(i < 0 ? i + rank() : i)]; }
  int64_t numel() const { return numel_; }
  size_t nbytes() const { return StorageBytes(dtype_, numel_); }

  void* raw() { return data_.get(); }
  const void* raw() const { return data_.get(); }
  // Typed access; throws shrink::Error(kInternal) if T does not match dtype().
  template <typename T>
  T* data() {
    CheckType(DataTypeOf<T>::value);
    return reinterpret_cast<T*>(data_.get());
  }
  template <typename T>
  const T* data() const {
    CheckType(DataTypeOf<T>::value);
    return reinterpret_cast<const T*>(data_.get());
  }
  std::vector<std::string>& strings() { return *strings_; }
  const std::vector<std::string>& strings() const { return *strings_; }

  // Element i converted to double (any numeric dtype, incl. float16/bfloat16/int4).
  double GetAsDouble(int64_t i) const;
  // Stores v into element i with the dtype's conversion (saturating for int4 only).
  void SetFromDouble(int64_t i, double v);

  Tensor Clone() const;
  // Same buffer, new shape with the same element count. Throws on a count mismatch.
  Tensor Reshaped(Shape shape) const;
  // True when dtype, shape and bytes (or strings) are identical.
  bool BitwiseEqual(const Tensor& other) const;
  std::string DebugString(int64_t max_elements = 8) const;

 private:
  void CheckType(DataType requested) const;

  DataType dtype_ = DataType::kUndefined;
  Shape shape_;
  int64_t numel_ = 0;
  std::shared_ptr<uint8_t[]> data_;
  std::shared_ptr<std::vector<std::string>> strings_;
};

// Packed 4-bit helpers (low nibble first).
int UnpackInt4(const uint8_t* data, int64_t i, bool is_signed);
void PackInt4(uint8_t* data, int64_t i, int value);

template <typename T>
Tensor Tensor::FromVector(Shape shape, const std::vector<T>& values) {
  Tensor t(DataTypeOf<T>::value, std::move(shape));
  if (static_cast<int64_t>(values.size()) != t.numel())
    Throw(StatusCode::kInvalidArgument, "FromVector: " + std::to_string(values.size()) +
                                            " values for shape " + ShapeToString(t.shape()));
  if constexpr (std::is_same_v<T, bool>) {
    for (size_t i = 0; i < values.size(); ++i) t.data<bool>()[i] = values[i];
  } else {
    std::copy(values.begin(), values.end(), t.data<T>());
  }
  return t;
}

}  // namespace shrink
