#include "runtimes/evaluate.h"

#include <memory>
#include <optional>

#include "core/temp_dir.h"
#include "onnx/export.h"
#include "onnx/import.h"
#include "runtime/executor.h"
#include "runtime/fast/session.h"
#include "runtimes/feed_binding.h"
#include "runtimes/native_session.h"
#include "runtimes/onnxruntime.h"
#include "runtimes/ort_session.h"

namespace shrink::runtimes {
namespace {

eval::NamedTensors NameOutputs(const ir::Graph& graph, std::vector<Tensor> outputs) {
  eval::NamedTensors named;
  for (size_t i = 0; i < outputs.size() && i < graph.outputs().size(); ++i)
    named.emplace_back(graph.outputs()[i]->name(), std::move(outputs[i]));
  return named;
}

Status RunNative(const ir::Model& model, const EvaluateOptions& options, const RunnerBody& body) {
  SHRINK_ASSIGN_OR_RETURN(std::unique_ptr<NativeSession> session,
                          NativeSession::Create(model, options.threads));
  const ir::Graph& g = session->graph();
  return body([&](const eval::NamedTensors& inputs) -> Expected<eval::NamedTensors> {
    SHRINK_ASSIGN_OR_RETURN(auto feeds, BindInputs(g, inputs));
    SHRINK_ASSIGN_OR_RETURN(std::vector<Tensor> outs, session->Run(feeds));
    return NameOutputs(g, std::move(outs));
  });
}

Status RunReference(const ir::Model& model, const RunnerBody& body) {
  SHRINK_ASSIGN_OR_RETURN(std::unique_ptr<runtime::Executor> executor,
                          runtime::Executor::Create(model));
  const ir::Graph& g = *model.graph;
  return body([&](const eval::NamedTensors& inputs) -> Expected<eval::NamedTensors> {
    SHRINK_ASSIGN_OR_RETURN(auto feeds, BindInputs(g, inputs));
    SHRINK_ASSIGN_OR_RETURN(std::vector<Tensor> outs, executor->Run(feeds));
    return NameOutputs(g, std::move(outs));
  });
}

// `model` supplies the input names and declared dtypes; `path` is what ORT loads.
Status RunOrt(const ir::Model& model, const std::string& path, const EvaluateOptions& options,
              const RunnerBody& body) {
  SHRINK_ASSIGN_OR_RETURN(OrtRunner runner, OrtRunner::Find());
  OrtRunOptions ro;
  ro.intra_op_threads = options.threads;
  SHRINK_ASSIGN_OR_RETURN(std::unique_ptr<OrtSession> session, OrtSession::Start(runner, path, ro));
  const ir::Graph& g = *model.graph;
  return body([&](const eval::NamedTensors& inputs) -> Expected<eval::NamedTensors> {
    SHRINK_ASSIGN_OR_RETURN(auto feeds, BindInputs(g, inputs));
    return session->Run(feeds);
  });
}

// eval::Evaluate as a runner body that keeps its result.
RunnerBody EvaluateInto(const data::TaskSpec& task, const EvaluateOptions& options,
                        std::optional<eval::EvalResult>* result) {
  return [&task, &options, result](const eval::BatchRunner& run) -> Status {
    SHRINK_ASSIGN_OR_RETURN(eval::EvalResult r, eval::Evaluate(task, run, options.eval));
    result->emplace(std::move(r));
    return Status::Ok();
  };
}

}  // namespace

const char* RuntimeName(RuntimeKind kind) {
  switch (kind) {
    case RuntimeKind::kNative:
      return "native";
    case RuntimeKind::kReference:
      return "reference";
    case RuntimeKind::kOnnxRuntime:
      return "onnxruntime";
  }
  return "?";
}

Expected<RuntimeKind> ParseRuntime(const std::string& s) {
  for (auto k : {RuntimeKind::kNative, RuntimeKind::kReference, RuntimeKind::kOnnxRuntime})
    if (s == RuntimeName(k)) return k;
  if (s == "ort") return RuntimeKind::kOnnxRuntime;
  return InvalidArgument("unknown runtime '" + s + "' (native, reference or onnxruntime)");
}

Status WithModelRunner(const ir::Model& model, const EvaluateOptions& options,
                       const RunnerBody& body) {
  switch (options.runtime) {
    case RuntimeKind::kNative:
      return RunNative(model, options, body);
    case RuntimeKind::kReference:
      return RunReference(model, body);
    case RuntimeKind::kOnnxRuntime: {
      SHRINK_ASSIGN_OR_RETURN(TempDir dir, TempDir::Create("shrink-eval-"));
      const std::string path = dir.File("model.onnx");
      SHRINK_RETURN_IF_ERROR(onnx_io::SaveModel(model, path));
      return RunOrt(model, path, options, body);
    }
  }
  return Internal("unknown runtime kind");
}

Status WithModelFileRunner(const std::string& model_path, const EvaluateOptions& options,
                           const RunnerBody& body) {
  onnx_io::LoadOptions lo;
  // ORT reads the weights itself; the graph is only needed for input names and dtypes.
  lo.load_external_data = options.runtime != RuntimeKind::kOnnxRuntime;
  SHRINK_ASSIGN_OR_RETURN(ir::Model model, onnx_io::LoadModel(model_path, lo));
  if (options.runtime == RuntimeKind::kOnnxRuntime) return RunOrt(model, model_path, options, body);
  return WithModelRunner(model, options, body);
}

Expected<eval::EvalResult> EvaluateModel(const ir::Model& model, const data::TaskSpec& task,
                                         const EvaluateOptions& options) {
  std::optional<eval::EvalResult> result;
  SHRINK_RETURN_IF_ERROR(WithModelRunner(model, options, EvaluateInto(task, options, &result)));
  return std::move(*result);
}

Expected<eval::EvalResult> EvaluateModelFile(const std::string& model_path,
                                             const data::TaskSpec& task,
                                             const EvaluateOptions& options) {
  std::optional<eval::EvalResult> result;
  SHRINK_RETURN_IF_ERROR(
      WithModelFileRunner(model_path, options, EvaluateInto(task, options, &result)));
  return std::move(*result);
}

}  // namespace shrink::runtimes
