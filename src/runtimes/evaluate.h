// Evaluating a model on a task with a chosen runtime: glue between runtimes and eval::Evaluate.
//
// Contract:
// - kNative runs the model through runtime::fast::Session (oneDNN kernels, reference fallback),
//   kReference through the reference Executor, kOnnxRuntime through ONNX Runtime (the model is
//   written to a private temp file when it has no path; one Node process serves all batches).
// - The dataset's single input is fed to the model's single input whatever their names; with
//   several inputs the names must match (kInvalidArgument naming the missing one otherwise).
// - `threads` is honoured by every runtime.
#pragma once

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

Expected<eval::EvalResult> EvaluateModel(const ir::Model& model, const data::TaskSpec& task,
                                         const EvaluateOptions& options = {});
Expected<eval::EvalResult> EvaluateModelFile(const std::string& model_path,
                                             const data::TaskSpec& task,
                                             const EvaluateOptions& options = {});

}  // namespace shrink::runtimes
