// tabular_mlp: a 30-32-16-1 ReLU MLP for binary tabular classification (one logit; untrained).
#include "zoo/builders.h"
#include "zoo/builders/small_common.h"

namespace shrink::zoo {
namespace {

using detail::Ctx;
using ir::Value;

void Body(Ctx& c) {
  Value* x = c.b.Input("input", DataType::kFloat32, {ir::Dim::Symbol("N"), ir::Dim::Known(30)});
  Value* y = detail::Relu(c, detail::Dense(c, x, "fc1", 30, 32));
  y = detail::Relu(c, detail::Dense(c, y, "fc2", 32, 16));
  c.b.Output(detail::Dense(c, y, "fc3", 16, 1, 1.0f), "logits");
}

}  // namespace

Expected<ir::Model> BuildTabularMlp(const BuildOptions& options) {
  return detail::BuildModel(options, "tabular_mlp", Body);
}

}  // namespace shrink::zoo
