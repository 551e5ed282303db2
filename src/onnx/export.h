// ONNX export: ir::Model -> ModelProto file.
//
// Contract: writes every field that import keeps (initializers in their original order, value_info
// for typed intermediates, attributes of every kind, opaque protos), so load -> save -> load gives
// the same graph. Tensors larger than `external_threshold_bytes` go to one external data file
// beside the model when `external_data` is on; a model whose protobuf would exceed 2 GB is always
// saved with external data. Output is deterministic (same model -> same bytes).
#pragma once

#include <cstddef>
#include <string>

#include "core/status.h"
#include "ir/model.h"

namespace shrink::onnx_io {

struct SaveOptions {
  bool external_data = false;
  size_t external_threshold_bytes = 1024;
  // File name (relative, next to the model) for external data; default "<model file>.data".
  std::string external_file;
  // Weights above this many bytes force external data (protobuf cannot hold 2 GB).
  size_t protobuf_limit_bytes = size_t{2000} << 20;
};

Status SaveModel(const ir::Model& model, const std::string& path, const SaveOptions& options = {});
// Serialises without external data; fails with kResourceExhausted above 2 GB.
Expected<std::string> SerializeModel(const ir::Model& model);

}  // namespace shrink::onnx_io
