#include "runtimes/evaluate.h"

#include <memory>

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

Expected<eval::EvalResult> EvaluateNative(const ir::Model& model, const data::TaskSpec& task,
                                          const EvaluateOptions& options) {
  SHRINK_ASSIGN_OR_RETURN(std::unique_ptr<NativeSession> session,
                          NativeSession::Create(model, options.threads));
  const ir::Graph& g = session->graph();
  return eval::Evaluate(
      task,
      [&](const eval::NamedTensors& inputs) -> Expected<eval::NamedTensors> {
        SHRINK_ASSIGN_OR_RETURN(auto feeds, BindInputs(g, inputs));
        SHRINK_ASSIGN_OR_RETURN(std::vector<Tensor> outs, session->Run(feeds));
        return NameOutputs(g, std::move(outs));
      },
      options.eval);
}

Expected<eval::EvalResult> EvaluateReference(const ir::Model& model, const data::TaskSpec& task,
                                             const EvaluateOptions& options) {
  SHRINK_ASSIGN_OR_RETURN(std::unique_ptr<runtime::Executor> executor,
                          runtime::Executor::Create(model));
  const ir::Graph& g = *model.graph;
  return eval::Evaluate(
      task,
      [&](const eval::NamedTensors& inputs) -> Expected<eval::NamedTensors> {
        SHRINK_ASSIGN_OR_RETURN(auto feeds, BindInputs(g, inputs));
        SHRINK_ASSIGN_OR_RETURN(std::vector<Tensor> outs, executor->Run(feeds));
        return NameOutputs(g, std::move(outs));
      },
      options.eval);
}

// `model` supplies the input names and declared dtypes; `path` is what ORT loads.
Expected<eval::EvalResult> EvaluateOrt(const ir::Model& model, const std::string& path,
                                       const data::TaskSpec& task, const EvaluateOptions& options) {
  SHRINK_ASSIGN_OR_RETURN(OrtRunner runner, OrtRunner::Find());
  OrtRunOptions ro;
  ro.intra_op_threads = options.threads;
  SHRINK_ASSIGN_OR_RETURN(std::unique_ptr<OrtSession> session, OrtSession::Start(runner, path, ro));
  const ir::Graph& g = *model.graph;
  return eval::Evaluate(
      task,
      [&](const eval::NamedTensors& inputs) -> Expected<eval::NamedTensors> {
        SHRINK_ASSIGN_OR_RETURN(auto feeds, BindInputs(g, inputs));
        return session->Run(feeds);
      },
      options.eval);
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

Expected<eval::EvalResult> EvaluateModel(const ir::Model& model, const data::TaskSpec& task,
                                         const EvaluateOptions& options) {
  switch (options.runtime) {
    case RuntimeKind::kNative:
      return EvaluateNative(model, task, options);
    case RuntimeKind::kReference:
      return EvaluateReference(model, task, options);
    case RuntimeKind::kOnnxRuntime: {
      SHRINK_ASSIGN_OR_RETURN(TempDir dir, TempDir::Create("shrink-eval-"));
      const std::string path = dir.File("model.onnx");
      SHRINK_RETURN_IF_ERROR(onnx_io::SaveModel(model, path));
      return EvaluateOrt(model, path, task, options);
    }
  }
  return Internal("unknown runtime kind");
}

Expected<eval::EvalResult> EvaluateModelFile(const std::string& model_path,
                                             const data::TaskSpec& task,
                                             const EvaluateOptions& options) {
  onnx_io::LoadOptions lo;
  // ORT reads the weights itself; the graph is only needed for input names and dtypes.
  lo.load_external_data = options.runtime != RuntimeKind::kOnnxRuntime;
  SHRINK_ASSIGN_OR_RETURN(ir::Model model, onnx_io::LoadModel(model_path, lo));
  if (options.runtime == RuntimeKind::kOnnxRuntime)
    return EvaluateOrt(model, model_path, task, options);
  return EvaluateModel(model, task, options);
}

}  // namespace shrink::runtimes
