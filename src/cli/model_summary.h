// ModelSummary: what `shrink inspect` reports about a model — op counts (incl. subgraphs),
// parameters, size, opsets, inputs/outputs and where the weights live — as text or JSON.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "ir/model.h"

namespace shrink::cli {

struct ModelSummary {
  std::string path;
  uint64_t file_bytes = 0;
  int64_t ir_version = 0;
  std::vector<std::pair<std::string, int64_t>> opsets;  // domain ("ai.onnx" for ""), version
  std::string producer;
  int64_t nodes = 0;
  std::vector<std::pair<std::string, int64_t>> op_counts;  // most frequent first
  // Elements of the weights (initializers + Constant nodes) of float and 8 / 4-bit integer types
  // (quantized weight codes count), in all and per type (most first).
  int64_t parameters = 0;
  std::vector<std::pair<std::string, int64_t>> parameters_by_dtype;
  int64_t initializers = 0, initializer_bytes = 0;
  int64_t constant_nodes = 0, constant_bytes = 0;
  int64_t external_tensors = 0, external_bytes = 0;
  std::vector<std::string> external_files;
  int64_t subgraphs = 0;
  std::vector<std::pair<std::string, std::string>> inputs, outputs;  // name, type
  std::vector<std::string> unsupported_ops;  // ops without a reference kernel
};

ModelSummary Summarize(const ir::Model& model, const std::string& path);
nlohmann::json ToJson(const ModelSummary& s);
std::string ToText(const ModelSummary& s);
std::string HumanBytes(uint64_t bytes);  // "10.3 MB"

}  // namespace shrink::cli
