// `shrink compare MODEL [--input name=file.npy ...] [--dim N=1 ...] [--top K] [--json]`:
// runs the model on the reference executor and on ONNX Runtime with every intermediate value of
// the main graph exposed, and lists the first nodes whose outputs disagree — to localise a
// divergence to one op instead of staring at the final output.
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/npy.h"
#include "core/temp_dir.h"
#include "onnx/export.h"
#include "onnx/import.h"
#include "runtime/random_inputs.h"
#include "runtimes/agreement.h"
#include "runtimes/onnxruntime.h"

namespace shrink::cli {

namespace {

struct CompareArgs {
  std::string model;
  std::vector<std::string> inputs, dims;
  int top = 10;
  bool json = false;
};

Status Compare(const CompareArgs& a) {
  SHRINK_ASSIGN_OR_RETURN(ir::Model model, onnx_io::LoadModel(a.model));
  runtime::DimValues dims;
  for (const auto& d : a.dims) {
    const auto eq = d.find('=');
    if (eq == std::string::npos)
      return InvalidArgument("--dim expects SYMBOL=VALUE, got '" + d + "'");
    dims[d.substr(0, eq)] = std::atoll(d.c_str() + eq + 1);
  }
  SHRINK_ASSIGN_OR_RETURN(runtime::Feeds feeds, runtime::MakeRandomFeeds(*model.graph, 0, dims));
  for (const auto& in : a.inputs) {
    const auto eq = in.find('=');
    if (eq == std::string::npos)
      return InvalidArgument("--input expects NAME=FILE.npy, got '" + in + "'");
    SHRINK_ASSIGN_OR_RETURN(Tensor t, ReadNpy(in.substr(eq + 1)));
    for (auto& f : feeds)
      if (f.first == in.substr(0, eq)) f.second = t;
  }
  SHRINK_ASSIGN_OR_RETURN(auto executor, runtime::Executor::Create(model));
  SHRINK_ASSIGN_OR_RETURN(auto ours, executor->RunAll(feeds));

  // Expose every float intermediate of the main graph as an output for ORT.
  std::vector<const ir::Value*> probes;
  for (const auto& n : model.graph->nodes())
    for (ir::Value* v : n->outputs())
      if (v && !v->is_graph_output() && ours.count(v->name()) && IsFloat(ours[v->name()].dtype())) {
        model.graph->AddOutput(v);
        probes.push_back(v);
      }
  SHRINK_ASSIGN_OR_RETURN(TempDir tmp, TempDir::Create("shrink_compare_"));
  const std::string probe_path = tmp.path() + "/probed.onnx";
  SHRINK_RETURN_IF_ERROR(onnx_io::SaveModel(model, probe_path));
  SHRINK_ASSIGN_OR_RETURN(runtimes::OrtRunner ort, runtimes::OrtRunner::Find());
  runtimes::OrtRunOptions options;
  options.optimization_level = "disabled";  // compare op by op, not ORT's fusions
  SHRINK_ASSIGN_OR_RETURN(auto theirs, ort.Run(probe_path, feeds, options));

  int shown = 0, disagreeing = 0;
  nlohmann::json j = nlohmann::json::array();
  for (const auto& [name, t] : theirs) {
    auto it = ours.find(name);
    if (it == ours.end()) continue;
    const auto agree = runtimes::CompareOutputs(name, it->second, t);
    if (agree.ok) continue;
    ++disagreeing;
    const ir::Value* v = model.graph->FindValue(name);
    const std::string node = v && v->producer() ? v->producer()->Describe() : "?";
    if (shown++ >= a.top) continue;
    j.push_back({{"value", name},
                 {"node", node},
                 {"rel_l2", agree.rel_l2},
                 {"max_abs", agree.max_abs},
                 {"detail", agree.detail}});
    if (!a.json)
      std::cout << std::left << std::setw(48) << node << " " << name << "  relL2 " << agree.rel_l2
                << "  max|d| " << agree.max_abs << "  " << agree.detail << "\n";
  }
  if (a.json)
    std::cout << j.dump(2) << "\n";
  else
    std::cout << disagreeing << " of " << theirs.size() << " values disagree with ONNX Runtime\n";
  return Status::Ok();
}

}  // namespace

void RegisterCompare(CLI::App& app, std::vector<CommandRunner>& runners) {
  auto* cmd = app.add_subcommand("compare",
                                 "Find the first ops where our runtime and ONNX Runtime disagree");
  auto a = std::make_shared<CompareArgs>();
  cmd->add_option("model", a->model, "ONNX model file")->required();
  cmd->add_option("--input,-i", a->inputs, "NAME=FILE.npy input (repeatable; others random)");
  cmd->add_option("--dim", a->dims, "SYMBOL=VALUE for symbolic dims of random inputs");
  cmd->add_option("--top", a->top, "How many disagreeing values to list (graph order)");
  cmd->add_flag("--json", a->json, "Machine-readable output");
  runners.push_back({cmd, [a]() { return Compare(*a); }});
}

}  // namespace shrink::cli
