#include "cli/quantize_job.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "cli/compress_summary.h"
#include "pipeline/compress.h"

namespace shrink::cli {

std::string QuantizePolicyYaml(const QuantizeJob& job) {
  // JSON flow mappings and double-quoted JSON strings are valid YAML.
  return "# Written by `shrink quantize --job`: one configuration, measured as a compress job.\n"
         "version: 1\n"
         "name: quantize\n"
         "description: " +
         nlohmann::json(job.command_line).dump() +
         "\n"
         "seed: 0\n"
         "target_runtimes: [native, onnxruntime]\n"
         "constraints: {max_metric_drop_pct: " +
         nlohmann::json(job.max_metric_drop_pct).dump() +
         "}\n"
         "budget: {trials: 1, max_minutes: 600}\n"
         "stages:\n"
         "  - fold: {fuse: false}\n"
         "  - " +
         job.stage + ": " + job.options.dump() +
         "\n"
         "  - search: {algorithm: grid}\n";
}

Status RunQuantizeJob(const QuantizeJob& job) {
  std::error_code ec;
  std::filesystem::create_directories(job.dir, ec);
  if (ec) return IOError("cannot create job folder " + job.dir + ": " + ec.message());
  const std::string policy = job.dir + "/policy.yaml";
  const std::string text = QuantizePolicyYaml(job);
  if (std::ifstream old(policy, std::ios::binary); old) {
    const std::string before((std::istreambuf_iterator<char>(old)), {});
    if (before != text)
      return InvalidArgument(job.dir +
                             " holds another job (its policy.yaml differs); use another --job "
                             "folder");
  }
  {
    std::ofstream f(policy, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f) return IOError("cannot write " + policy);
  }
  pipeline::CompressOptions o;
  o.model_path = job.model;
  o.task_path = job.task;
  o.policy_path = policy;
  o.out_dir = job.dir;
  o.threads = job.threads;
  o.eval_limit = job.eval_limit;
  o.pdf = job.pdf;
  o.command_line = job.command_line;
  SHRINK_ASSIGN_OR_RETURN(pipeline::CompressSummary s, pipeline::RunCompression(o));
  PrintCompressSummary(s, job.dir, job.json);
  return Status::Ok();
}

}  // namespace shrink::cli
