// Shared helpers of the data formats (see sources.h).
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "data/sources.h"

namespace shrink::data::detail {

void RequireExists(const std::string& path, const std::string& what) {
  if (path.empty()) Throw(StatusCode::kInvalidArgument, what + ": no path given");
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    Throw(StatusCode::kNotFound, what + " '" + path + "' does not exist");
}

std::string ReadFileMaybeGz(const std::string& path, size_t max_bytes) {
  RequireExists(path, "file");
  std::ifstream in(path, std::ios::binary);
  if (!in) Throw(StatusCode::kIOError, "cannot open '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string raw = ss.str();
  if (raw.size() < 2 || static_cast<uint8_t>(raw[0]) != 0x1f ||
      static_cast<uint8_t>(raw[1]) != 0x8b) {
    if (path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0)
      Throw(StatusCode::kCorrupt, "'" + path + "' is not a gzip file (bad magic)");
    if (raw.size() > max_bytes) Throw(StatusCode::kResourceExhausted, "'" + path + "' too large");
    return raw;
  }
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
    Throw(StatusCode::kInternal, "zlib init failed for '" + path + "'");
  zs.next_in = reinterpret_cast<Bytef*>(raw.data());
  zs.avail_in = static_cast<uInt>(raw.size());
  std::string out;
  char buf[1 << 16];
  int rc;
  do {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      const std::string msg = zs.msg ? zs.msg : "inflate error " + std::to_string(rc);
      inflateEnd(&zs);
      Throw(StatusCode::kCorrupt, "'" + path + "': corrupt gzip data (" + msg + ")");
    }
    out.append(buf, sizeof(buf) - zs.avail_out);
    if (out.size() > max_bytes) {
      inflateEnd(&zs);
      Throw(StatusCode::kResourceExhausted, "'" + path + "' decompresses to too many bytes");
    }
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      inflateEnd(&zs);
      Throw(StatusCode::kCorrupt, "'" + path + "': truncated gzip data");
    }
  } while (rc != Z_STREAM_END);
  inflateEnd(&zs);
  return out;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    size_t end = nl;
    if (end > start && text[end - 1] == '\r') --end;
    lines.push_back(text.substr(start, end - start));
    start = nl + 1;
  }
  return lines;
}

Tensor ImageFromHwc(const uint8_t* pixels, int64_t h, int64_t w, int64_t c) {
  Tensor t(DataType::kFloat32, {c, h, w});
  float* d = t.data<float>();
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x)
      for (int64_t ch = 0; ch < c; ++ch)
        d[(ch * h + y) * w + x] = static_cast<float>(pixels[(y * w + x) * c + ch]);
  return t;
}

}  // namespace shrink::data::detail
