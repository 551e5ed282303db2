// `shrink run MODEL [--input name=file.npy ...] [--dim N=1 ...] [--seed S] [--out DIR] [--json]`
// Runs a model on the reference executor; inputs not given are seeded random data. Writes every
// output as DIR/<name>.npy and prints a summary per output.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/npy.h"
#include "onnx/import.h"
#include "runtime/random_inputs.h"

namespace shrink::cli {

namespace {

struct RunArgs {
  std::string model;
  std::vector<std::string> inputs;
  std::vector<std::string> dims;
  uint64_t seed = 0;
  std::string out;
  bool json = false;
};

Expected<std::pair<std::string, std::string>> SplitAssignment(const std::string& s) {
  const auto eq = s.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == s.size())
    return InvalidArgument("expected NAME=VALUE, got '" + s + "'");
  return std::make_pair(s.substr(0, eq), s.substr(eq + 1));
}

// Output names can contain '/' or ':'; keep file names safe.
std::string SafeFileName(const std::string& name) {
  std::string out;
  for (char c : name)
    out +=
        (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.') ? c : '_';
  if (out.empty() || out[0] == '.') out = "_" + out;
  return out;
}

Status Run(const RunArgs& a) {
  SHRINK_ASSIGN_OR_RETURN(ir::Model model, onnx_io::LoadModel(a.model));
  runtime::DimValues dims;
  for (const auto& d : a.dims) {
    SHRINK_ASSIGN_OR_RETURN(auto kv, SplitAssignment(d));
    try {
      dims[kv.first] = std::stoll(kv.second);
    } catch (const std::exception&) {
      return InvalidArgument("--dim " + d + ": value is not an integer");
    }
  }
  SHRINK_ASSIGN_OR_RETURN(runtime::Feeds random,
                          runtime::MakeRandomFeeds(*model.graph, a.seed, dims));
  runtime::Feeds feeds;
  for (const auto& in : a.inputs) {
    SHRINK_ASSIGN_OR_RETURN(auto kv, SplitAssignment(in));
    SHRINK_ASSIGN_OR_RETURN(Tensor t, ReadNpy(kv.second));
    feeds.emplace_back(kv.first, std::move(t));
  }
  for (auto& [name, t] : random) {
    const bool given =
        std::any_of(feeds.begin(), feeds.end(), [&](const auto& f) { return f.first == name; });
    if (!given) feeds.emplace_back(name, std::move(t));
  }
  SHRINK_ASSIGN_OR_RETURN(auto executor, runtime::Executor::Create(model));
  const auto start = std::chrono::steady_clock::now();
  SHRINK_ASSIGN_OR_RETURN(std::vector<Tensor> outputs, executor->Run(feeds));
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

  const std::string out_dir =
      a.out.empty() ? std::filesystem::path(a.model).stem().string() + "_outputs" : a.out;
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) return IOError("cannot create output folder '" + out_dir + "': " + ec.message());
  nlohmann::json j;
  j["model"] = a.model;
  j["latency_ms"] = ms;
  const auto& outs = model.graph->outputs();
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Tensor& t = outputs[i];
    const std::string file =
        (std::filesystem::path(out_dir) / (SafeFileName(outs[i]->name()) + ".npy")).string();
    SHRINK_RETURN_IF_ERROR(WriteNpy(file, t));
    double lo = std::numeric_limits<double>::infinity(), hi = -lo, sum = 0;
    int64_t nonfinite = 0;
    for (int64_t k = 0; k < t.numel(); ++k) {
      const double v = t.GetAsDouble(k);
      if (!std::isfinite(v)) {
        ++nonfinite;
        continue;
      }
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      sum += v;
    }
    const double mean =
        t.numel() > nonfinite ? sum / static_cast<double>(t.numel() - nonfinite) : 0;
    j["outputs"].push_back({{"name", outs[i]->name()},
                            {"file", file},
                            {"dtype", DataTypeName(t.dtype())},
                            {"shape", t.shape()},
                            {"min", lo},
                            {"max", hi},
                            {"mean", mean},
                            {"nonfinite", nonfinite}});
    if (!a.json)
      std::cout << outs[i]->name() << "  " << DataTypeName(t.dtype()) << ShapeToString(t.shape())
                << "  min " << lo << "  max " << hi << "  mean " << mean
                << (nonfinite ? "  non-finite " + std::to_string(nonfinite) : "") << "  -> " << file
                << "\n";
  }
  if (a.json)
    std::cout << j.dump(2) << "\n";
  else
    std::cout << "ran in " << ms << " ms (reference executor)\n";
  return Status::Ok();
}

}  // namespace

void RegisterRun(CLI::App& app, std::vector<CommandRunner>& runners) {
  auto* cmd = app.add_subcommand(
      "run", "Run a model on the reference executor (random inputs unless given)");
  auto a = std::make_shared<RunArgs>();
  cmd->add_option("model", a->model, "ONNX model file")->required();
  cmd->add_option("--input,-i", a->inputs, "NAME=FILE.npy input (repeatable)");
  cmd->add_option("--dim", a->dims, "SYMBOL=VALUE for symbolic dims of random inputs (default 1)");
  cmd->add_option("--seed", a->seed, "Seed for random inputs");
  cmd->add_option("--out,-o", a->out, "Folder for output .npy files (default <model>_outputs)");
  cmd->add_flag("--json", a->json, "Machine-readable output");
  runners.push_back({cmd, [a]() { return Run(*a); }});
}

}  // namespace shrink::cli
