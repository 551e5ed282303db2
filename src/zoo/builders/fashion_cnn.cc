// fashion_cnn: a small BatchNorm CNN for 28x28 grayscale images (untrained architecture).
#include <string>

#include "zoo/builders.h"
#include "zoo/builders/small_common.h"

namespace shrink::zoo {
namespace {

using detail::ConvSpec;
using detail::Ctx;
using ir::Value;

Value* Block(Ctx& c, Value* x, const std::string& conv, const std::string& bn, int64_t cin,
             int64_t cout) {
  Value* y = detail::Conv(c, x, conv, ConvSpec{.cin = cin, .cout = cout, .kernel = 3, .pad = 1});
  y = detail::Relu(c, detail::FreshBatchNorm(c, y, bn, cout));
  return detail::MaxPool(c, y, 2);
}

void Body(Ctx& c) {
  Value* x =
      c.b.Input("input", DataType::kFloat32,
                {ir::Dim::Symbol("N"), ir::Dim::Known(1), ir::Dim::Known(28), ir::Dim::Known(28)});
  Value* y = Block(c, x, "features.0", "features.1", 1, 32);  // [N,32,14,14]
  y = Block(c, y, "features.4", "features.5", 32, 64);        // [N,64,7,7]
  y = c.Op("Flatten", {y}, {ir::MakeAttr("axis", 1)});
  y = detail::Relu(c, detail::Dense(c, y, "classifier.0", 64 * 7 * 7, 128));
  y = detail::DropoutOp(c, y, 0.25f);
  c.b.Output(detail::Dense(c, y, "classifier.3", 128, 10, 1.0f), "logits");
}

}  // namespace

Expected<ir::Model> BuildFashionCnn(const BuildOptions& options) {
  return detail::BuildModel(options, "fashion_cnn", Body);
}

}  // namespace shrink::zoo
