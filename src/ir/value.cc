#include "ir/value.h"

namespace shrink::ir {

TypeInfo TypeInfo::Tensor(DataType dtype, const Shape& dims) {
  TypeInfo t;
  t.dtype = dtype;
  t.shape.emplace();
  for (int64_t d : dims) t.shape->push_back(Dim::Known(d));
  return t;
}

bool TypeInfo::has_static_shape() const {
  if (!shape) return false;
  for (const auto& d : *shape)
    if (!d.is_known()) return false;
  return true;
}

Shape TypeInfo::static_shape() const {
  Shape s;
  if (shape)
    for (const auto& d : *shape) s.push_back(d.value);
  return s;
}

std::string TypeInfoToString(const TypeInfo& t) {
  if (!t.opaque.empty()) return "<non-tensor type>";
  std::string s = DataTypeName(t.dtype);
  if (!t.shape) return s + "[?]";
  s += "[";
  for (size_t i = 0; i < t.shape->size(); ++i) {
    const Dim& d = (*t.shape)[i];
    if (i) s += ", ";
    s += d.is_known() ? std::to_string(d.value) : (d.param.empty() ? "?" : d.param);
  }
  return s + "]";
}

}  // namespace shrink::ir
