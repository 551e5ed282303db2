// Reading and writing single serialized onnx.TensorProto files (.pb), as used by the ONNX backend
// test data (test_data_set_N/input_K.pb).
#pragma once

#include <string>

#include "core/status.h"
#include "core/tensor.h"

namespace shrink::onnx_io {

struct NamedTensor {
  std::string name;
  Tensor tensor;
};

// kCorrupt when the file is not a TensorProto or its data disagrees with its shape;
// kUnimplemented for element types shrink does not represent.
Expected<NamedTensor> LoadTensorProto(const std::string& path);
Status SaveTensorProto(const std::string& path, const std::string& name, const Tensor& t);

}  // namespace shrink::onnx_io
