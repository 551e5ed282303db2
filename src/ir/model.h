// Model: a Graph plus the ONNX model-level fields (IR version, opset imports, producer, metadata).
// Model-local functions and training info are carried as serialized protobuf bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ir/graph.h"

namespace shrink::ir {

struct OpsetImport {
  std::string domain;  // "" (== "ai.onnx") for the default domain
  int64_t version = 0;
};

// Where a loaded model's weights came from (filled by the ONNX importer; informational).
struct ExternalDataInfo {
  int64_t tensors = 0;  // tensors read from external files
  int64_t bytes = 0;
  std::vector<std::string> files;  // distinct relative locations
};

struct Model {
  int64_t ir_version = 8;
  std::vector<OpsetImport> opset_imports;
  std::string producer_name = "shrink";
  std::string producer_version;
  std::string domain;
  int64_t model_version = 0;
  std::string doc_string;
  std::vector<std::pair<std::string, std::string>> metadata_props;
  std::vector<std::string> opaque_functions;      // serialized FunctionProto
  std::vector<std::string> opaque_training_info;  // serialized TrainingInfoProto
  std::unique_ptr<Graph> graph = std::make_unique<Graph>();
  ExternalDataInfo external_data;

  // Opset version imported for `domain` ("" and "ai.onnx" are the same); 0 when not imported.
  int64_t OpsetFor(const std::string& domain) const;
  void SetOpset(const std::string& domain, int64_t version);
};

}  // namespace shrink::ir
