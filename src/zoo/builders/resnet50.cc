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

Value* Bottleneck(Ctx& c, Value* x, const std::string& p, int64_t cin, int64_t width,
                  int64_t stride) {
  const int64_t cout = width * 4;
  Value* y = detail::Relu(
      c, detail::ConvBn(c, x, p + ".conv1", p + ".bn1", ConvSpec{.cin = cin, .cout = width}));
  y = detail::Relu(c, detail::ConvBn(c, y, p + ".conv2", p + ".bn2",
                                     ConvSpec{.cin = width, .cout = width, .kernel = 3,
                                              .stride = stride, .pad = 1}));
  y = detail::ConvBn(c, y, p + ".conv3", p + ".bn3", ConvSpec{.cin = width, .cout = cout},
                     kBranchGammaLo, kBranchGammaHi);
  Value* identity = x;
  if (stride != 1 || cin != cout) {
    identity = detail::ConvBn(c, x, p + ".downsample.0", p + ".downsample.1",
                              ConvSpec{.cin = cin, .cout = cout, .stride = stride});
  }
  return detail::Relu(c, c.Op("Add", {y, identity}));
}

void Body(Ctx& c) {
  Value* x = c.b.Input("input", DataType::kFloat32,
                       {ir::Dim::Symbol("N"), ir::Dim::Known(3), ir::Dim::Known(224),
                        ir::Dim::Known(224)});
  // The input is a normalised image (unit variance, not rectified): gain 1.
  Value* y = detail::Relu(
      c, detail::ConvBn(c, x, "conv1", "bn1",
                        ConvSpec{.cin = 3, .cout = 64, .kernel = 7, .stride = 2, .pad = 3,
                                 .gain = 1.0f}));
  y = c.Op("MaxPool", {y},
           {detail::Ints("kernel_shape", {3, 3}), detail::Ints("pads", {1, 1, 1, 1}),
            detail::Ints("strides", {2, 2}), ir::MakeAttr("ceil_mode", 0)},
           "maxpool");
  const int64_t blocks[4] = {3, 4, 6, 3};
  const int64_t widths[4] = {64, 128, 256, 512};
  int64_t cin = 64;
  for (int layer = 0; layer < 4; ++layer) {
    for (int64_t i = 0; i < blocks[layer]; ++i) {
      const std::string p = "layer" + std::to_string(layer + 1) + "." + std::to_string(i);
      const int64_t stride = (i == 0 && layer > 0) ? 2 : 1;
      y = Bottleneck(c, y, p, cin, widths[layer], stride);
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
