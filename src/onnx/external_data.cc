#include "onnx/external_data.h"

#include <filesystem>
#include <fstream>

namespace shrink::onnx_io {

namespace fs = std::filesystem;

Expected<std::string> ResolveExternalPath(const std::string& base_dir,
                                          const std::string& location) {
  if (base_dir.empty())
    return PermissionDenied("external data '" + location + "' refused: model has no folder");
  if (location.empty()) return Corrupt("external data entry has an empty location");
  const fs::path rel(location);
  if (rel.is_absolute() || location.front() == '/' || location.front() == '\\')
    return PermissionDenied("external data location '" + location + "' is absolute");
  for (const auto& part : rel)
    if (part == "..")
      return PermissionDenied("external data location '" + location + "' escapes the model folder");
  std::error_code ec;
  const fs::path base = fs::canonical(base_dir, ec);
  if (ec) return IOError("cannot resolve model folder '" + base_dir + "': " + ec.message());
  const fs::path full = fs::weakly_canonical(base / rel, ec);
  if (ec) return IOError("cannot resolve external data '" + location + "': " + ec.message());
  const std::string b = base.string() + "/";
  if (full.string().compare(0, b.size(), b) != 0)
    return PermissionDenied("external data '" + location + "' resolves outside the model folder (" +
                            full.string() + ")");
  if (!fs::is_regular_file(full, ec))
    return NotFound("external data file '" + location + "' not found next to the model");
  return full.string();
}

Status ReadFileRange(const std::string& path, uint64_t offset, uint64_t length, void* out) {
  std::error_code ec;
  const uint64_t size = fs::file_size(path, ec);
  if (ec) return IOError("cannot stat '" + path + "': " + ec.message());
  if (offset > size || length > size - offset)
    return Corrupt("external data '" + path + "' has " + std::to_string(size) +
                   " bytes; need offset " + std::to_string(offset) + " + length " +
                   std::to_string(length));
  std::ifstream in(path, std::ios::binary);
  if (!in) return IOError("cannot open '" + path + "'");
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(static_cast<char*>(out), static_cast<std::streamsize>(length));
  if (!in) return IOError("short read from '" + path + "'");
  return Status::Ok();
}

}  // namespace shrink::onnx_io
