// Evaluating a model on a task with a chosen runtime: glue between runtimes and eval::Evaluate.
//
// Contract:
// - kNative runs the model through runtime::fast::Session (oneDNN kernels, reference fallback),
//   kReference through the reference Executor, kOnnxRuntime through ONNX Runtime (EvaluateModel
//   writes the model to a private temp file; EvaluateModelFile hands ORT the file itself). One
//   Node process serves all batches (runtimes/ort_session.h).
// - The dataset's single input is fed to the model's single input whatever their names; with
//   several inputs the names must match (kInvalidArgument naming the missing one otherwise).
//   Inputs are converted to the model input's declared dtype (runtimes/feed_binding.h).
// - `threads` sets the oneDNN threads (native) and ORT's intra-op threads; the reference
//   executor is single-threaded.
// - WithModelRunner/WithModelFileRunner hand `body` a BatchRunner for the model on the chosen
//   runtime (valid only during the call), for loops other than eval::Evaluate (robustness
//   checks); EvaluateModel/EvaluateModelFile are these plus eval::Evaluate.
#pragma once

#include <functional>
#include <string>

#include "core/status.h"
#include "data/task.h"
#include "eval/evaluator.h"
#include "ir/model.h"

namespace shrink::runtimes {

enum class RuntimeKind { kNative, kReference, kOnnxRuntime };
const char* RuntimeName(RuntimeKind kind);                 // "native", "reference", "onnxruntime"
Expected<RuntimeKind> ParseRuntime(const std::string& s);  // kInvalidArgument when unknown

struct EvaluateOptions {
  RuntimeKind runtime = RuntimeKind::kNative;
  int threads = 2;
  eval::EvalOptions eval;
};

using RunnerBody = std::function<Status(const eval::BatchRunner& run)>;
Status WithModelRunner(const ir::Model& model, const EvaluateOptions& options,
                       const RunnerBody& body);
Status WithModelFileRunner(const std::string& model_path, const EvaluateOptions& options,
                           const RunnerBody& body);

Expected<eval::EvalResult> EvaluateModel(const ir::Model& model, const data::TaskSpec& task,
                                         const EvaluateOptions& options = {});
Expected<eval::EvalResult> EvaluateModelFile(const std::string& model_path,
                                             const data::TaskSpec& task,
                                             const EvaluateOptions& options = {});

}  // namespace shrink::runtimes
