// Conformer-S encoder (Gulati et al. 2020; ESPnet naming): Conv2d subsampling x4, 16 blocks of
// dim 144 with 4 heads, macaron FFN (x0.5, hidden 576), plain MHSA (no relative positional
// encoding, no positional encoding at all), conv module (pointwise Conv1d -> GLU -> depthwise
// Conv1d k=31 -> BatchNorm -> Swish -> pointwise Conv1d), per-block final LayerNorm and an
// encoder after_norm. Random weights.
#include <cmath>
#include <string>
#include <vector>

#include "zoo/builders.h"
#include "zoo/builders/common.h"

namespace shrink::zoo {
namespace {

using detail::ConvSpec;
using detail::Ctx;
using ir::MakeAttr;
using ir::Value;

constexpr int64_t kMels = 80;
constexpr int64_t kDim = 144;
constexpr int64_t kHeads = 4;
constexpr int64_t kFfn = 576;
constexpr int64_t kKernel = 31;
constexpr int kBlocks = 16;
constexpr float kEps = 1e-12f;  // ESPnet's LayerNorm epsilon

float XavierStd(int64_t in, int64_t out) { return std::sqrt(2.0f / static_cast<float>(in + out)); }

Value* FeedForward(Ctx& c, Value* x, const std::string& p, const std::string& norm) {
  Value* y = detail::LayerNorm(c, x, norm, kDim, kEps);
  y = detail::Swish(c, detail::Linear(c, y, p + ".w_1", kDim, kFfn, XavierStd(kDim, kFfn)));
  y = detail::Linear(c, y, p + ".w_2", kFfn, kDim, XavierStd(kFfn, kDim));
  return c.Op("Add", {x, c.Op("Mul", {y, c.F32(0.5f)})});
}

Value* SelfAttention(Ctx& c, Value* x, const std::string& p, const std::string& norm) {
  Value* y = detail::LayerNorm(c, x, norm, kDim, kEps);
  const float s = XavierStd(kDim, kDim);
  Value* q = detail::Linear(c, y, p + ".linear_q", kDim, kDim, s);
  Value* k = detail::Linear(c, y, p + ".linear_k", kDim, kDim, s);
  Value* v = detail::Linear(c, y, p + ".linear_v", kDim, kDim, s);
  Value* ctx = detail::Attention(c, q, k, v, kHeads, kDim, nullptr);
  return c.Op("Add", {x, detail::Linear(c, ctx, p + ".linear_out", kDim, kDim, s)});
}

Value* ConvModule(Ctx& c, Value* x, const std::string& p, const std::string& norm) {
  Value* y = detail::LayerNorm(c, x, norm, kDim, kEps);
  y = c.Op("Transpose", {y}, {detail::Ints("perm", {0, 2, 1})});  // [N, C, T]
  y = detail::Conv(
      c, y, p + ".pointwise_conv1",
      ConvSpec{.cin = kDim, .cout = 2 * kDim, .bias = true, .conv1d = true, .gain = 1.0f});
  // GLU over channels: a * sigmoid(b).
  std::vector<Value*> ab = c.b.OpN("Split", {y, c.I64({kDim, kDim})}, 2, {MakeAttr("axis", 1)});
  y = c.Op("Mul", {ab[0], c.Op("Sigmoid", {ab[1]})});
  y = detail::Conv(c, y, p + ".depthwise_conv",
                   ConvSpec{.cin = kDim,
                            .cout = kDim,
                            .kernel = kKernel,
                            .pad = kKernel / 2,
                            .group = kDim,
                            .bias = true,
                            .conv1d = true});
  y = detail::Swish(c, detail::BatchNorm(c, y, p + ".norm", kDim));
  y = detail::Conv(c, y, p + ".pointwise_conv2",
                   ConvSpec{.cin = kDim, .cout = kDim, .bias = true, .conv1d = true});
  y = c.Op("Transpose", {y}, {detail::Ints("perm", {0, 2, 1})});
  return c.Op("Add", {x, y});
}

Value* Block(Ctx& c, Value* x, const std::string& p) {
  x = FeedForward(c, x, p + "feed_forward_macaron", p + "norm_ff_macaron");
  x = SelfAttention(c, x, p + "self_attn", p + "norm_mha");
  x = ConvModule(c, x, p + "conv_module", p + "norm_conv");
  x = FeedForward(c, x, p + "feed_forward", p + "norm_ff");
  return detail::LayerNorm(c, x, p + "norm_final", kDim, kEps);
}

void Body(Ctx& c) {
  Value* x = c.b.Input("features", DataType::kFloat32,
                       {ir::Dim::Symbol("N"), ir::Dim::Symbol("T"), ir::Dim::Known(kMels)});
  // Conv2dSubsampling: [N,1,T,80] -> conv3x3/2 -> ReLU -> conv3x3/2 -> ReLU -> [N,144,T',19].
  Value* y = c.Op("Unsqueeze", {x, c.I64({1})});
  y = detail::Relu(
      c,
      detail::Conv(
          c, y, "encoder.embed.conv.0",
          ConvSpec{.cin = 1, .cout = kDim, .kernel = 3, .stride = 2, .bias = true, .gain = 1.0f}));
  y = detail::Relu(
      c, detail::Conv(c, y, "encoder.embed.conv.2",
                      ConvSpec{.cin = kDim, .cout = kDim, .kernel = 3, .stride = 2, .bias = true}));
  const int64_t freq = ((kMels - 1) / 2 - 1) / 2;  // 19
  y = c.Op("Transpose", {y}, {detail::Ints("perm", {0, 2, 1, 3})});
  y = c.Op("Reshape", {y, c.I64({0, 0, kDim * freq})});
  y = detail::Linear(c, y, "encoder.embed.out.0", kDim * freq, kDim, XavierStd(kDim * freq, kDim));

  for (int i = 0; i < kBlocks; ++i) y = Block(c, y, "encoder.encoders." + std::to_string(i) + ".");
  c.b.Output(detail::LayerNorm(c, y, "encoder.after_norm", kDim, kEps), "encoded");
}

}  // namespace

Expected<ir::Model> BuildConformerS(const BuildOptions& options) {
  return detail::BuildModel(options, "conformer_s", Body);
}

}  // namespace shrink::zoo
