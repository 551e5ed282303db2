// `shrink eval MODEL --task T.yaml [--runtime native|reference|onnxruntime] [--limit N]
//                   [--batch-size B] [--threads T] [--bootstrap N] [--seed S] [--json]
//                   [--robustness [--perturb noise=0.1,brightness=0.5,...]]`
// Evaluates a model on a task's evaluation split: the primary metric with its bootstrap 95%
// interval, the extra metrics and one table per cohort (primary metric per cohort value).
// --robustness adds the primary metric under input perturbations and NaN/Inf counts of the
// outputs (eval/robustness.h), and for quantized models the share of values their QuantizeLinear
// nodes clip on evaluation batches (quant/saturation.h), as tables or under "robustness" in the
// JSON.
#include <cmath>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "cli/commands.h"
#include "data/task.h"
#include "eval/robustness.h"
#include "onnx/import.h"
#include "quant/saturation.h"
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
  bool robustness = false;
  std::string perturb;  // empty: eval::DefaultPerturbations()
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

// Clipping rate of the model's quantizers on (at most kSaturationBatches batches of) the
// evaluation split; empty for a float model.
Expected<quant::SaturationReport> Saturation(const EvalArgs& a, const data::TaskSpec& task) {
  constexpr int64_t kSaturationBatches = 8;
  SHRINK_ASSIGN_OR_RETURN(ir::Model model, onnx_io::LoadModel(a.model));
  data::TaskSpec on_eval = task;
  on_eval.calibration = task.evaluation;
  if (a.batch_size > 0) on_eval.batch_size = a.batch_size;
  SHRINK_ASSIGN_OR_RETURN(auto source,
                          quant::OpenTaskCalibration(on_eval, *model.graph, kSaturationBatches));
  return quant::MeasureSaturation(model, *source, kSaturationBatches, a.threads);
}

void PrintSaturation(const quant::SaturationReport& s) {
  std::cout << "\nint8 saturation (" << s.batches << " evaluation batches): " << std::defaultfloat
            << std::setprecision(3) << 100 * s.rate() << "% of " << s.values
            << " quantized values clipped\n";
  for (size_t i = 0; i < s.tensors.size() && i < 5 && s.tensors[i].rate() > 0; ++i)
    std::cout << "  " << std::left << std::setw(40) << s.tensors[i].tensor << std::right
              << std::setw(10) << 100 * s.tensors[i].rate() << "%\n";
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
  eval::RobustnessOptions ro;
  ro.seed = a.seed;
  if (!a.perturb.empty()) {
    if (!a.robustness) return InvalidArgument("--perturb needs --robustness");
    SHRINK_ASSIGN_OR_RETURN(ro.perturbations, eval::ParsePerturbations(a.perturb));
  }
  std::optional<eval::RobustnessReport> report;
  if (a.robustness) {
    SHRINK_RETURN_IF_ERROR(
        runtimes::WithModelFileRunner(a.model, o, [&](const eval::BatchRunner& run) -> Status {
          SHRINK_ASSIGN_OR_RETURN(auto rep, eval::EvaluateRobustness(task, run, o.eval, ro));
          report.emplace(std::move(rep));
          return Status::Ok();
        }));
  }
  eval::EvalResult r;
  if (report) {
    r = report->clean;
  } else {
    SHRINK_ASSIGN_OR_RETURN(r, runtimes::EvaluateModelFile(a.model, task, o));
  }
  std::optional<quant::SaturationReport> saturation;
  if (a.robustness) {
    SHRINK_ASSIGN_OR_RETURN(saturation, Saturation(a, task));
  }
  if (a.json) {
    nlohmann::json j = r.ToJson();
    if (report) j["robustness"] = report->ToJson();
    if (saturation && !saturation->tensors.empty())
      j["robustness"]["int8_saturation"] = saturation->ToJson();
    j["model"] = a.model;
    j["task"] = task.name;
    j["runtime"] = runtimes::RuntimeName(kind);
    std::cout << j.dump(2) << "\n";
  } else {
    PrintText(a, task, r);
    if (report) std::cout << "\nrobustness\n" << report->ToTable();
    if (saturation && !saturation->tensors.empty()) PrintSaturation(*saturation);
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
  cmd->add_flag("--robustness", a->robustness,
                "Also report the metric under input perturbations, NaN/Inf output counts and "
                "the int8 saturation rate of quantized models");
  cmd->add_option("--perturb", a->perturb,
                  "Robustness checks, e.g. noise=0.1,brightness=0.5,contrast=0.5,length=0.5");
  runners.push_back({cmd, [a]() { return Eval(*a); }});
}

}  // namespace shrink::cli
