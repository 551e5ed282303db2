#include "core/npy.h"

#include <bit>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <optional>

namespace shrink {
namespace {

static_assert(std::endian::native == std::endian::little, "npy I/O assumes a little-endian host");

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
constexpr size_t kMaxHeaderLen = size_t{16} << 20;  // numpy itself refuses > 10 KB by default

struct DescrEntry {
  const char* code;  // kind + itemsize
  DataType dtype;
};
constexpr DescrEntry kDescrs[] = {
    {"f2", DataType::kFloat16}, {"f4", DataType::kFloat32}, {"f8", DataType::kFloat64},
    {"i1", DataType::kInt8},    {"u1", DataType::kUInt8},   {"i2", DataType::kInt16},
    {"u2", DataType::kUInt16},  {"i4", DataType::kInt32},   {"u4", DataType::kUInt32},
    {"i8", DataType::kInt64},   {"u8", DataType::kUInt64},  {"b1", DataType::kBool},
};

// A value of the header dict: a string, a bool, or a tuple of integers.
struct HeaderValue {
  enum Kind { kString, kBool, kTuple, kOther } kind = kOther;
  std::string str;
  bool boolean = false;
  std::vector<int64_t> ints;
};

// Parses the Python dict literal numpy writes: {'descr': '<f4', 'fortran_order': False,
// 'shape': (2, 3), }. Throws Error(kCorrupt) on anything malformed.
class HeaderParser {
 public:
  explicit HeaderParser(std::string_view text) : s_(text) {}

  std::map<std::string, HeaderValue> ParseDict() {
    std::map<std::string, HeaderValue> out;
    SkipSpace();
    Expect('{');
    while (true) {
      SkipSpace();
      if (Peek() == '}') {
        ++pos_;
        break;
      }
      std::string key = ParseString();
      SkipSpace();
      Expect(':');
      SkipSpace();
      out[key] = ParseValue(key);
      SkipSpace();
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      SkipSpace();
      Expect('}');
      break;
    }
    SkipSpace();
    if (pos_ != s_.size()) Fail("unexpected text after the header dict");
    return out;
  }

 private:
  [[noreturn]] void Fail(const std::string& what) {
    Throw(StatusCode::kCorrupt, "malformed .npy header (" + what + " at offset " +
                                    std::to_string(pos_) + "): " + std::string(s_.substr(0, 200)));
  }
  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void SkipSpace() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r'))
      ++pos_;
  }
  void Expect(char c) {
    if (Peek() != c) Fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  std::string ParseString() {
    char q = Peek();
    if (q != '\'' && q != '"') Fail("expected a quoted string");
    ++pos_;
    size_t end = s_.find(q, pos_);
    if (end == std::string_view::npos) Fail("unterminated string");
    std::string out(s_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return out;
  }
  int64_t ParseInt() {
    size_t start = pos_;
    uint64_t v = 0;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      uint64_t d = static_cast<uint64_t>(s_[pos_] - '0');
      if (v > (static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - d) / 10)
        Fail("dimension overflows int64");
      v = v * 10 + d;
      ++pos_;
    }
    if (pos_ == start) Fail("expected a non-negative integer");
    if (Peek() == 'L') ++pos_;  // Python 2 long suffix written by old numpy
    return static_cast<int64_t>(v);
  }
  HeaderValue ParseValue(const std::string& key) {
    HeaderValue v;
    char c = Peek();
    if (c == '\'' || c == '"') {
      v.kind = HeaderValue::kString;
      v.str = ParseString();
    } else if (s_.substr(pos_, 4) == "True") {
      v.kind = HeaderValue::kBool;
      v.boolean = true;
      pos_ += 4;
    } else if (s_.substr(pos_, 5) == "False") {
      v.kind = HeaderValue::kBool;
      pos_ += 5;
    } else if (c == '(') {
      ++pos_;
      v.kind = HeaderValue::kTuple;
      while (true) {
        SkipSpace();
        if (Peek() == ')') {
          ++pos_;
          break;
        }
        v.ints.push_back(ParseInt());
        SkipSpace();
        if (Peek() == ',') {
          ++pos_;
        } else {
          SkipSpace();
          Expect(')');
          break;
        }
      }
    } else if (c == '[') {
      // Structured dtype descr (a list of fields): not supported.
      Throw(StatusCode::kUnimplemented,
            ".npy with a structured dtype (descr is a list) is not supported (key '" + key + "')");
    } else {
      Fail("unsupported value for key '" + key + "'");
    }
    return v;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

Expected<DataType> DescrToDataType(const std::string& descr) {
  if (descr.size() < 2) return Unimplemented(".npy dtype '" + descr + "' is not supported");
  char order = descr[0];
  std::string code = descr.substr(1);
  if (order != '<' && order != '>' && order != '|' && order != '=') {
    order = '=';
    code = descr;
  }
  if (code == "?") code = "b1";
  for (const auto& e : kDescrs) {
    if (code != e.code) continue;
    bool single_byte = code[1] == '1';
    if (order == '>' && !single_byte)
      return Unimplemented(".npy dtype '" + descr +
                           "' is big-endian; only little-endian data is supported "
                           "(convert with arr.astype(arr.dtype.newbyteorder('<')))");
    return e.dtype;
  }
  return Unimplemented(".npy dtype '" + descr +
                       "' is not supported (supported: f2 f4 f8 i1 u1 i2 u2 i4 u4 i8 u8 b1)");
}

uint32_t ReadLE(const unsigned char* p, int bytes) {
  uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

Expected<Tensor> ParseNpyImpl(std::string_view bytes) {
  const auto* u = reinterpret_cast<const unsigned char*>(bytes.data());
  if (bytes.size() < kMagicLen + 2 || std::memcmp(bytes.data(), kMagic, kMagicLen) != 0)
    return Corrupt("not a .npy file (bad magic; " + std::to_string(bytes.size()) + " bytes)");
  const int major = u[6];
  const int minor = u[7];
  size_t len_bytes;
  if (major == 1) {
    len_bytes = 2;
  } else if (major == 2 || major == 3) {
    len_bytes = 4;
  } else {
    return Unimplemented(".npy format version " + std::to_string(major) + "." +
                         std::to_string(minor) + " is not supported (1.0, 2.0, 3.0 are)");
  }
  const size_t prefix = kMagicLen + 2 + len_bytes;
  if (bytes.size() < prefix) return Corrupt(".npy file truncated inside the header length");
  const size_t header_len = ReadLE(u + kMagicLen + 2, static_cast<int>(len_bytes));
  if (header_len > kMaxHeaderLen)
    return Corrupt(".npy header length " + std::to_string(header_len) + " is implausible");
  if (bytes.size() - prefix < header_len)
    return Corrupt(".npy file truncated inside the header (header says " +
                   std::to_string(header_len) + " bytes, " + std::to_string(bytes.size() - prefix) +
                   " present)");
  std::string_view header = bytes.substr(prefix, header_len);
  std::map<std::string, HeaderValue> dict = HeaderParser(header).ParseDict();

  auto field = [&](const char* key, HeaderValue::Kind kind) -> const HeaderValue& {
    auto it = dict.find(key);
    if (it == dict.end())
      Throw(StatusCode::kCorrupt, std::string(".npy header has no '") + key + "' key");
    if (it->second.kind != kind)
      Throw(StatusCode::kCorrupt, std::string(".npy header key '") + key + "' has the wrong type");
    return it->second;
  };
  const HeaderValue& descr = field("descr", HeaderValue::kString);
  const HeaderValue& fortran = field("fortran_order", HeaderValue::kBool);
  const HeaderValue& shape_v = field("shape", HeaderValue::kTuple);

  SHRINK_ASSIGN_OR_RETURN(DataType dtype, DescrToDataType(descr.str));
  Shape shape(shape_v.ints.begin(), shape_v.ints.end());
  const int64_t numel = NumElements(shape);
  if (numel < 0) return Corrupt(".npy shape " + ShapeToString(shape) + " overflows int64");
  if (fortran.boolean && shape.size() > 1) {
    // 0-d and 1-d arrays are identical in both orders; anything else would need a transpose.
    return Unimplemented(".npy with fortran_order=True is not supported (shape " +
                         ShapeToString(shape) + "); save with np.ascontiguousarray(arr)");
  }
  const size_t item = static_cast<size_t>(BitsOf(dtype) / 8);
  if (static_cast<uint64_t>(numel) > TensorMemoryLimit() / item)
    return ResourceExhausted(".npy shape " + ShapeToString(shape) + " of " + DataTypeName(dtype) +
                             " exceeds the tensor memory limit of " +
                             std::to_string(TensorMemoryLimit()) + " bytes");
  const size_t data_bytes = static_cast<size_t>(numel) * item;
  const size_t available = bytes.size() - prefix - header_len;
  if (available < data_bytes)
    return Corrupt(".npy data truncated: shape " + ShapeToString(shape) + " of " +
                   DataTypeName(dtype) + " needs " + std::to_string(data_bytes) + " bytes, " +
                   std::to_string(available) + " present");
  SHRINK_ASSIGN_OR_RETURN(Tensor t, Tensor::Create(dtype, shape));
  if (data_bytes > 0) std::memcpy(t.raw(), bytes.data() + prefix + header_len, data_bytes);
  if (dtype == DataType::kBool) {
    auto* b = static_cast<uint8_t*>(t.raw());
    for (size_t i = 0; i < data_bytes; ++i) b[i] = b[i] != 0 ? 1 : 0;
  }
  return t;
}

std::string ShapeTuple(const Shape& shape) {
  if (shape.empty()) return "()";
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

Expected<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return NotFound("cannot open '" + path + "'");
  std::streamoff size = in.tellg();
  if (size < 0) return IOError("cannot determine the size of '" + path + "'");
  std::string data(static_cast<size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(data.data(), size)) return IOError("read failed for '" + path + "'");
  return data;
}

}  // namespace

bool NpySupports(DataType dtype) {
  for (const auto& e : kDescrs)
    if (e.dtype == dtype) return true;
  return false;
}

Expected<std::string> NpyDescr(DataType dtype) {
  for (const auto& e : kDescrs) {
    if (e.dtype != dtype) continue;
    std::string code = e.code;
    return (code[1] == '1' ? "|" : "<") + code;
  }
  return Unimplemented(std::string("dtype ") + DataTypeName(dtype) +
                       " has no .npy representation here");
}

Expected<Tensor> ParseNpy(std::string_view bytes) {
  try {
    return ParseNpyImpl(bytes);
  } catch (const Error& e) {
    return e.ToStatus();
  }
}

Expected<Tensor> ReadNpy(const std::string& path) {
  SHRINK_ASSIGN_OR_RETURN(std::string data, ReadWholeFile(path));
  Expected<Tensor> t = ParseNpy(data);
  if (!t.ok()) return t.status().WithContext(path);
  return t;
}

Expected<std::string> SerializeNpy(const Tensor& tensor) {
  if (!tensor.defined()) return InvalidArgument("SerializeNpy: undefined tensor");
  SHRINK_ASSIGN_OR_RETURN(std::string descr, NpyDescr(tensor.dtype()));
  std::string header = "{'descr': '" + descr +
                       "', 'fortran_order': False, 'shape': " + ShapeTuple(tensor.shape()) + ", }";
  // Pad with spaces so that magic + version + length + header (ending in '\n') is a multiple
  // of 64, as numpy does.
  size_t len_bytes = 2;
  auto padded_size = [&](size_t lb) {
    size_t total = kMagicLen + 2 + lb + header.size() + 1;
    return header.size() + 1 + (64 - total % 64) % 64;
  };
  if (padded_size(2) > 65535) len_bytes = 4;
  const size_t total = kMagicLen + 2 + len_bytes + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out(kMagic, kMagicLen);
  out += static_cast<char>(len_bytes == 2 ? 1 : 2);
  out += '\0';
  const uint32_t hl = static_cast<uint32_t>(header.size());
  for (size_t i = 0; i < len_bytes; ++i) out += static_cast<char>((hl >> (8 * i)) & 0xff);
  out += header;
  if (tensor.nbytes() > 0) out.append(static_cast<const char*>(tensor.raw()), tensor.nbytes());
  return out;
}

Status WriteNpy(const std::string& path, const Tensor& tensor) {
  SHRINK_ASSIGN_OR_RETURN(std::string data, SerializeNpy(tensor));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return IOError("cannot open '" + path + "' for writing");
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) return IOError("write failed for '" + path + "'");
  return Status::Ok();
}

}  // namespace shrink
