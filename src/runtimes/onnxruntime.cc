#include "runtimes/onnxruntime.h"

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/npy.h"
#include "core/subprocess.h"
#include "core/temp_dir.h"

namespace shrink::runtimes {
namespace {

namespace fs = std::filesystem;

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return (v != nullptr && v[0] != '\0') ? std::string(v) : fallback;
}

// The last non-empty line of `text`.
std::string LastLine(const std::string& text) {
  size_t end = text.find_last_not_of("\r\n ");
  if (end == std::string::npos) return "";
  size_t nl = text.rfind('\n', end);
  size_t start = nl == std::string::npos ? 0 : nl + 1;
  return text.substr(start, end + 1 - start);
}

// Throws nlohmann::json::exception on a missing or mistyped field.
OrtLatency ParseLatency(const nlohmann::json& j) {
  OrtLatency l;
  l.runs = j.at("runs").get<int>();
  l.warmup = j.at("warmup").get<int>();
  l.min_ms = j.at("min").get<double>();
  l.median_ms = j.at("median").get<double>();
  l.mean_ms = j.at("mean").get<double>();
  l.p90_ms = j.at("p90").get<double>();
  l.max_ms = j.at("max").get<double>();
  if (j.contains("samples")) l.samples_ms = j.at("samples").get<std::vector<double>>();
  l.peak_memory_bytes = j.value("peak_memory_bytes", int64_t{-1});
  return l;
}

}  // namespace

Expected<OrtRunner> OrtRunner::Create(const std::string& node_program,
                                      const std::string& tools_dir) {
  Expected<std::string> node = FindProgram(node_program);
  if (!node.ok())
    return NotFound("ONNX Runtime needs Node.js: " + node.status().message() +
                    " (install Node 20, or set SHRINK_NODE)");
  std::error_code ec;
  const std::string dir = fs::absolute(tools_dir, ec).lexically_normal().string();
  if (ec || !fs::is_directory(dir, ec))
    return NotFound("Node tools folder '" + tools_dir + "' does not exist (set SHRINK_NODE_TOOLS)");
  if (!fs::is_regular_file(dir + "/ort_run.js", ec))
    return NotFound("'" + dir + "/ort_run.js' is missing (set SHRINK_NODE_TOOLS)");
  if (!fs::is_regular_file(dir + "/node_modules/onnxruntime-node/package.json", ec))
    return NotFound("onnxruntime-node is not installed in '" + dir +
                    "/node_modules' (run scripts/setup.sh, or `npm install --ignore-scripts` "
                    "in that folder)");
  return OrtRunner(std::move(node).value(), dir);
}

Expected<OrtRunner> OrtRunner::Find() {
  return Create(EnvOr("SHRINK_NODE", "node"),
                EnvOr("SHRINK_NODE_TOOLS", std::string(SHRINK_SOURCE_DIR) + "/tools/node"));
}

Expected<NamedTensors> OrtRunner::Run(const std::string& model_path, const NamedTensors& feeds,
                                      const OrtRunOptions& options) const {
  SHRINK_ASSIGN_OR_RETURN(OrtResult result, RunDetailed(model_path, feeds, options));
  return std::move(result.outputs);
}

Expected<OrtResult> OrtRunner::RunDetailed(const std::string& model_path, const NamedTensors& feeds,
                                           const OrtRunOptions& options) const {
  const std::string where = "ONNX Runtime on '" + model_path + "'";
  std::error_code ec;
  if (!fs::is_regular_file(model_path, ec)) return NotFound(where + ": model file does not exist");
  const std::string model_abs = fs::absolute(model_path, ec).string();
  if (options.intra_op_threads < 1 || options.bench_runs < 0 || options.warmup_runs < 0)
    return InvalidArgument(where + ": threads must be >= 1, bench/warmup runs >= 0");

  SHRINK_ASSIGN_OR_RETURN(TempDir dir, TempDir::Create("shrink-ort-"));
  // node runs inside the temp dir with relative file names, so that no path holds an '='.
  std::vector<std::string> argv = {node_,         script_path(),
                                   "--model",     model_abs,
                                   "--out",       "out",
                                   "--threads",   std::to_string(options.intra_op_threads),
                                   "--opt-level", options.optimization_level};
  for (size_t i = 0; i < feeds.size(); ++i) {
    const auto& [name, tensor] = feeds[i];
    const std::string file = "in_" + std::to_string(i) + ".npy";
    Status s = WriteNpy(dir.File(file), tensor);
    if (!s.ok()) return s.WithContext(where + ": feed '" + name + "'");
    argv.push_back("--input");
    argv.push_back(name + "=" + file);
  }
  if (options.bench_runs > 0) {
    argv.insert(argv.end(), {"--bench", std::to_string(options.bench_runs), "--warmup",
                             std::to_string(options.warmup_runs)});
  }
  if (!options.optimized_model_path.empty()) {
    argv.push_back("--optimized-model");
    argv.push_back(fs::absolute(options.optimized_model_path, ec).string());
  }

  ProcessOptions popts;
  popts.working_dir = dir.path();
  // ORT's telemetry client would write files into $TMPDIR and try to upload events.
  popts.env = {{"ORT_DISABLE_TELEMETRY", "1"}};
  popts.timeout_seconds = options.timeout_seconds;
  SHRINK_ASSIGN_OR_RETURN(ProcessResult proc, RunProcess(argv, popts));
  if (proc.timed_out)
    return ResourceExhausted(where + ": timed out after " +
                             std::to_string(options.timeout_seconds) + " s");
  if (proc.term_signal != 0) return Internal(where + ": " + proc.FailureMessage());
  if (proc.exit_code != 0) {
    std::string msg = proc.stderr_data;
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == '\r')) msg.pop_back();
    if (msg.rfind("ort_run: ", 0) == 0) msg = msg.substr(9);
    if (msg.empty()) msg = proc.FailureMessage();
    return InvalidArgument(where + ": " + msg);
  }

  OrtResult result;
  try {
    const nlohmann::json j = nlohmann::json::parse(LastLine(proc.stdout_data));
    for (const auto& out : j.at("outputs")) {
      const std::string name = out.at("name").get<std::string>();
      const std::string file = out.at("file").get<std::string>();
      const std::vector<int64_t> shape = out.at("shape").get<std::vector<int64_t>>();
      Expected<Tensor> t = ReadNpy(fs::path(file).is_absolute() ? file : dir.File(file));
      if (!t.ok()) return t.status().WithContext(where + ": output '" + name + "'");
      if (t->shape() != shape)
        return Internal(where + ": output '" + name + "' has shape " + ShapeToString(t->shape()) +
                        " but the script reported " + ShapeToString(shape));
      result.outputs.emplace_back(name, std::move(t).value());
    }
    if (j.contains("latency_ms")) {
      result.latency = ParseLatency(j.at("latency_ms"));
    }
  } catch (const nlohmann::json::exception& e) {
    return Internal(where + ": cannot parse the output of ort_run.js (" + e.what() +
                    "): " + LastLine(proc.stdout_data).substr(0, 300));
  }
  if (options.bench_runs > 0 && !result.latency)
    return Internal(where + ": ort_run.js reported no latency");
  return result;
}

}  // namespace shrink::runtimes
