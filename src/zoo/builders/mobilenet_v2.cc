// torchvision mobilenet_v2 (width 1.0, 224x224), random weights.
#include <string>

#include "zoo/builders.h"
#include "zoo/builders/common.h"

namespace shrink::zoo {
namespace {

using detail::ConvSpec;
using detail::Ctx;
using ir::Value;

// Conv2dNormActivation: conv + BN + ReLU6, named "<p>.0" / "<p>.1".
Value* ConvBnRelu6(Ctx& c, Value* x, const std::string& p, const ConvSpec& s) {
  return detail::Relu6(c, detail::ConvBn(c, x, p + ".0", p + ".1", s));
}

Value* InvertedResidual(Ctx& c, Value* x, const std::string& p, int64_t cin, int64_t cout,
                        int64_t stride, int64_t expand) {
  const int64_t hidden = cin * expand;
  const bool residual = stride == 1 && cin == cout;
  Value* y = x;
  int idx = 0;
  if (expand != 1) {
    // The input is the linear bottleneck (not rectified): gain 1.
    y = ConvBnRelu6(c, y, p + ".conv.0", ConvSpec{.cin = cin, .cout = hidden, .gain = 1.0f});
    idx = 1;
  }
  y = ConvBnRelu6(
      c, y, p + ".conv." + std::to_string(idx),
      ConvSpec{
          .cin = hidden, .cout = hidden, .kernel = 3, .stride = stride, .pad = 1, .group = hidden});
  // Linear bottleneck: 1x1 projection + BN, no activation. Branches that are added to a
  // residual get small gammas so that the stream does not grow along a stage.
  y = detail::ConvBn(c, y, p + ".conv." + std::to_string(idx + 1),
                     p + ".conv." + std::to_string(idx + 2), ConvSpec{.cin = hidden, .cout = cout},
                     residual ? 0.2f : 0.8f, residual ? 0.5f : 1.2f);
  return residual ? c.Op("Add", {x, y}) : y;
}

void Body(Ctx& c) {
  Value* x = c.b.Input(
      "input", DataType::kFloat32,
      {ir::Dim::Symbol("N"), ir::Dim::Known(3), ir::Dim::Known(224), ir::Dim::Known(224)});
  Value* y =
      ConvBnRelu6(c, x, "features.0",
                  ConvSpec{.cin = 3, .cout = 32, .kernel = 3, .stride = 2, .pad = 1, .gain = 1.0f});
  // t (expansion), c (channels), n (repeats), s (first stride).
  const int64_t settings[7][4] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                                  {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  int64_t cin = 32;
  int feature = 1;
  for (const auto& s : settings) {
    for (int64_t i = 0; i < s[2]; ++i) {
      y = InvertedResidual(c, y, "features." + std::to_string(feature++), cin, s[1],
                           i == 0 ? s[3] : 1, s[0]);
      cin = s[1];
    }
  }
  y = ConvBnRelu6(c, y, "features." + std::to_string(feature),
                  ConvSpec{.cin = cin, .cout = 1280, .gain = 1.0f});
  c.b.Output(detail::Classifier(c, y, "classifier.1", 1280, 1000), "logits");
}

}  // namespace

Expected<ir::Model> BuildMobileNetV2(const BuildOptions& options) {
  return detail::BuildModel(options, "mobilenet_v2", Body);
}

}  // namespace shrink::zoo
