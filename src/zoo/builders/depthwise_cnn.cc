// depthwise_cnn: a small MobileNetV2-style network for 28x28 grayscale images (untrained
// architecture): inverted residual blocks (1x1 expand, 3x3 depthwise with group = C, 1x1 linear
// projection), BatchNorm, ReLU6 as Clip(0, 6).
#include <string>

#include "zoo/builders.h"
#include "zoo/builders/small_common.h"

namespace shrink::zoo {
namespace {

using detail::ConvSpec;
using detail::Ctx;
using ir::Value;

Value* ConvBnRelu6(Ctx& c, Value* x, const std::string& p, const ConvSpec& s) {
  Value* y = detail::Conv(c, x, p + ".0", s);
  return detail::Relu6(c, detail::FreshBatchNorm(c, y, p + ".1", s.cout));
}

Value* InvertedResidual(Ctx& c, Value* x, const std::string& p, int64_t cin, int64_t cout,
                        int64_t stride, int64_t expand) {
  const int64_t hidden = cin * expand;
  Value* y = ConvBnRelu6(c, x, p + ".conv.0", ConvSpec{.cin = cin, .cout = hidden, .gain = 1.0f});
  y = ConvBnRelu6(
      c, y, p + ".conv.1",
      ConvSpec{
          .cin = hidden, .cout = hidden, .kernel = 3, .stride = stride, .pad = 1, .group = hidden});
  y = detail::Conv(c, y, p + ".conv.2", ConvSpec{.cin = hidden, .cout = cout, .gain = 1.0f});
  y = detail::FreshBatchNorm(c, y, p + ".conv.3", cout);
  return stride == 1 && cin == cout ? c.Op("Add", {x, y}) : y;
}

void Body(Ctx& c) {
  Value* x =
      c.b.Input("input", DataType::kFloat32,
                {ir::Dim::Symbol("N"), ir::Dim::Known(1), ir::Dim::Known(28), ir::Dim::Known(28)});
  Value* y = ConvBnRelu6(c, x, "features.0",
                         ConvSpec{.cin = 1, .cout = 16, .kernel = 3, .pad = 1, .gain = 1.0f});
  // expansion, channels, repeats, first stride: 28x28 -> 14x14 -> 7x7.
  const int64_t settings[3][4] = {{1, 16, 1, 1}, {4, 24, 2, 2}, {4, 32, 2, 2}};
  int64_t cin = 16;
  int feature = 1;
  for (const auto& s : settings) {
    for (int64_t i = 0; i < s[2]; ++i) {
      y = InvertedResidual(c, y, "features." + std::to_string(feature++), cin, s[1],
                           i == 0 ? s[3] : 1, s[0]);
      cin = s[1];
    }
  }
  y = ConvBnRelu6(c, y, "features." + std::to_string(feature),
                  ConvSpec{.cin = cin, .cout = 128, .gain = 1.0f});
  c.b.Output(detail::Classifier(c, y, "classifier.1", 128, 10), "logits");
}

}  // namespace

Expected<ir::Model> BuildDepthwiseCnn(const BuildOptions& options) {
  return detail::BuildModel(options, "depthwise_cnn", Body);
}

}  // namespace shrink::zoo
