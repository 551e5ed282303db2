// HF transformers GPT2LMHeadModel, gpt2 (small) shape: 12 x 768, 12 heads, vocab 50257, 1024
// positions; pre-LN blocks, tanh GELU ("gelu_new"), causal mask from a sliced bool buffer, and the
// LM head tied to the token embedding (Transpose + MatMul on the same initializer). Random weights.
#include <cmath>
#include <string>
#include <vector>

#include "zoo/builders.h"
#include "zoo/builders/common.h"

namespace shrink::zoo {
namespace {

using detail::Ctx;
using ir::MakeAttr;
using ir::Value;

constexpr int64_t kVocab = 50257;
constexpr int64_t kCtx = 1024;
constexpr int64_t kDim = 768;
constexpr int64_t kHeads = 12;
constexpr int64_t kFfn = 3072;
constexpr int kLayers = 12;
constexpr float kEps = 1e-5f;

float XavierStd(int64_t in, int64_t out) { return std::sqrt(2.0f / static_cast<float>(in + out)); }

// GPT-2 scales the projections that write into the residual stream by 1/sqrt(2 * n_layer).
const float kResidualScale = 1.0f / std::sqrt(2.0f * kLayers);

Value* Block(Ctx& c, Value* x, Value* causal, const std::string& p) {
  Value* a = detail::LayerNorm(c, x, p + "ln_1", kDim, kEps);
  Value* qkv = detail::Linear(c, a, p + "attn.c_attn", kDim, 3 * kDim, XavierStd(kDim, kDim));
  std::vector<Value*> parts =
      c.b.OpN("Split", {qkv, c.I64({kDim, kDim, kDim})}, 3, {MakeAttr("axis", 2)});
  Value* ctx = detail::Attention(c, parts[0], parts[1], parts[2], kHeads, kDim, nullptr, causal);
  Value* attn =
      detail::Linear(c, ctx, p + "attn.c_proj", kDim, kDim, XavierStd(kDim, kDim) * kResidualScale);
  Value* h = c.Op("Add", {x, attn});
  Value* m = detail::LayerNorm(c, h, p + "ln_2", kDim, kEps);
  m = detail::GeluTanh(c, detail::Linear(c, m, p + "mlp.c_fc", kDim, kFfn, XavierStd(kDim, kFfn)));
  m = detail::Linear(c, m, p + "mlp.c_proj", kFfn, kDim, XavierStd(kFfn, kDim) * kResidualScale);
  return c.Op("Add", {h, m});
}

void Body(Ctx& c) {
  Value* ids =
      c.b.Input("input_ids", DataType::kInt64, {ir::Dim::Symbol("N"), ir::Dim::Symbol("S")});
  Value* seq = c.Op("Gather", {c.Op("Shape", {ids}), c.b.Const(Tensor::Scalar<int64_t>(1))},
                    {MakeAttr("axis", 0)});
  Value* positions = c.Op(
      "Range", {c.b.Const(Tensor::Scalar<int64_t>(0)), seq, c.b.Const(Tensor::Scalar<int64_t>(1))});
  positions = c.Op("Unsqueeze", {positions, c.I64({0})});

  Value* wte = c.W("transformer.wte.weight", c.gen.Scaled({kVocab, kDim}, 0.02f));
  Value* wpe = c.W("transformer.wpe.weight", c.gen.Scaled({kCtx, kDim}, 0.01f));
  Value* h = c.Op("Add", {c.Op("Gather", {wte, ids}), c.Op("Gather", {wpe, positions})});

  // Causal mask: the lower-triangular bool buffer "bias" [1,1,1024,1024] sliced to [1,1,S,S].
  Tensor tri(DataType::kBool, {1, 1, kCtx, kCtx});
  bool* t = tri.data<bool>();
  for (int64_t i = 0; i < kCtx; ++i)
    for (int64_t j = 0; j < kCtx; ++j) t[i * kCtx + j] = j <= i;
  Value* seq_1d = c.Op("Unsqueeze", {seq, c.I64({0})});
  Value* ends = c.Op("Concat", {seq_1d, seq_1d}, {MakeAttr("axis", 0)});
  Value* causal = c.Op("Slice", {c.W("transformer.h.0.attn.bias", std::move(tri)), c.I64({0, 0}),
                                 ends, c.I64({2, 3}), c.I64({1, 1})});

  for (int i = 0; i < kLayers; ++i)
    h = Block(c, h, causal, "transformer.h." + std::to_string(i) + ".");
  h = detail::LayerNorm(c, h, "transformer.ln_f", kDim, kEps);
  Value* head = c.Op("Transpose", {wte}, {detail::Ints("perm", {1, 0})}, "lm_head/Transpose");
  c.b.Output(c.Op("MatMul", {h, head}, {}, "lm_head/MatMul"), "logits");
}

}  // namespace

Expected<ir::Model> BuildGpt2Small(const BuildOptions& options) {
  return detail::BuildModel(options, "gpt2_small", Body);
}

}  // namespace shrink::zoo
