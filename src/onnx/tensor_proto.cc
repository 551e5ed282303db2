#include <algorithm>
#include <cstring>

#include "onnx/external_data.h"
#include "onnx/proto_convert.h"

namespace shrink::onnx_io {

namespace {

std::string TensorName(const onnx::TensorProto& p) {
  return "tensor '" + (p.name().empty() ? std::string("<unnamed>") : p.name()) + "'";
}

void ReadExternal(const onnx::TensorProto& p, const TensorReadContext& ctx, Tensor& t) {
  std::string location;
  uint64_t offset = 0;
  int64_t length = -1;
  for (const auto& kv : p.external_data()) {
    try {
      if (kv.key() == "location")
        location = kv.value();
      else if (kv.key() == "offset")
        offset = std::stoull(kv.value());
      else if (kv.key() == "length")
        length = std::stoll(kv.value());
    } catch (const std::exception&) {
      Throw(StatusCode::kCorrupt, TensorName(p) + ": bad external data field '" + kv.key() + "'");
    }
  }
  if (length >= 0 && static_cast<uint64_t>(length) != t.nbytes())
    Throw(StatusCode::kCorrupt, TensorName(p) + ": external data length " + std::to_string(length) +
                                    " disagrees with shape " + ShapeToString(t.shape()) + " (" +
                                    std::to_string(t.nbytes()) + " bytes)");
  auto path = ResolveExternalPath(ctx.base_dir, location);
  if (!path.ok()) Throw(path.status().WithContext(TensorName(p)));
  Status s = ReadFileRange(*path, offset, t.nbytes(), t.raw());
  if (!s.ok()) Throw(s.WithContext(TensorName(p)));
  if (ir::ExternalDataInfo* info = ctx.external_info) {
    ++info->tensors;
    info->bytes += static_cast<int64_t>(t.nbytes());
    if (std::find(info->files.begin(), info->files.end(), location) == info->files.end())
      info->files.push_back(location);
  }
}

template <typename Src>
void CheckCount(const onnx::TensorProto& p, const Src& src, int64_t expected) {
  if (static_cast<int64_t>(src.size()) != expected)
    Throw(StatusCode::kCorrupt, TensorName(p) + " has " + std::to_string(src.size()) +
                                    " values but its shape needs " + std::to_string(expected));
}

// Typed (non-raw) fields: each element goes through SetFromDouble-free exact paths.
void ReadTypedFields(const onnx::TensorProto& p, Tensor& t) {
  const int64_t n = t.numel();
  switch (t.dtype()) {
    case DataType::kFloat32:
      CheckCount(p, p.float_data(), n);
      std::copy(p.float_data().begin(), p.float_data().end(), t.data<float>());
      return;
    case DataType::kFloat64:
      CheckCount(p, p.double_data(), n);
      std::copy(p.double_data().begin(), p.double_data().end(), t.data<double>());
      return;
    case DataType::kInt64:
      CheckCount(p, p.int64_data(), n);
      std::copy(p.int64_data().begin(), p.int64_data().end(), t.data<int64_t>());
      return;
    case DataType::kUInt32:
    case DataType::kUInt64: {
      CheckCount(p, p.uint64_data(), n);
      for (int64_t i = 0; i < n; ++i) {
        const uint64_t v = p.uint64_data(static_cast<int>(i));
        if (t.dtype() == DataType::kUInt32)
          t.data<uint32_t>()[i] = static_cast<uint32_t>(v);
        else
          t.data<uint64_t>()[i] = v;
      }
      return;
    }
    case DataType::kString:
      CheckCount(p, p.string_data(), n);
      for (int64_t i = 0; i < n; ++i)
        t.strings()[static_cast<size_t>(i)] = p.string_data(static_cast<int>(i));
      return;
    case DataType::kInt4:
    case DataType::kUInt4: {  // int32_data holds one packed byte per element pair
      CheckCount(p, p.int32_data(), static_cast<int64_t>(t.nbytes()));
      auto* dst = static_cast<uint8_t*>(t.raw());
      for (int i = 0; i < p.int32_data_size(); ++i) dst[i] = static_cast<uint8_t>(p.int32_data(i));
      return;
    }
    default: {  // int32, int16, int8, uint16, uint8, bool, float16, bfloat16 live in int32_data
      CheckCount(p, p.int32_data(), n);
      const int bytes = BitsOf(t.dtype()) / 8;
      auto* dst = static_cast<uint8_t*>(t.raw());
      for (int64_t i = 0; i < n; ++i) {
        const int32_t v = p.int32_data(static_cast<int>(i));
        std::memcpy(dst + i * bytes, &v, static_cast<size_t>(bytes));  // little-endian truncation
      }
      return;
    }
  }
}

}  // namespace

Tensor TensorFromProto(const onnx::TensorProto& p, const TensorReadContext& ctx) {
  if (!IsKnownDataType(p.data_type()) || p.data_type() == 0)
    Throw(StatusCode::kUnimplemented,
          TensorName(p) + " has unsupported data type " + std::to_string(p.data_type()));
  if (p.has_segment()) Throw(StatusCode::kUnimplemented, TensorName(p) + " uses segments");
  Shape shape;
  for (int64_t d : p.dims()) {
    if (d < 0) Throw(StatusCode::kCorrupt, TensorName(p) + " has a negative dimension");
    shape.push_back(d);
  }
  if (NumElements(shape) < 0)
    Throw(StatusCode::kCorrupt, TensorName(p) + " shape " + ShapeToString(shape) + " overflows");
  auto created = Tensor::Create(static_cast<DataType>(p.data_type()), shape);
  if (!created.ok()) Throw(created.status().WithContext(TensorName(p)));
  Tensor t = std::move(created).value();

  if (p.data_location() == onnx::TensorProto::EXTERNAL) {
    if (t.dtype() == DataType::kString)
      Throw(StatusCode::kCorrupt, TensorName(p) + ": string tensors cannot be external");
    if (!ctx.load_external) return Tensor();
    ReadExternal(p, ctx, t);
    return t;
  }
  if (p.has_raw_data()) {
    if (t.dtype() == DataType::kString)
      Throw(StatusCode::kCorrupt, TensorName(p) + ": string tensor with raw_data");
    if (p.raw_data().size() != t.nbytes())
      Throw(StatusCode::kCorrupt, TensorName(p) + " raw_data has " +
                                      std::to_string(p.raw_data().size()) + " bytes but " +
                                      DataTypeName(t.dtype()) + ShapeToString(shape) + " needs " +
                                      std::to_string(t.nbytes()));
    if (t.nbytes() > 0) std::memcpy(t.raw(), p.raw_data().data(), t.nbytes());
    return t;
  }
  ReadTypedFields(p, t);
  return t;
}

void TensorToProto(const Tensor& t, onnx::TensorProto* proto) {
  proto->set_data_type(static_cast<int32_t>(t.dtype()));
  for (int64_t d : t.shape()) proto->add_dims(d);
  if (t.dtype() == DataType::kString) {
    for (const auto& s : t.strings()) proto->add_string_data(s);
    return;
  }
  proto->set_raw_data(static_cast<const char*>(t.raw()), t.nbytes());
}

ir::TypeInfo TypeFromProto(const onnx::TypeProto& proto) {
  ir::TypeInfo type;
  if (!proto.has_tensor_type()) {
    type.opaque = proto.SerializeAsString();
    return type;
  }
  const auto& tt = proto.tensor_type();
  type.dtype = IsKnownDataType(tt.elem_type()) ? static_cast<DataType>(tt.elem_type())
                                               : DataType::kUndefined;
  if (tt.elem_type() != 0 && !IsKnownDataType(tt.elem_type())) {
    type.opaque = proto.SerializeAsString();  // keep an unknown element type verbatim
    return type;
  }
  if (tt.has_shape()) {
    type.shape.emplace();
    for (const auto& d : tt.shape().dim()) {
      if (d.has_dim_value())
        type.shape->push_back(ir::Dim::Known(d.dim_value()));
      else if (d.has_dim_param())
        type.shape->push_back(ir::Dim::Symbol(d.dim_param()));
      else
        type.shape->push_back(ir::Dim{});
    }
  }
  return type;
}

void TypeToProto(const ir::TypeInfo& type, onnx::TypeProto* proto) {
  if (!type.opaque.empty()) {
    if (!proto->ParseFromString(type.opaque)) proto->Clear();
    return;
  }
  auto* tt = proto->mutable_tensor_type();
  tt->set_elem_type(static_cast<int32_t>(type.dtype));
  if (!type.shape) return;
  auto* shape = tt->mutable_shape();
  for (const auto& d : *type.shape) {
    auto* dim = shape->add_dim();
    if (d.is_known())
      dim->set_dim_value(d.value);
    else if (!d.param.empty())
      dim->set_dim_param(d.param);
  }
}

}  // namespace shrink::onnx_io
