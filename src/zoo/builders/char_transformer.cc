// char_transformer: a small GPT-style character language model (untrained architecture): learned
// token + position embeddings, 2 pre-LN blocks (d_model 128, 4 heads, causal mask, erf GELU MLP
// 4x), final LayerNorm and an untied LM head. Written the way torch.onnx exports such a module:
// Gather embeddings, Range positions, LayerNormalization, MatMul + Add linears, Split q/k/v,
// Where on a sliced bool causal buffer, and GELU as Div/Erf/Add/Mul/Mul.
// Initialisation follows GPT-2 / nanoGPT: weights N(0, 0.02) (uniform with that std), residual
// projections scaled by 1/sqrt(2 * layers), zero biases, LayerNorm gamma 1 / beta 0.
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

constexpr int64_t kDim = 128;
constexpr int64_t kHeads = 4;
constexpr int64_t kFfn = 4 * kDim;
constexpr int kLayers = 2;
constexpr float kEps = 1e-5f;
constexpr float kStd = 0.02f;

// nn.Linear on 3-D input as exported: MatMul with weight [in, out], then Add bias (zeros).
Value* FreshLinear(Ctx& c, Value* x, const std::string& name, int64_t in, int64_t out, float std) {
  Value* y = c.Op("MatMul", {x, c.W(name + ".weight", c.gen.Scaled({in, out}, std))}, {},
                  name + "/MatMul");
  return c.Op("Add", {y, c.W(name + ".bias", detail::Filled({out}, 0.0f))}, {}, name + "/Add");
}

Value* FreshLayerNorm(Ctx& c, Value* x, const std::string& name) {
  Value* gamma = c.W(name + ".weight", detail::Filled({kDim}, 1.0f));
  Value* beta = c.W(name + ".bias", detail::Filled({kDim}, 0.0f));
  return c.Op("LayerNormalization", {x, gamma, beta},
              {MakeAttr("axis", -1), MakeAttr("epsilon", kEps)}, name);
}

Value* Block(Ctx& c, Value* x, Value* causal, const std::string& p) {
  const float residual_std = kStd / std::sqrt(2.0f * kLayers);
  Value* a = FreshLayerNorm(c, x, p + "ln_1");
  Value* qkv = FreshLinear(c, a, p + "attn.qkv", kDim, 3 * kDim, kStd);
  std::vector<Value*> parts =
      c.b.OpN("Split", {qkv, c.I64({kDim, kDim, kDim})}, 3, {MakeAttr("axis", 2)});
  Value* ctx = detail::Attention(c, parts[0], parts[1], parts[2], kHeads, kDim, nullptr, causal);
  Value* h = c.Op("Add", {x, FreshLinear(c, ctx, p + "attn.proj", kDim, kDim, residual_std)});
  Value* m = FreshLayerNorm(c, h, p + "ln_2");
  m = detail::GeluErf(c, FreshLinear(c, m, p + "mlp.fc", kDim, kFfn, kStd));
  m = FreshLinear(c, m, p + "mlp.proj", kFfn, kDim, residual_std);
  return c.Op("Add", {h, m});
}

void Body(Ctx& c, int64_t vocab) {
  Value* ids = c.b.Input("tokens", DataType::kInt64, {ir::Dim::Symbol("N"), ir::Dim::Symbol("S")});
  Value* seq = c.Op("Gather", {c.Op("Shape", {ids}), c.b.Const(Tensor::Scalar<int64_t>(1))},
                    {MakeAttr("axis", 0)});
  Value* positions = c.Op(
      "Range", {c.b.Const(Tensor::Scalar<int64_t>(0)), seq, c.b.Const(Tensor::Scalar<int64_t>(1))});
  positions = c.Op("Unsqueeze", {positions, c.I64({0})});
  Value* tok = c.W("tok_emb.weight", c.gen.Scaled({vocab, kDim}, kStd));
  Value* pos = c.W("pos_emb.weight", c.gen.Scaled({kCharTransformerContext, kDim}, kStd));
  Value* h = c.Op("Add", {c.Op("Gather", {tok, ids}), c.Op("Gather", {pos, positions})});

  // Causal mask: a lower-triangular bool buffer [1,1,C,C] sliced to [1,1,S,S].
  const int64_t n = kCharTransformerContext;
  Tensor tri(DataType::kBool, {1, 1, n, n});
  bool* t = tri.data<bool>();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) t[i * n + j] = j <= i;
  Value* seq_1d = c.Op("Unsqueeze", {seq, c.I64({0})});
  Value* ends = c.Op("Concat", {seq_1d, seq_1d}, {MakeAttr("axis", 0)});
  Value* causal = c.Op("Slice", {c.W("causal_mask", std::move(tri)), c.I64({0, 0}), ends,
                                 c.I64({2, 3}), c.I64({1, 1})});

  for (int i = 0; i < kLayers; ++i) h = Block(c, h, causal, "blocks." + std::to_string(i) + ".");
  h = FreshLayerNorm(c, h, "ln_f");
  Value* head = c.W("lm_head.weight", c.gen.Scaled({kDim, vocab}, kStd));
  c.b.Output(c.Op("MatMul", {h, head}, {}, "lm_head/MatMul"), "logits");
}

}  // namespace

Expected<ir::Model> BuildCharTransformer(const BuildOptions& options) {
  const int64_t vocab = options.vocab_size > 0 ? options.vocab_size : kCharTransformerVocab;
  if (vocab < 2 || vocab > 65536)
    return InvalidArgument("char_transformer: vocab_size must be in [2, 65536], got " +
                           std::to_string(vocab));
  return detail::BuildModel(options, "char_transformer", [vocab](Ctx& c) { Body(c, vocab); });
}

}  // namespace shrink::zoo
