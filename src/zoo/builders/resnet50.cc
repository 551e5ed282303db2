// torchvision resnet50 (v1.5: stride on the 3x3 conv), random weights.
#include <string>

#include "zoo/builders.h"
#include "zoo/builders/common.h"

namespace shrink::zoo {
namespace {

using detail::ConvSpec;
using detail::Ctx;
using ir::Value;

// The last BatchNorm of each residual branch gets small gammas (trained ResNets look like this,
// and it keeps the residual stream from growing block after block).
constexpr float kBranchGammaLo = 0.2f;
constexpr float kBranchGammaHi = 0.5f;
// E[g^2] for g uniform in [lo, hi), plus E[beta^2] for beta uniform in [-0.1, 0.1).
constexpr double kBranchM2 = (kBranchGammaLo * kBranchGammaLo + kBranchGammaLo * kBranchGammaHi +
                              kBranchGammaHi * kBranchGammaHi) /
                                 3.0 +
                             0.01 / 3.0;

// The BatchNorm running stats are random around unit variance, so every conv is scaled so that
// its output has about unit variance: gain = 1 / E[x^2] of its input. `m2` tracks the second
// moment of the residual stream (analytically; rectified unit-variance BN output has 0.5).
Value* Bottleneck(Ctx& c, Value* x, double* m2, const std::string& p, int64_t cin, int64_t width,
                  int64_t stride) {
  const int64_t cout = width * 4;
  const auto in_gain = static_cast<float>(1.0 / *m2);
  Value* y = detail::Relu(c, detail::ConvBn(c, x, p + ".conv1", p + ".bn1",
                                            ConvSpec{.cin = cin, .cout = width, .gain = in_gain}));
  y = detail::Relu(
      c, detail::ConvBn(
             c, y, p + ".conv2", p + ".bn2",
             ConvSpec{.cin = width, .cout = width, .kernel = 3, .stride = stride, .pad = 1}));
  y = detail::ConvBn(c, y, p + ".conv3", p + ".bn3", ConvSpec{.cin = width, .cout = cout},
                     kBranchGammaLo, kBranchGammaHi);
  Value* identity = x;
  if (stride != 1 || cin != cout) {
    identity =
        detail::ConvBn(c, x, p + ".downsample.0", p + ".downsample.1",
                       ConvSpec{.cin = cin, .cout = cout, .stride = stride, .gain = in_gain});
    *m2 = (1.0 + kBranchM2) / 2.0;  // zero-mean unit variance + branch, then ReLU halves it
  } else {
    *m2 += kBranchM2;  // non-negative stream + small branch: ReLU removes little
  }
  return detail::Relu(c, c.Op("Add", {y, identity}));
}

void Body(Ctx& c) {
  Value* x = c.b.Input(
      "input", DataType::kFloat32,
      {ir::Dim::Symbol("N"), ir::Dim::Known(3), ir::Dim::Known(224), ir::Dim::Known(224)});
  // The input is a normalised image (unit variance, not rectified): gain 1.
  Value* y = detail::Relu(
      c, detail::ConvBn(
             c, x, "conv1", "bn1",
             ConvSpec{.cin = 3, .cout = 64, .kernel = 7, .stride = 2, .pad = 3, .gain = 1.0f}));
  y = c.Op("MaxPool", {y},
           {detail::Ints("kernel_shape", {3, 3}), detail::Ints("pads", {1, 1, 1, 1}),
            detail::Ints("strides", {2, 2}), ir::MakeAttr("ceil_mode", 0)},
           "maxpool");
  const int64_t blocks[4] = {3, 4, 6, 3};
  const int64_t widths[4] = {64, 128, 256, 512};
  int64_t cin = 64;
  double m2 = 1.0;  // rectified unit-variance (0.5), then the 3x3 max raises it about 2x
  for (int layer = 0; layer < 4; ++layer) {
    for (int64_t i = 0; i < blocks[layer]; ++i) {
      const std::string p = "layer" + std::to_string(layer + 1) + "." + std::to_string(i);
      const int64_t stride = (i == 0 && layer > 0) ? 2 : 1;
      y = Bottleneck(c, y, &m2, p, cin, widths[layer], stride);
      cin = widths[layer] * 4;
    }
  }
  c.b.Output(detail::Classifier(c, y, "fc", 2048, 1000), "logits");
}

}  // namespace

Expected<ir::Model> BuildResNet50(const BuildOptions& options) {
  return detail::BuildModel(options, "resnet50", Body);
}

}  // namespace shrink::zoo
