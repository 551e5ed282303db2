#include "onnx/tensor_file.h"

#include <fstream>
#include <sstream>

#include "onnx/proto_convert.h"

namespace shrink::onnx_io {

Expected<NamedTensor> LoadTensorProto(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open tensor file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  onnx::TensorProto proto;
  if (!proto.ParseFromString(ss.str())) return Corrupt("'" + path + "' is not a TensorProto");
  try {
    return NamedTensor{proto.name(), TensorFromProto(proto, TensorReadContext{"", false})};
  } catch (const Error& e) {
    return e.ToStatus().WithContext(path);
  }
}

Status SaveTensorProto(const std::string& path, const std::string& name, const Tensor& t) {
  onnx::TensorProto proto;
  TensorToProto(t, &proto);
  proto.set_name(name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out || !proto.SerializeToOstream(&out)) return IOError("cannot write '" + path + "'");
  return Status::Ok();
}

}  // namespace shrink::onnx_io
