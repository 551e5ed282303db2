// The typed configurations of the built-in policy stages (see stage_config.h for the contract).
// Lists mark options the search explores; scalars are fixed. Defaults are what a user who writes
// `- ptq: {}` gets: the choices that are usually best, not every choice.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/stage_config.h"
#include "quant/policy.h"

namespace shrink::pipeline {

// `fold`: canonicalisation and fusion (constant folding, BatchNorm folding, MatMul+Add -> Gemm,
// activation/GELU/LayerNorm/attention fusion).
struct FoldConfig : StageConfig {
  bool fuse = true;  // false: only fold constants and BatchNorm (no fused com.shrink ops)
  std::string kind() const override { return "fold"; }
  nlohmann::json ToJson() const override;
};

// `ptq`: post-training static (or dynamic) int8 quantization.
struct PtqConfig : StageConfig {
  std::vector<std::string> methods = {"minmax", "entropy"};  // minmax percentile entropy mse
  double percentile = 99.99;                                 // for "percentile"
  std::vector<bool> per_channel = {true};
  std::vector<bool> symmetric = {true};  // weights; activations follow `activations`
  // 7-bit weights (QuantPolicy::reduce_range): by default where int8 kernels saturate (x86 CPUs
  // without VNNI: there ONNX Runtime is inaccurate with full-range weights and shrink's runtime
  // runs them in float, slower than fp32).
  std::vector<bool> reduce_range = {quant::Int8PairSumsSaturateHere()};
  std::vector<std::string> activations = {"u8"};  // u8 (asymmetric) | s8 (symmetric)
  std::vector<bool> dynamic = {false};
  std::vector<bool> keep_first_last = {false};
  std::vector<bool> quantize_outputs = {true};  // false: float outputs (only inputs/weights QDQ)
  // false: a Conv before a HardSwish quantizes its own output too (QuantPolicy::fold_hardswish:
  // the form ONNX Runtime runs as QLinearConv).
  std::vector<bool> fold_hardswish = {true};
  std::vector<bool> cle = {false};                     // cross-layer equalization first
  std::vector<bool> bias_correction = {false};         // empirical bias correction after
  std::vector<double> smoothquant = {-1};              // alpha in [0, 1]; -1 (`off`): none
  std::vector<std::string> weight_rounding = {"rtn"};  // int8 weight codes: rtn | gptq
  std::vector<std::string> exclude;                    // node names (exact) kept in float
  std::vector<std::string> op_types = {"Conv", "MatMul", "Gemm"};
  std::string format = "qdq";  // qdq | qoperator
  int64_t calibration_samples = 512;
  std::string kind() const override { return "ptq"; }
  std::vector<Axis> Axes() const override;
  nlohmann::json ToJson() const override;
};

// `weight_only`: int8/int4 block-wise weight quantization of MatMul/Gemm weights.
struct WeightOnlyConfig : StageConfig {
  std::vector<int64_t> bits = {4};
  std::vector<int64_t> block_size = {32};      // 32 | 64 | 128
  std::vector<std::string> methods = {"rtn"};  // rtn | gptq
  std::vector<bool> symmetric = {true};
  std::vector<bool> embeddings = {false};  // also Gather embedding tables
  std::vector<std::string> exclude;
  std::string kind() const override { return "weight_only"; }
  std::vector<Axis> Axes() const override;
  nlohmann::json ToJson() const override;
};

// `search`: how the pipeline explores the other stages' choices (and, with per_layer, a
// per-layer precision choice guided by sensitivity).
struct SearchConfig : StageConfig {
  std::string algorithm = "nsga2";  // nsga2 | grid
  std::vector<std::string> objectives = {"metric", "latency_ms_p50", "size_mb"};
  bool per_layer = false;  // mixed precision: one gene per quantizable layer
  // Per-layer precision choices with per_layer: float, int8 (the ptq stage's scheme), int4
  // (weight-only).
  std::vector<std::string> layer_choices = {"float", "int8"};
  int64_t population = 16;
  int64_t sensitivity_samples = 128;  // evaluation examples for per-layer sensitivity (0: none)
  std::string kind() const override { return "search"; }
  nlohmann::json ToJson() const override;
};

std::unique_ptr<StageConfig> ParseFoldStage(const data::YamlValue& options);
std::unique_ptr<StageConfig> ParsePtqStage(const data::YamlValue& options);
std::unique_ptr<StageConfig> ParseWeightOnlyStage(const data::YamlValue& options);
std::unique_ptr<StageConfig> ParseSearchStage(const data::YamlValue& options);

}  // namespace shrink::pipeline
