// `shrink compress MODEL --task TASK.yaml --policy POLICY.yaml -o DIR [--threads N]
//  [--eval-limit N] [--no-pdf] [--json]`
// The main job (pipeline/compress.h): prints one progress line per event on stderr and, at the
// end, the before/after table of the recommended artifact (or why none met the constraints).
#include "pipeline/compress.h"

#include <iomanip>
#include <iostream>

#include "cli/commands.h"

namespace shrink::cli {
namespace {

struct CompressArgs {
  pipeline::CompressOptions o;
  bool json = false;
};

void PrintTable(const report::ReportData& d, std::ostream& out) {
  const report::CandidateRow* best = d.Recommended();
  out << std::fixed << std::setprecision(4);
  out << "\n"
      << std::left << std::setw(12) << "" << std::right << std::setw(12) << d.metric
      << std::setw(12) << "p50 ms" << std::setw(12) << "p95 ms" << std::setw(12) << "size MB"
      << std::setw(10) << "ratio" << std::setw(10) << "speedup\n";
  auto row = [&](const std::string& name, const report::CandidateRow& r) {
    out << std::left << std::setw(12) << name << std::right << std::setw(12) << r.metric
        << std::setprecision(3) << std::setw(12) << r.latency_ms_p50 << std::setw(12)
        << r.latency_ms_p95 << std::setw(12) << r.size_mb << std::setw(9) << r.compression_ratio
        << "x" << std::setw(9) << r.speedup << "x\n"
        << std::setprecision(4);
  };
  row("baseline", d.baseline);
  if (best) row(best->id, *best);
  out << "(speedup: baseline p50 / candidate p50, both measured in the same time window)\n\n"
      << d.recommendation << "\n";
}

Status RunCompress(const CompressArgs& a) {
  SHRINK_ASSIGN_OR_RETURN(pipeline::CompressSummary s, pipeline::RunCompression(a.o));
  if (a.json) {
    std::cout << nlohmann::json({{"met_constraints", s.met_constraints},
                                 {"best", s.best_path},
                                 {"explanation", s.explanation},
                                 {"trials_run", s.trials_run},
                                 {"trials_total", s.trials_total},
                                 {"seconds", s.seconds},
                                 {"search_overhead_pct", s.search_overhead_pct},
                                 {"report", s.report.ToJson()}})
                     .dump(2)
              << "\n";
    return Status::Ok();
  }
  PrintTable(s.report, std::cout);
  std::cout << "\n"
            << s.trials_run << " trials run (" << s.trials_total << " in the log) in "
            << std::setprecision(1) << s.seconds << " s; search overhead " << s.search_overhead_pct
            << "%.\nreport: " << a.o.out_dir << "/report.html\n";
  if (s.met_constraints) std::cout << "best:   " << s.best_path << "\n";
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
