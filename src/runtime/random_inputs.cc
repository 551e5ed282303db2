#include "runtime/random_inputs.h"

#include <random>

namespace shrink::runtime {

Expected<Shape> ResolveInputShape(const ir::Value& input, const DimValues& dims) {
  const ir::TypeInfo& t = input.type();
  if (!t.shape)
    return InvalidArgument("input '" + input.name() + "' has unknown rank; give its shape");
  Shape shape;
  for (const ir::Dim& d : *t.shape) {
    if (d.is_known()) {
      shape.push_back(d.value);
    } else if (auto it = dims.find(d.param); !d.param.empty() && it != dims.end()) {
      shape.push_back(it->second);
    } else {
      shape.push_back(1);
    }
  }
  return shape;
}

Tensor RandomTensor(DataType dtype, const Shape& shape, uint64_t seed) {
  Tensor t(dtype, shape);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> real(-1.0, 1.0);
  std::uniform_int_distribution<int> integer(0, 9);
  for (int64_t i = 0; i < t.numel(); ++i) {
    if (IsFloat(dtype))
      t.SetFromDouble(i, real(rng));
    else if (dtype == DataType::kBool)
      t.SetFromDouble(i, integer(rng) % 2);
    else
      t.SetFromDouble(i, integer(rng));
  }
  return t;
}

Expected<Feeds> MakeRandomFeeds(const ir::Graph& graph, uint64_t seed, const DimValues& dims) {
  Feeds feeds;
  uint64_t k = 0;
  for (const ir::Value* v : graph.inputs()) {
    if (v->type().dtype == DataType::kUndefined || v->type().dtype == DataType::kString)
      return Unimplemented("cannot make random data for input '" + v->name() + "' of type " +
                           ir::TypeInfoToString(v->type()));
    SHRINK_ASSIGN_OR_RETURN(Shape shape, ResolveInputShape(*v, dims));
    auto t = Tensor::Create(v->type().dtype, shape);
    if (!t.ok()) return t.status().WithContext("input '" + v->name() + "'");
    feeds.emplace_back(v->name(), RandomTensor(v->type().dtype, shape, seed + 7919 * ++k));
  }
  return feeds;
}

}  // namespace shrink::runtime
