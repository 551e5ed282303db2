#include "core/tensor.h"

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <sstream>

#include "core/half.h"

namespace shrink {

namespace {
std::atomic<size_t> g_memory_limit{size_t{16} << 30};

struct AlignedFree {
  void operator()(uint8_t* p) const { std::free(p); }
};

std::shared_ptr<uint8_t[]> AllocateZeroed(size_t bytes) {
  const size_t rounded = ((bytes + 63) / 64) * 64;
  void* p = std::aligned_alloc(64, rounded == 0 ? 64 : rounded);
  if (p == nullptr)
    Throw(StatusCode::kResourceExhausted,
          "out of memory allocating " + std::to_string(bytes) + " bytes");
  std::memset(p, 0, rounded == 0 ? 64 : rounded);
  return std::shared_ptr<uint8_t[]>(static_cast<uint8_t*>(p), AlignedFree());
}

template <typename T>
T SaturateCast(double v) {
  if (std::isnan(v)) return T(0);
  if (v <= static_cast<double>(std::numeric_limits<T>::lowest()))
    return std::numeric_limits<T>::lowest();
  if (v >= static_cast<double>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
  return static_cast<T>(v);
}
}  // namespace

int64_t NumElements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return -1;
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d) return -1;
    n *= d;
  }
  return n;
}

std::string ShapeToString(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

void SetTensorMemoryLimit(size_t bytes) { g_memory_limit = bytes; }
size_t TensorMemoryLimit() { return g_memory_limit; }

Tensor::Tensor(DataType dtype, Shape shape) : dtype_(dtype), shape_(std::move(shape)) {
  if (dtype == DataType::kUndefined)
    Throw(StatusCode::kInvalidArgument, "tensor of undefined type");
  numel_ = NumElements(shape_);
  if (numel_ < 0)
    Throw(StatusCode::kInvalidArgument, "invalid tensor shape " + ShapeToString(shape_));
  if (dtype == DataType::kString) {
    if (static_cast<size_t>(numel_) > g_memory_limit / sizeof(std::string))
      Throw(StatusCode::kResourceExhausted, "string tensor too large");
    strings_ = std::make_shared<std::vector<std::string>>(static_cast<size_t>(numel_));
    return;
  }
  const int bits = BitsOf(dtype);
  if (bits == 0)
    Throw(StatusCode::kUnimplemented,
          "unsupported tensor type " + std::string(DataTypeName(dtype)));
  // Overflow-safe byte count check against the limit.
  if (static_cast<uint64_t>(numel_) > g_memory_limit / std::max(1, bits / 8) + 1 ||
      StorageBytes(dtype, numel_) > g_memory_limit) {
    Throw(StatusCode::kResourceExhausted,
          "tensor " + std::string(DataTypeName(dtype)) + ShapeToString(shape_) +
              " needs more than the memory limit of " + std::to_string(g_memory_limit) + " bytes");
  }
  data_ = AllocateZeroed(StorageBytes(dtype, numel_));
}

Expected<Tensor> Tensor::Create(DataType dtype, Shape shape) {
  try {
    return Tensor(dtype, std::move(shape));
  } catch (const Error& e) {
    return e.ToStatus();
  }
}

void Tensor::CheckType(DataType requested) const {
  if (requested != dtype_)
    Throw(StatusCode::kInternal, std::string("tensor of type ") + DataTypeName(dtype_) +
                                     " accessed as " + DataTypeName(requested));
}

double Tensor::GetAsDouble(int64_t i) const {
  const uint8_t* p = data_.get();
  switch (dtype_) {
    case DataType::kFloat32:
      return reinterpret_cast<const float*>(p)[i];
    case DataType::kFloat64:
      return reinterpret_cast<const double*>(p)[i];
    case DataType::kFloat16:
      return HalfToFloat(reinterpret_cast<const uint16_t*>(p)[i]);
    case DataType::kBFloat16:
      return BFloat16ToFloat(reinterpret_cast<const uint16_t*>(p)[i]);
    case DataType::kInt8:
      return reinterpret_cast<const int8_t*>(p)[i];
    case DataType::kUInt8:
      return p[i];
    case DataType::kInt16:
      return reinterpret_cast<const int16_t*>(p)[i];
    case DataType::kUInt16:
      return reinterpret_cast<const uint16_t*>(p)[i];
    case DataType::kInt32:
      return reinterpret_cast<const int32_t*>(p)[i];
    case DataType::kUInt32:
      return reinterpret_cast<const uint32_t*>(p)[i];
    case DataType::kInt64:
      return static_cast<double>(reinterpret_cast<const int64_t*>(p)[i]);
    case DataType::kUInt64:
      return static_cast<double>(reinterpret_cast<const uint64_t*>(p)[i]);
    case DataType::kBool:
      return p[i] ? 1.0 : 0.0;
    case DataType::kInt4:
      return UnpackInt4(p, i, true);
    case DataType::kUInt4:
      return UnpackInt4(p, i, false);
    default:
      Throw(StatusCode::kUnimplemented, std::string("GetAsDouble on ") + DataTypeName(dtype_));
  }
}

void Tensor::SetFromDouble(int64_t i, double v) {
  uint8_t* p = data_.get();
  switch (dtype_) {
    case DataType::kFloat32:
      reinterpret_cast<float*>(p)[i] = static_cast<float>(v);
      return;
    case DataType::kFloat64:
      reinterpret_cast<double*>(p)[i] = v;
      return;
    case DataType::kFloat16:
      reinterpret_cast<uint16_t*>(p)[i] = FloatToHalf(static_cast<float>(v));
      return;
    case DataType::kBFloat16:
      reinterpret_cast<uint16_t*>(p)[i] = FloatToBFloat16(static_cast<float>(v));
      return;
    case DataType::kInt8:
      reinterpret_cast<int8_t*>(p)[i] = SaturateCast<int8_t>(v);
      return;
    case DataType::kUInt8:
      p[i] = SaturateCast<uint8_t>(v);
      return;
    case DataType::kInt16:
      reinterpret_cast<int16_t*>(p)[i] = SaturateCast<int16_t>(v);
      return;
    case DataType::kUInt16:
      reinterpret_cast<uint16_t*>(p)[i] = SaturateCast<uint16_t>(v);
      return;
    case DataType::kInt32:
      reinterpret_cast<int32_t*>(p)[i] = SaturateCast<int32_t>(v);
      return;
    case DataType::kUInt32:
      reinterpret_cast<uint32_t*>(p)[i] = SaturateCast<uint32_t>(v);
      return;
    case DataType::kInt64:
      reinterpret_cast<int64_t*>(p)[i] = SaturateCast<int64_t>(v);
      return;
    case DataType::kUInt64:
      reinterpret_cast<uint64_t*>(p)[i] = SaturateCast<uint64_t>(v);
      return;
    case DataType::kBool:
      p[i] = v != 0.0;
      return;
    case DataType::kInt4:
      PackInt4(p, i, static_cast<int>(std::clamp(v, -8.0, 7.0)));
      return;
    case DataType::kUInt4:
      PackInt4(p, i, static_cast<int>(std::clamp(v, 0.0, 15.0)));
      return;
    default:
      Throw(StatusCode::kUnimplemented, std::string("SetFromDouble on ") + DataTypeName(dtype_));
  }
}

Tensor Tensor::Clone() const {
  if (!defined()) return Tensor();
  Tensor t(dtype_, shape_);
  if (dtype_ == DataType::kString) {
    *t.strings_ = *strings_;
  } else if (nbytes() > 0) {
    std::memcpy(t.data_.get(), data_.get(), nbytes());
  }
  return t;
}

Tensor Tensor::Reshaped(Shape shape) const {
  if (NumElements(shape) != numel_)
    Throw(StatusCode::kInvalidArgument,
          "cannot reshape " + ShapeToString(shape_) + " to " + ShapeToString(shape));
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

bool Tensor::BitwiseEqual(const Tensor& other) const {
  if (dtype_ != other.dtype_ || shape_ != other.shape_) return false;
  if (dtype_ == DataType::kString) return *strings_ == *other.strings_;
  if (nbytes() == 0) return true;
  return std::memcmp(data_.get(), other.data_.get(), nbytes()) == 0;
}

std::string Tensor::DebugString(int64_t max_elements) const {
  std::ostringstream os;
  os << DataTypeName(dtype_) << ShapeToString(shape_) << " {";
  const int64_t n = std::min(numel_, max_elements);
  for (int64_t i = 0; i < n; ++i) {
    if (i) os << ", ";
    if (dtype_ == DataType::kString)
      os << '"' << (*strings_)[static_cast<size_t>(i)] << '"';
    else
      os << GetAsDouble(i);
  }
  if (numel_ > n) os << ", ...";
  os << "}";
  return os.str();
}

int UnpackInt4(const uint8_t* data, int64_t i, bool is_signed) {
  const uint8_t byte = data[i / 2];
  int v = (i % 2 == 0) ? (byte & 0x0f) : (byte >> 4);
  if (is_signed && v >= 8) v -= 16;
  return v;
}

void PackInt4(uint8_t* data, int64_t i, int value) {
  uint8_t& byte = data[i / 2];
  const uint8_t nibble = static_cast<uint8_t>(value) & 0x0f;
  if (i % 2 == 0)
    byte = static_cast<uint8_t>((byte & 0xf0) | nibble);
  else
    byte = static_cast<uint8_t>((byte & 0x0f) | (nibble << 4));
}

}  // namespace shrink
