// Shared pieces of the zoo builders: a seeded weight generator and layer helpers that emit the
// node patterns real exporters (torch.onnx, HF transformers) write, at opset >= 17.
//
// Contract: everything here is deterministic. A WeightGen draws from one std::mt19937_64 in call
// order, so a builder that calls the helpers in a fixed order produces bit-identical weights for
// the same seed. Uniform draws use the raw generator bits (no std:: distributions, whose output
// is implementation-defined). Helpers throw shrink::Error on misuse (internal to the zoo part).
// Initializer names follow PyTorch state_dict names ("layer1.0.conv1.weight") so that models look
// like real exports.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "ir/builder.h"
#include "zoo/builders.h"

namespace shrink::zoo::detail {

// Seeded float generator.
class WeightGen {
 public:
  explicit WeightGen(uint64_t seed) : rng_(seed) {}
  // Uniform in [lo, hi).
  Tensor Uniform(const Shape& shape, float lo, float hi);
  // Zero-mean with standard deviation `std` (uniform in [-std*sqrt3, std*sqrt3), like PyTorch's
  // kaiming_uniform_/xavier_uniform_).
  Tensor Scaled(const Shape& shape, float std);
  // He (Kaiming) for weights feeding a ReLU-like nonlinearity: std = sqrt(2 / fan_in).
  Tensor He(const Shape& shape, int64_t fan_in);
  // Xavier/Glorot: std = sqrt(2 / (fan_in + fan_out)).
  Tensor Xavier(const Shape& shape, int64_t fan_in, int64_t fan_out);

 private:
  std::mt19937_64 rng_;
};

Tensor Filled(const Shape& shape, float value);

// A builder context: the graph builder plus the weight generator.
struct Ctx {
  ir::GraphBuilder& b;
  WeightGen& gen;

  ir::Value* W(const std::string& name, Tensor t) { return b.Const(name, std::move(t)); }
  ir::Value* Op(const std::string& op, const std::vector<ir::Value*>& in,
                std::vector<ir::Attribute> attrs = {}, const std::string& name = "") {
    return b.Op(op, in, std::move(attrs), name);
  }
  // Unnamed constants (the names are made unique by the builder).
  ir::Value* I64(const std::vector<int64_t>& v);  // 1-D int64
  ir::Value* F32(float v);                        // float scalar
};

// Creates a model at options.opset (checked), runs `body` on a fresh context seeded from
// options.seed, sorts and verifies the graph, and turns any shrink::Error into a Status.
Expected<ir::Model> BuildModel(const BuildOptions& options, const std::string& graph_name,
                               const std::function<void(Ctx&)>& body);

// Attribute helper that avoids the brace-initialiser ambiguity of MakeAttr.
ir::Attribute Ints(const std::string& name, std::vector<int64_t> v);

// ---- convolutional nets ----------------------------------------------------------------------
struct ConvSpec {
  int64_t cin = 0, cout = 0, kernel = 1, stride = 1, pad = 0, group = 1;
  bool bias = false;
  bool conv1d = false;  // Conv1d (input [N,C,T]) instead of Conv2d
  float gain = 2.0f;    // init variance gain over fan_in: 2 (He, before ReLU) or 1 (linear)
};
ir::Value* Conv(Ctx& c, ir::Value* x, const std::string& name, const ConvSpec& s);
// BatchNormalization with plausible random stats: gamma in [gamma_lo, gamma_hi), beta ~ ±0.1,
// running_mean ~ ±0.1, running_var in [0.7, 1.3) (matches the unit variance He init gives).
ir::Value* BatchNorm(Ctx& c, ir::Value* x, const std::string& name, int64_t channels,
                     float gamma_lo = 0.8f, float gamma_hi = 1.2f);
// Conv (no bias) + BatchNorm, named "<conv>.weight" and "<bn>.*".
ir::Value* ConvBn(Ctx& c, ir::Value* x, const std::string& conv_name, const std::string& bn_name,
                  const ConvSpec& s, float gamma_lo = 0.8f, float gamma_hi = 1.2f);
ir::Value* Relu(Ctx& c, ir::Value* x);
ir::Value* Relu6(Ctx& c, ir::Value* x);  // Clip(x, 0, 6)
// GlobalAveragePool -> Flatten -> Gemm(transB=1) with weight [out, in] (torchvision classifier).
ir::Value* Classifier(Ctx& c, ir::Value* x, const std::string& name, int64_t in, int64_t out);

// ---- transformers ----------------------------------------------------------------------------
// MatMul with weight [in, out] + Add bias (how exporters write nn.Linear on 3-D inputs).
ir::Value* Linear(Ctx& c, ir::Value* x, const std::string& name, int64_t in, int64_t out, float std,
                  bool bias = true);
ir::Value* LayerNorm(Ctx& c, ir::Value* x, const std::string& name, int64_t dim, float eps);
// x * 0.5 * (1 + Erf(x / sqrt(2)))
ir::Value* GeluErf(Ctx& c, ir::Value* x);
// 0.5 * x * (1 + Tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))  (GPT-2 "gelu_new")
ir::Value* GeluTanh(Ctx& c, ir::Value* x);
ir::Value* Swish(Ctx& c, ir::Value* x);  // x * Sigmoid(x)

// [N,S,D] -> [N,H,S,D/H] (transpose_last also swaps the last two: [N,H,D/H,S], for keys).
ir::Value* SplitHeads(Ctx& c, ir::Value* x, int64_t heads, int64_t head_dim, bool transpose_last);
// [N,H,S,Dh] -> [N,S,H*Dh]
ir::Value* MergeHeads(Ctx& c, ir::Value* x, int64_t dim);
// softmax(q k^T / sqrt(Dh) + mask) v over split heads, where q/k/v are [N,S,D]; returns [N,S,D].
// `additive_mask` (float, broadcastable to [N,H,S,S]) may be null. `keep` (bool, broadcastable
// to [N,H,S,S]; GPT-2's causal mask) may be null: scores where it is false become float min.
ir::Value* Attention(Ctx& c, ir::Value* q, ir::Value* k, ir::Value* v, int64_t heads, int64_t dim,
                     ir::Value* additive_mask, ir::Value* keep = nullptr);

}  // namespace shrink::zoo::detail
