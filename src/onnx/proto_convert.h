// Conversions between ONNX protobuf messages and IR pieces (internal to the onnx part).
// Functions throw shrink::Error; LoadModel/SaveModel turn that into a Status.
#pragma once

#include <string>

#include "core/tensor.h"
#include "ir/model.h"
#include "ir/value.h"
#include "onnx/onnx-ml.pb.h"

namespace shrink::onnx_io {

struct TensorReadContext {
  std::string base_dir;       // model folder, for external data ("" refuses external data)
  bool load_external = true;  // false: external tensors stay undefined
  ir::ExternalDataInfo* external_info = nullptr;  // optional: records what was read
};

Tensor TensorFromProto(const onnx::TensorProto& proto, const TensorReadContext& ctx);
// Writes data as raw_data (or string_data); name is set by the caller.
void TensorToProto(const Tensor& t, onnx::TensorProto* proto);

ir::TypeInfo TypeFromProto(const onnx::TypeProto& proto);
void TypeToProto(const ir::TypeInfo& type, onnx::TypeProto* proto);

}  // namespace shrink::onnx_io
