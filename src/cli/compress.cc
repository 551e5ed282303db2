// `shrink compress MODEL --task TASK.yaml --policy POLICY.yaml -o DIR [--threads N]
//  [--eval-limit N] [--no-pdf] [--json]`
// The main job (pipeline/compress.h): prints one progress line per event on stderr and, at the
// end, the before/after table of the recommended artifact (or why none met the constraints).
#include "pipeline/compress.h"

#include "cli/commands.h"
#include "cli/compress_summary.h"

namespace shrink::cli {
namespace {

struct CompressArgs {
  pipeline::CompressOptions o;
  bool json = false;
};

Status RunCompress(const CompressArgs& a) {
  SHRINK_ASSIGN_OR_RETURN(pipeline::CompressSummary s, pipeline::RunCompression(a.o));
  PrintCompressSummary(s, a.o.out_dir, a.json);
  return Status::Ok();
}

}  // namespace

void RegisterCompress(CLI::App& app, std::vector<CommandRunner>& runners) {
  auto* cmd = app.add_subcommand("compress",
                                 "Compress a model under a policy's constraints (the main job)");
  auto a = std::make_shared<CompressArgs>();
  cmd->add_option("model", a->o.model_path, "ONNX model file")->required();
  cmd->add_option("--task", a->o.task_path, "Task YAML")->required();
  cmd->add_option("--policy", a->o.policy_path, "Policy YAML (see policies/)")->required();
  cmd->add_option("-o,--output", a->o.out_dir, "Job folder (created; reruns resume)")->required();
  cmd->add_option("--threads", a->o.threads, "Threads for every runtime");
  cmd->add_option("--eval-limit", a->o.eval_limit, "At most this many evaluation examples");
  cmd->add_flag("!--no-pdf", a->o.pdf, "Skip the PDF report");
  cmd->add_flag("--json", a->json, "Print the summary as JSON");
  runners.push_back({cmd, [a]() {
                       a->o.command_line = "shrink compress " + a->o.model_path + " --task " +
                                           a->o.task_path + " --policy " + a->o.policy_path +
                                           " -o " + a->o.out_dir;
                       return RunCompress(*a);
                     }});
}

}  // namespace shrink::cli
