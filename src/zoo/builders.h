// Zoo builders: same-architecture graphs of well-known networks with seeded random weights, for
// latency, size and operator-coverage work (no pretrained weights of these exist in the
// registries we may use).
//
// Contract:
// - Every builder returns a verified float32 ir::Model at the requested opset (17 by default;
//   17 and 18 are accepted, both give the same graph) with a symbolic batch dim "N" (BERT and
//   GPT-2 also have a symbolic sequence dim "S"). Only standard ONNX ops are used, written the way
//   torch.onnx / HF exporters emit them (unfused BatchNormalization is kept so that passes have
//   something to fold).
// - The same BuildOptions give bit-identical weights; another seed gives different weights.
//   Weights are He/Xavier-scaled uniform draws (BatchNorm with plausible random running stats) so
//   that activations stay O(1) through the whole network for unit-scale inputs.
// - Failures (an unsupported opset, out of memory) come back as a Status; nothing throws.
// - Building is fast (BERT-base's 110M weights take about a second) but memory-heavy: the model
//   holds all weights (about 4 bytes per parameter).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "ir/graph.h"
#include "ir/model.h"

namespace shrink::zoo {

struct BuildOptions {
  uint64_t seed = 0;
  int64_t opset = 17;
  // Token models with a dataset-defined vocabulary (char_transformer): the number of token ids;
  // 0 = the builder's default. Other builders ignore it.
  int64_t vocab_size = 0;
};

// torchvision ResNet-50: input "input" [N,3,224,224], output "logits" [N,1000]; 25.6M parameters.
Expected<ir::Model> BuildResNet50(const BuildOptions& options = {});
// torchvision MobileNetV2 (width 1.0): input "input" [N,3,224,224], output "logits" [N,1000];
// ReLU6 as Clip(0,6), depthwise convs with group=C; 3.5M parameters.
Expected<ir::Model> BuildMobileNetV2(const BuildOptions& options = {});
// HF BertModel (bert-base-uncased shape): inputs "input_ids", "attention_mask" int64 [N,S]
// (S <= 512), outputs "last_hidden_state" [N,S,768] and "pooler_output" [N,768]; 109.5M params.
Expected<ir::Model> BuildBertBase(const BuildOptions& options = {});
// HF GPT2LMHeadModel (gpt2 small shape): input "input_ids" int64 [N,S] (S <= 1024), output
// "logits" [N,S,50257]; causal mask, output projection tied to the token embedding (one
// initializer, used by Gather and by Transpose+MatMul); 124.4M parameters.
Expected<ir::Model> BuildGpt2Small(const BuildOptions& options = {});
// Conformer-S encoder: input "features" [N,T,80] (log-mel), output "encoded" [N,T',144] with
// T' = ((T-1)/2-1)/2 (Conv2d subsampling x4). 16 blocks of dim 144, 4 heads, macaron FFN (x0.5,
// 576 hidden), conv module with depthwise k=31. The MHSA is plain (no relative positional
// encoding, and no positional encoding at all).
Expected<ir::Model> BuildConformerS(const BuildOptions& options = {});

// Untrained small architectures, meant to be trained by `shrink train` (PyTorch-default init:
// BatchNorm at gamma 1 / beta 0 / mean 0 / var 1). The catalog holds them trained (src/refmodels
// recipes), not as built latency models.
// fashion_cnn: input "input" [N,1,28,28], output "logits" [N,10]; Conv3x3(32)+BN+ReLU, MaxPool,
// Conv3x3(64)+BN+ReLU, MaxPool, Flatten, Gemm(128)+ReLU, Dropout(0.25), Gemm(10).
Expected<ir::Model> BuildFashionCnn(const BuildOptions& options = {});
// mnist_mlp: input "input" [N,784] (flattened image), output "logits" [N,10]; 784-256-128-10 ReLU.
Expected<ir::Model> BuildMnistMlp(const BuildOptions& options = {});
// tabular_mlp: input "input" [N,30], output "logits" [N,1] (one logit); 30-32-16-1 ReLU.
Expected<ir::Model> BuildTabularMlp(const BuildOptions& options = {});
// depthwise_cnn: input "input" [N,1,28,28], output "logits" [N,10]; MobileNetV2-style inverted
// residual blocks (depthwise convs with group=C, ReLU6 as Clip(0,6)), 28 -> 14 -> 7, GAP + Gemm.
Expected<ir::Model> BuildDepthwiseCnn(const BuildOptions& options = {});
// char_transformer: GPT-style character LM: input "tokens" int64 [N,S] (S <= 128), output
// "logits" [N,S,V] with V = options.vocab_size (default 257: <unk> + every byte, the most the
// `text` dataset format produces; pass the dataset's vocabulary size). Learned token + position
// embeddings, 2 pre-LN blocks of d_model 128 with 4 heads, causal mask, erf-GELU MLP (512),
// final LayerNorm, untied LM head (MatMul, no bias). kInvalidArgument for V outside [2, 65536].
inline constexpr int64_t kCharTransformerVocab = 257;
inline constexpr int64_t kCharTransformerContext = 128;
Expected<ir::Model> BuildCharTransformer(const BuildOptions& options = {});

// Registry of the builders, for the catalog and the fetcher.
struct BuilderInfo {
  std::string name;  // "resnet50"
  // Bumped whenever the graph or the weight draw changes, so that cached files get rebuilt.
  int version = 1;
  Expected<ir::Model> (*build)(const BuildOptions&) = nullptr;
};
const std::vector<BuilderInfo>& AllBuilders();
// nullptr when unknown.
const BuilderInfo* FindBuilder(const std::string& name);
// Registry of the untrained architectures above (not in AllBuilders, not in the catalog).
const std::vector<BuilderInfo>& ArchitectureBuilders();
// nullptr when unknown.
const BuilderInfo* FindArchitecture(const std::string& name);

// Number of parameters: the summed element counts of all float initializers of rank >= 1
// (incl. BatchNorm running statistics; excluding float scalars, which are op constants such as
// Clip bounds, and int64/bool constants such as shapes and masks).
int64_t CountParameters(const ir::Graph& graph);

}  // namespace shrink::zoo
