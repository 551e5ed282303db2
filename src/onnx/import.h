// ONNX import: ModelProto (file or bytes) -> ir::Model, through Debian's libonnx protobuf classes.
//
// Contract:
// - Weights may be initializers, Constant nodes (kept as nodes) or external data. External data is
//   resolved relative to the model's folder; absolute paths, '..' escapes, symlinks leading out of
//   the folder, and offsets/lengths that disagree with the tensor's shape are refused
//   (kPermissionDenied / kCorrupt).
// - Truncated or corrupt protobuf -> kCorrupt; tensor data that disagrees with its shape ->
// kCorrupt;
//   a tensor whose shape needs more memory than the limit -> kResourceExhausted.
// - Nodes are sorted topologically (real models arrive unsorted) and the graph is verified;
//   a cycle is an error naming a node on it.
// - Everything we do not interpret (sparse tensors, type protos, functions, training info,
//   metadata) is kept so that export writes it back.
#pragma once

#include <cstddef>
#include <string>

#include "core/status.h"
#include "ir/model.h"

namespace shrink::onnx_io {

struct LoadOptions {
  bool load_external_data = true;  // false: leave external tensors undefined (inspect only)
  bool sort_and_verify = true;
  size_t max_file_bytes = size_t{8} << 30;  // refuse larger model files
};

Expected<ir::Model> LoadModel(const std::string& path, const LoadOptions& options = {});
// `base_dir` resolves external data; empty means external data is refused.
Expected<ir::Model> ParseModel(const void* data, size_t size, const std::string& base_dir = "",
                               const LoadOptions& options = {});

}  // namespace shrink::onnx_io
