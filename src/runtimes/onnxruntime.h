// OrtRunner: runs an ONNX model file through ONNX Runtime (the peer runtime and independent
// validator). ORT ships no C/C++ headers here, so it is driven through tools/node/ort_run.js
// (onnxruntime-node) in a Node subprocess; tensors travel as .npy files in a private temp dir.
//
// Contract:
// - Find() locates the `node` program ($SHRINK_NODE, else $PATH) and the Node tools folder
//   ($SHRINK_NODE_TOOLS, else SHRINK_SOURCE_DIR "/tools/node"). It fails with kNotFound and a
//   message saying what to install when node, ort_run.js or node_modules/onnxruntime-node is
//   missing. It does not start node.
// - Run() writes every feed as .npy into a fresh mkdtemp directory, runs
//   `node ort_run.js --model <abs path> --input <name>=<file> ... --out <dir>` via fork/exec (no
//   shell), parses the JSON line it prints, reads the outputs (in the model's output order) and
//   removes the temp dir in every case. Feeds must cover every model input; dtypes are those of
//   .npy (see core/npy.h): another dtype -> kUnimplemented before node is started.
// - Failures: ORT/script errors (model load failure, missing or unknown input, run failure) ->
//   kInvalidArgument carrying ORT's message from stderr; timeout -> kResourceExhausted; a crash
//   (signal) or unreadable script output -> kInternal. Nothing is thrown.
// - Const methods only; a runner can be used from several threads (each Run has its own dir).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"

namespace shrink::runtimes {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

struct OrtRunOptions {
  int intra_op_threads = 1;
  // ORT graph optimization level: "disabled", "basic", "extended", "layout" or "all".
  std::string optimization_level = "all";
  // > 0: run `warmup_runs` untimed, then `bench_runs` timed runs (outputs from the last one).
  int bench_runs = 0;
  int warmup_runs = 1;
  // When non-empty, ORT writes the graph it optimized to this path (to inspect fusions).
  std::string optimized_model_path;
  double timeout_seconds = 600;
};

struct OrtLatency {
  int runs = 0;
  int warmup = 0;
  double min_ms = 0, median_ms = 0, mean_ms = 0, p90_ms = 0, max_ms = 0;
  std::vector<double> samples_ms;  // every timed run, in order
  // Peak resident memory the Node process added by loading the model, making the inputs and
  // running it (VmHWM after the runs minus VmRSS before the load); -1 when unknown.
  int64_t peak_memory_bytes = -1;
};

struct OrtResult {
  NamedTensors outputs;               // in the model's output order
  std::optional<OrtLatency> latency;  // set when bench_runs > 0
};

class OrtRunner {
 public:
  static Expected<OrtRunner> Find();
  // Explicit locations (tests, tools); checked like Find().
  static Expected<OrtRunner> Create(const std::string& node_program, const std::string& tools_dir);

  Expected<NamedTensors> Run(const std::string& model_path, const NamedTensors& feeds,
                             const OrtRunOptions& options = {}) const;
  Expected<OrtResult> RunDetailed(const std::string& model_path, const NamedTensors& feeds,
                                  const OrtRunOptions& options = {}) const;

  const std::string& node_program() const { return node_; }
  const std::string& tools_dir() const { return tools_dir_; }
  std::string script_path() const { return tools_dir_ + "/ort_run.js"; }

 private:
  OrtRunner(std::string node, std::string tools_dir)
      : node_(std::move(node)), tools_dir_(std::move(tools_dir)) {}

  std::string node_;
  std::string tools_dir_;
};

}  // namespace shrink::runtimes
