// HF transformers BertModel, bert-base-uncased shape (12 x 768, 12 heads, FFN 3072), random
// weights, written the way torch.onnx exports it (post-LN, erf GELU, LayerNormalization op).
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

constexpr int64_t kVocab = 30522;
constexpr int64_t kMaxPos = 512;
constexpr int64_t kTypes = 2;
constexpr int64_t kDim = 768;
constexpr int64_t kHeads = 12;
constexpr int64_t kFfn = 3072;
constexpr int kLayers = 12;
constexpr float kEps = 1e-12f;
constexpr float kEmbStd = 0.02f;  // BERT's initializer_range

float XavierStd(int64_t in, int64_t out) { return std::sqrt(2.0f / static_cast<float>(in + out)); }

Value* Dense(Ctx& c, Value* x, const std::string& name, int64_t in, int64_t out) {
  return detail::Linear(c, x, name, in, out, XavierStd(in, out));
}

// Slice a [1, kMaxPos] int64 buffer to [1, S] (how HF's position_ids/token_type_ids buffers
// appear in exports).
Value* SliceBuffer(Ctx& c, const std::string& name, std::vector<int64_t> values, Value* seq_1d) {
  Value* buf = c.W(name, Tensor::FromVector<int64_t>({1, kMaxPos}, values));
  return c.Op("Slice", {buf, c.I64({0}), seq_1d, c.I64({1}), c.I64({1})});
}

Value* Layer(Ctx& c, Value* x, Value* mask, const std::string& p) {
  Value* q = Dense(c, x, p + "attention.self.query", kDim, kDim);
  Value* k = Dense(c, x, p + "attention.self.key", kDim, kDim);
  Value* v = Dense(c, x, p + "attention.self.value", kDim, kDim);
  Value* ctx = detail::Attention(c, q, k, v, kHeads, kDim, mask);
  Value* attn = Dense(c, ctx, p + "attention.output.dense", kDim, kDim);
  Value* h =
      detail::LayerNorm(c, c.Op("Add", {attn, x}), p + "attention.output.LayerNorm", kDim, kEps);
  Value* inter = detail::GeluErf(c, Dense(c, h, p + "intermediate.dense", kDim, kFfn));
  Value* out = Dense(c, inter, p + "output.dense", kFfn, kDim);
  return detail::LayerNorm(c, c.Op("Add", {out, h}), p + "output.LayerNorm", kDim, kEps);
}

void Body(Ctx& c) {
  const std::vector<ir::Dim> shape = {ir::Dim::Symbol("N"), ir::Dim::Symbol("S")};
  Value* ids = c.b.Input("input_ids", DataType::kInt64, shape);
  Value* mask_in = c.b.Input("attention_mask", DataType::kInt64, shape);

  // Embeddings.
  Value* seq = c.Op("Gather", {c.Op("Shape", {ids}), c.b.Const(Tensor::Scalar<int64_t>(1))},
                    {MakeAttr("axis", 0)});
  Value* seq_1d = c.Op("Unsqueeze", {seq, c.I64({0})});
  std::vector<int64_t> positions(kMaxPos);
  for (int64_t i = 0; i < kMaxPos; ++i) positions[static_cast<size_t>(i)] = i;
  Value* pos_ids = SliceBuffer(c, "embeddings.position_ids", positions, seq_1d);
  Value* type_ids =
      SliceBuffer(c, "embeddings.token_type_ids", std::vector<int64_t>(kMaxPos, 0), seq_1d);
  Value* word =
      c.Op("Gather",
           {c.W("embeddings.word_embeddings.weight", c.gen.Scaled({kVocab, kDim}, kEmbStd)), ids});
  Value* pos =
      c.Op("Gather",
           {c.W("embeddings.position_embeddings.weight", c.gen.Scaled({kMaxPos, kDim}, kEmbStd)),
            pos_ids});
  Value* type =
      c.Op("Gather",
           {c.W("embeddings.token_type_embeddings.weight", c.gen.Scaled({kTypes, kDim}, kEmbStd)),
            type_ids});
  Value* emb = c.Op("Add", {c.Op("Add", {word, type}), pos});
  Value* h = detail::LayerNorm(c, emb, "embeddings.LayerNorm", kDim, kEps);

  // Extended attention mask: (1 - mask[:, None, None, :]) * -10000.
  Value* m = c.Op("Unsqueeze", {mask_in, c.I64({1, 2})});
  m = c.Op("Cast", {m}, {MakeAttr("to", static_cast<int64_t>(DataType::kFloat32))});
  m = c.Op("Mul", {c.Op("Sub", {c.F32(1.0f), m}), c.F32(-10000.0f)});

  for (int i = 0; i < kLayers; ++i) h = Layer(c, h, m, "encoder.layer." + std::to_string(i) + ".");
  c.b.Output(h, "last_hidden_state");

  // Pooler: tanh(dense(h[:, 0])) — exported as Gather + Gemm.
  Value* first = c.Op("Gather", {h, c.b.Const(Tensor::Scalar<int64_t>(0))}, {MakeAttr("axis", 1)});
  Value* pw = c.W("pooler.dense.weight", c.gen.Xavier({kDim, kDim}, kDim, kDim));
  Value* pb = c.W("pooler.dense.bias", c.gen.Uniform({kDim}, -0.02f, 0.02f));
  Value* pooled = c.Op("Gemm", {first, pw, pb},
                       {MakeAttr("alpha", 1.0f), MakeAttr("beta", 1.0f), MakeAttr("transB", 1)},
                       "pooler.dense");
  c.b.Output(c.Op("Tanh", {pooled}), "pooler_output");
}

}  // namespace

Expected<ir::Model> BuildBertBase(const BuildOptions& options) {
  return detail::BuildModel(options, "bert_base", Body);
}

}  // namespace shrink::zoo
