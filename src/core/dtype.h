// Element types. Numeric values equal ONNX TensorProto.DataType so conversion is a cast.
// Packed int4/uint4 store two elements per byte, low nibble first (ONNX convention).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace shrink {

enum class DataType : int32_t {
  kUndefined = 0,
  kFloat32 = 1,
  kUInt8 = 2,
  kInt8 = 3,
  kUInt16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,
  kBool = 9,
  kFloat16 = 10,
  kFloat64 = 11,
  kUInt32 = 12,
  kUInt64 = 13,
  kBFloat16 = 16,
  kUInt4 = 21,
  kInt4 = 22,
};

// Canonical lower-case name ("float32", "int4", ...).
const char* DataTypeName(DataType t);
// Parses a canonical name or an ONNX name ("FLOAT", "INT8"); nullopt when unknown.
std::optional<DataType> ParseDataType(const std::string& name);
// True for every value of the enum above except kUndefined.
bool IsKnownDataType(int32_t raw);
// Bits per element (4 for int4/uint4, 8 for bool, 0 for string/undefined).
int BitsOf(DataType t);
// Bytes needed to store `count` elements (rounds packed types up to whole bytes).
size_t StorageBytes(DataType t, int64_t count);
bool IsFloat(DataType t);    // float16, bfloat16, float32, float64
bool IsInteger(DataType t);  // signed or unsigned integers incl. int4/uint4 (not bool)
bool IsSigned(DataType t);
bool IsPacked4(DataType t);  // int4 / uint4

// Maps a C++ element type to its DataType (compile time).
template <typename T>
struct DataTypeOf;
#define SHRINK_DTYPE_OF_(CT, DT)                    \
  template <>                                       \
  struct DataTypeOf<CT> {                           \
    static constexpr DataType value = DataType::DT; \
  }
SHRINK_DTYPE_OF_(float, kFloat32);
SHRINK_DTYPE_OF_(double, kFloat64);
SHRINK_DTYPE_OF_(int8_t, kInt8);
SHRINK_DTYPE_OF_(uint8_t, kUInt8);
SHRINK_DTYPE_OF_(int16_t, kInt16);
SHRINK_DTYPE_OF_(uint16_t, kUInt16);
SHRINK_DTYPE_OF_(int32_t, kInt32);
SHRINK_DTYPE_OF_(uint32_t, kUInt32);
SHRINK_DTYPE_OF_(int64_t, kInt64);
SHRINK_DTYPE_OF_(uint64_t, kUInt64);
SHRINK_DTYPE_OF_(bool, kBool);
#undef SHRINK_DTYPE_OF_

}  // namespace shrink
