#include "core/dtype.h"

#include <algorithm>
#include <cctype>

namespace shrink {

namespace {
struct Entry {
  DataType type;
  const char* name;
  const char* onnx_name;
  int bits;
};
constexpr Entry kEntries[] = {
    {DataType::kFloat32, "float32", "FLOAT", 32},
    {DataType::kUInt8, "uint8", "UINT8", 8},
    {DataType::kInt8, "int8", "INT8", 8},
    {DataType::kUInt16, "uint16", "UINT16", 16},
    {DataType::kInt16, "int16", "INT16", 16},
    {DataType::kInt32, "int32", "INT32", 32},
    {DataType::kInt64, "int64", "INT64", 64},
    {DataType::kString, "string", "STRING", 0},
    {DataType::kBool, "bool", "BOOL", 8},
    {DataType::kFloat16, "float16", "FLOAT16", 16},
    {DataType::kFloat64, "float64", "DOUBLE", 64},
    {DataType::kUInt32, "uint32", "UINT32", 32},
    {DataType::kUInt64, "uint64", "UINT64", 64},
    {DataType::kBFloat16, "bfloat16", "BFLOAT16", 16},
    {DataType::kUInt4, "uint4", "UINT4", 4},
    {DataType::kInt4, "int4", "INT4", 4},
};
const Entry* Find(DataType t) {
  for (const auto& e : kEntries)
    if (e.type == t) return &e;
  return nullptr;
}
}  // namespace

const char* DataTypeName(DataType t) {
  const Entry* e = Find(t);
  return e ? e->name : "undefined";
}

std::optional<DataType> ParseDataType(const std::string& name) {
  std::string upper = name;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  for (const auto& e : kEntries) {
    std::string canon = e.name;
    std::transform(canon.begin(), canon.end(), canon.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (upper == canon || upper == e.onnx_name) return e.type;
  }
  return std::nullopt;
}

bool IsKnownDataType(int32_t raw) { return Find(static_cast<DataType>(raw)) != nullptr; }

int BitsOf(DataType t) {
  const Entry* e = Find(t);
  return e ? e->bits : 0;
}

size_t StorageBytes(DataType t, int64_t count) {
  if (count <= 0) return 0;
  const auto n = static_cast<size_t>(count);
  if (IsPacked4(t)) return (n + 1) / 2;
  return n * static_cast<size_t>(BitsOf(t) / 8);
}

bool IsFloat(DataType t) {
  return t == DataType::kFloat32 || t == DataType::kFloat64 || t == DataType::kFloat16 ||
         t == DataType::kBFloat16;
}

bool IsInteger(DataType t) {
  switch (t) {
    case DataType::kInt8:
    case DataType::kUInt8:
    case DataType::kInt16:
    case DataType::kUInt16:
    case DataType::kInt32:
    case DataType::kUInt32:
    case DataType::kInt64:
    case DataType::kUInt64:
    case DataType::kInt4:
    case DataType::kUInt4:
      return true;
    default:
      return false;
  }
}

bool IsSigned(DataType t) {
  switch (t) {
    case DataType::kInt8:
    case DataType::kInt16:
    case DataType::kInt32:
    case DataType::kInt64:
    case DataType::kInt4:
      return true;
    default:
      return IsFloat(t);
  }
}

bool IsPacked4(DataType t) { return t == DataType::kInt4 || t == DataType::kUInt4; }

}  // namespace shrink
