// `shrink eval MODEL --task T.yaml [--runtime native|reference|onnxruntime] [--limit N]
//                   [--batch-size B] [--threads T] [--bootstrap N] [--seed S] [--json]`
// Evaluates a model on a task's evaluation split: the primary metric with its bootstrap 95%
// interval, the extra metrics and one table per cohort (primary metric per cohort value).
#include <cmath>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "data/task.h"
#include "runtimes/evaluate.h"

namespace shrink::cli {
namespace {

struct EvalArgs {
  std::string model;
  std::string task;
  std::string runtime = "native";
  int64_t limit = -1;
  int64_t batch_size = 0;
  int threads = 2;
  int bootstrap = 1000;
  uint64_t seed = 0;
  bool json = false;
};

std::string Fixed(double v) {
  if (std::isnan(v)) return "n/a";
  std::ostringstream os;
  os << std::fixed << std::setprecision(4) << v;
  return os.str();
}

void PrintText(const EvalArgs& a, const data::TaskSpec& task, const eval::EvalResult& r) {
  std::cout << a.model << " on task " << task.name << " (" << a.runtime << ", " << r.examples
            << " examples, " << std::fixed << std::setprecision(2) << r.seconds << " s)\n";
  const auto& p = r.primary;
  std::cout << std::left << std::setw(16) << p.name << std::setw(10) << Fixed(p.value);
  if (a.bootstrap > 0)
    std::cout << "95% CI [" << Fixed(p.ci_low) << ", " << Fixed(p.ci_high) << "]";
  std::cout << (p.higher_is_better ? "  (higher is better)" : "  (lower is better)") << "\n";
  for (const auto& m : r.extra)
    std::cout << std::left << std::setw(16) << m.name << Fixed(m.value) << "\n";
  std::string current;
  for (const auto& c : r.cohorts) {
    if (c.cohort != current) {
      current = c.cohort;
      std::cout << "\ncohort " << c.cohort << "\n"
                << "  " << std::left << std::setw(20) << "key" << std::right << std::setw(10)
                << "examples" << std::setw(12) << p.name << "\n";
    }
    std::cout << "  " << std::left << std::setw(20) << c.key << std::right << std::setw(10)
              << c.examples << std::setw(12) << Fixed(c.value) << "\n";
  }
}

Status Eval(const EvalArgs& a) {
  if (a.limit < -1 || a.limit == 0) return InvalidArgument("--limit must be positive");
  if (a.batch_size < 0 || a.threads < 1 || a.bootstrap < 0)
    return InvalidArgument("--batch-size and --bootstrap must be >= 0, --threads >= 1");
  SHRINK_ASSIGN_OR_RETURN(runtimes::RuntimeKind kind, runtimes::ParseRuntime(a.runtime));
  SHRINK_ASSIGN_OR_RETURN(data::TaskSpec task, data::LoadTask(a.task));
  runtimes::EvaluateOptions o;
  o.runtime = kind;
  o.threads = a.threads;
  o.eval.limit = a.limit;
  o.eval.batch_size = a.batch_size;
  o.eval.bootstrap_samples = a.bootstrap;
  o.eval.seed = a.seed;
  SHRINK_ASSIGN_OR_RETURN(eval::EvalResult r, runtimes::EvaluateModelFile(a.model, task, o));
  if (a.json) {
    nlohmann::json j = r.ToJson();
    j["model"] = a.model;
    j["task"] = task.name;
    j["runtime"] = runtimes::RuntimeName(kind);
    std::cout << j.dump(2) << "\n";
  } else {
    PrintText(a, task, r);
  }
  return Status::Ok();
}

}  // namespace

void RegisterEval(CLI::App& app, std::vector<CommandRunner>& runners) {
  auto* cmd = app.add_subcommand("eval", "Evaluate a model on a task (metric, CI, cohorts)");
  auto a = std::make_shared<EvalArgs>();
  cmd->add_option("model", a->model, "ONNX model file")->required();
  cmd->add_option("--task", a->task, "Task YAML (datasets, output mapping, metrics)")->required();
  cmd->add_option("--runtime", a->runtime, "native, reference or onnxruntime");
  cmd->add_option("--limit", a->limit, "Evaluate at most this many examples");
  cmd->add_option("--batch-size", a->batch_size, "Examples per batch (0: the task's)");
  cmd->add_option("--threads", a->threads, "Threads of the runtime");
  cmd->add_option("--bootstrap", a->bootstrap, "Bootstrap resamples for the 95% CI (0: none)");
  cmd->add_option("--seed", a->seed, "Bootstrap seed");
  cmd->add_flag("--json", a->json, "Machine-readable output");
  runners.push_back({cmd, [a]() { return Eval(*a); }});
}

}  // namespace shrink::cli
