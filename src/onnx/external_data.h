// Safe resolution and I/O of ONNX external data files.
//
// A location is accepted only when it is a relative path inside the model's folder: absolute paths,
// '..' components, empty names and symlinks that resolve outside the folder are refused with
// kPermissionDenied. Reads check offset and length against the file size (kCorrupt otherwise).
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"

namespace shrink::onnx_io {

// Returns the canonical path of `location` under `base_dir`, or an error.
Expected<std::string> ResolveExternalPath(const std::string& base_dir, const std::string& location);

// Reads exactly `length` bytes at `offset` of `path` into `out`.
Status ReadFileRange(const std::string& path, uint64_t offset, uint64_t length, void* out);

}  // namespace shrink::onnx_io
