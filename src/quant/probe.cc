#include "quant/probe.h"

#include <algorithm>

#include "onnx/export.h"
#include "onnx/import.h"
#include "passes/dead_code_elimination.h"

namespace shrink::quant {

Expected<ir::Model> CloneModel(const ir::Model& model) {
  SHRINK_ASSIGN_OR_RETURN(std::string bytes, onnx_io::SerializeModel(model));
  onnx_io::LoadOptions options;
  options.sort_and_verify = false;
  return onnx_io::ParseModel(bytes.data(), bytes.size(), "", options);
}

Expected<std::unique_ptr<ProbeRunner>> ProbeRunner::Create(const ir::Model& model,
                                                           const std::vector<std::string>& values,
                                                           int threads, bool only_requested) {
  std::unique_ptr<ProbeRunner> r(new ProbeRunner());
  SHRINK_ASSIGN_OR_RETURN(ir::Model clone, CloneModel(model));
  r->model_ = std::make_unique<ir::Model>(std::move(clone));
  ir::Graph& g = *r->model_->graph;
  if (only_requested) {
    std::vector<ir::Value*> outs;
    for (const std::string& name : values) {
      ir::Value* v = g.FindValue(name);
      if (v && !v->is_initializer() && std::find(outs.begin(), outs.end(), v) == outs.end())
        outs.push_back(v);
    }
    g.SetOutputs(std::move(outs));
    passes::PassContext ctx;
    SHRINK_RETURN_IF_ERROR(passes::DeadCodeElimination().Run(g, ctx).status());
  } else {
    for (const std::string& name : values) {
      ir::Value* v = g.FindValue(name);
      if (v && !v->is_graph_output() && !v->is_initializer()) g.AddOutput(v);
    }
  }
  for (const ir::Value* v : g.outputs()) r->outputs_.push_back(v->name());
  runtime::fast::SessionOptions options;
  options.threads = threads;
  SHRINK_ASSIGN_OR_RETURN(r->session_, runtime::fast::Session::Create(*r->model_, options));
  return r;
}

Expected<std::unordered_map<std::string, Tensor>> ProbeRunner::Run(const runtime::Feeds& feeds) {
  SHRINK_ASSIGN_OR_RETURN(std::vector<Tensor> outs, session_->Run(feeds));
  std::unordered_map<std::string, Tensor> named;
  for (size_t i = 0; i < outs.size() && i < outputs_.size(); ++i)
    named[outputs_[i]] = std::move(outs[i]);
  return named;
}

}  // namespace shrink::quant
