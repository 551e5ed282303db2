// mnist_mlp: a 784-256-128-10 ReLU MLP on flattened 28x28 images (untrained architecture).
#include "zoo/builders.h"
#include "zoo/builders/small_common.h"

namespace shrink::zoo {
namespace {

using detail::Ctx;
using ir::Value;

void Body(Ctx& c) {
  Value* x = c.b.Input("input", DataType::kFloat32, {ir::Dim::Symbol("N"), ir::Dim::Known(784)});
  Value* y = detail::Relu(c, detail::Dense(c, x, "fc1", 784, 256));
  y = detail::Relu(c, detail::Dense(c, y, "fc2", 256, 128));
  c.b.Output(detail::Dense(c, y, "fc3", 128, 10, 1.0f), "logits");
}

}  // namespace

Expected<ir::Model> BuildMnistMlp(const BuildOptions& options) {
  return detail::BuildModel(options, "mnist_mlp", Body);
}

}  // namespace shrink::zoo
