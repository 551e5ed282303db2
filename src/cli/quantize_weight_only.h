// `shrink quantize --weight-only int4|int8 ...`: the weight-only path of the quantize command
// (quant/weight_only.h), kept beside quantize.cc so that each file stays small.
//
// Contract: RunWeightOnly() loads the model, quantizes MatMul / Gemm weights (and Gather tables
// with `embeddings`) block-wise, writes standard ONNX (DequantizeLinear opset 21) and prints the
// file size before / after, the scheme, the worst layers by weight error and, with a task, the
// primary metric of the float and the quantized model (native runtime). Calibration data (task,
// tensor file or random batches) is read only for GPTQ; GPTQ without any -> kInvalidArgument.
// The artifact metadata goes beside OUT (quantize_metadata.h), with the paired native latency.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace shrink::cli {

struct WeightOnlyArgs {
  std::string model, out, task, calib;
  std::string bits;  // "int4" | "int8" (empty: not a weight-only run)
  std::string method = "rtn";
  int64_t block_size = 32, calib_random = 0, batches = 16, batch_size = 8, eval_limit = -1;
  bool symmetric = true, embeddings = false, act_order = false, json = false;
  std::vector<std::string> exclude, ops;
  int threads = 0;
  uint64_t seed = 0;
  std::string command_line;
};

Status RunWeightOnly(const WeightOnlyArgs& a);

}  // namespace shrink::cli
