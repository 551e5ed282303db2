#include "pipeline/compress.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

#include "data/task.h"
#include "export/artifact_metadata.h"
#include "export/lineage.h"
#include "onnx/export.h"
#include "onnx/import.h"
#include "pipeline/dataset_files.h"
#include "pipeline/measure.h"
#include "pipeline/policy.h"
#include "pipeline/report_builder.h"
#include "pipeline/runtime_choice.h"
#include "pipeline/search_space.h"
#include "pipeline/sensitivity.h"
#include "pipeline/stage_apply.h"
#include "pipeline/stages/configs.h"
#include "quant/policy.h"
#include "quant/quantize.h"
#include "report/chromium.h"
#include "report/html_report.h"
#include "search/nsga2.h"
#include "search/trial_log.h"

namespace shrink::pipeline {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

// Candidates timed on each target runtime other than the gating one (runtime_choice.h).
constexpr size_t kMaxTimedPerRuntime = 6;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

Status WriteText(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f) return IOError("cannot write " + tmp);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  return ec ? IOError("cannot rename " + tmp + ": " + ec.message()) : Status::Ok();
}

Expected<nlohmann::json> ReadJson(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return NotFound(path);
  std::stringstream ss;
  ss << f.rdbuf();
  nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded()) return Corrupt(path + ": not JSON");
  return j;
}

class Job {
 public:
  explicit Job(const CompressOptions& o) : o_(o), start_(Clock::now()) {}

  Status Prepare();
  Status Search();
  Expected<CompressSummary> Finish();

 private:
  void Say(const std::string& line) const {
    if (o_.progress)
      o_.progress(line);
    else
      std::cerr << line << std::endl;
  }
  std::string Path(const std::string& rel) const { return (fs::path(o_.out_dir) / rel).string(); }
  search::Objectives ObjectivesOf(const search::Measurement& m) const;
  Status RunTrial(const search::Genome& g);
  Status WriteAnytime();
  search::Genome SeedBase() const;
  Status Diagnose(size_t best);
  Status Confirm(const std::string& file, const std::string& runtime_name,
                 const std::string& primary_runtime, exporting::ArtifactMetadata& meta);
  Expected<exporting::ArtifactMetadata> Describe(size_t trial, const std::string& file) const;
  Expected<RuntimeBest> ChooseFor(const std::string& runtime);
  std::string PrecisionKind(size_t trial) const;

  CompressOptions o_;
  Clock::time_point start_;
  data::TaskSpec task_;
  Policy policy_;
  exporting::Lineage lineage_;
  std::optional<SearchSpace> space_;
  std::optional<search::TrialLog> log_;
  runtimes::RuntimeKind gate_ = runtimes::RuntimeKind::kNative;
  Figures baseline_;
  std::optional<ir::Model> baseline_model_;  // the original model, for paired latency
  std::vector<TrialView> trials_;
  std::vector<nlohmann::json> applied_;  // per trial: CompressionApplied as JSON
  Selection selection_;
  std::vector<std::pair<std::string, double>> sensitivity_;  // per-layer search only
  nlohmann::json layer_sqnr_ = nlohmann::json::array();      // of the chosen candidate
  int trials_run_ = 0;
  double work_seconds_ = 0;  // compressing + measuring (everything that is not search overhead)
};

search::Objectives Job::ObjectivesOf(const search::Measurement& m) const {
  std::vector<std::string> names = {"metric", "latency_ms_p50", "size_mb"};
  if (const auto* s = dynamic_cast<const SearchConfig*>(policy_.Stage("search")))
    names = s->objectives;
  search::Objectives out;
  for (const std::string& n : names)
    out.push_back(n == "metric"           ? m.metric_drop_pct
                  : n == "latency_ms_p50" ? m.latency_ms_p50
                  : n == "latency_ms_p95" ? m.latency_ms_p95
                                          : m.size_mb);
  return out;
}

Status Job::Prepare() {
  SHRINK_ASSIGN_OR_RETURN(task_, data::LoadTask(o_.task_path));
  SHRINK_ASSIGN_OR_RETURN(policy_, LoadPolicy(o_.policy_path));
  SHRINK_RETURN_IF_ERROR(CheckStagesSupported(policy_));
  SHRINK_ASSIGN_OR_RETURN(gate_, runtimes::ParseRuntime(policy_.target_runtimes.at(0)));
  SHRINK_ASSIGN_OR_RETURN(ir::Model model, onnx_io::LoadModel(o_.model_path));
  SHRINK_ASSIGN_OR_RETURN(baseline_model_, onnx_io::LoadModel(o_.model_path));

  lineage_ = exporting::Lineage::ForThisProcess();
  lineage_.threads = o_.threads;
  lineage_.command_line = o_.command_line;
  SHRINK_RETURN_IF_ERROR(lineage_.AddInput("model", o_.model_path));
  SHRINK_RETURN_IF_ERROR(lineage_.AddInput("task", o_.task_path));
  SHRINK_RETURN_IF_ERROR(lineage_.AddInput("policy", o_.policy_path));
  for (const auto& [role, spec] :
       {std::pair<std::string, const data::DatasetSpec*>{"calibration", &task_.calibration},
        {"evaluation", &task_.evaluation}})
    for (const std::string& f : DatasetFiles(*spec))
      SHRINK_RETURN_IF_ERROR(lineage_.AddInput("dataset:" + role, f));
  lineage_.seeds = {{"policy", policy_.seed}, {"task", task_.seed}};
  lineage_.options = {
      {"policy", policy_.ToJson()}, {"eval_limit", o_.eval_limit}, {"threads", o_.threads}};
  const std::string key = lineage_.ReproducibilityKey();

  std::error_code ec;
  fs::create_directories(Path("candidates"), ec);
  if (ec) return IOError("cannot create " + Path("candidates") + ": " + ec.message());
  if (fs::exists(Path("job.json"))) {
    SHRINK_ASSIGN_OR_RETURN(nlohmann::json job, ReadJson(Path("job.json")));
    if (job.value("reproducibility_key", "") != key)
      return InvalidArgument(o_.out_dir +
                             " holds another job (other model, task, policy, "
                             "options or shrink revision); use another -o folder");
    Say("[job] resuming from " + Path("trials.jsonl"));
  }
  SHRINK_RETURN_IF_ERROR(
      WriteText(Path("job.json"), nlohmann::json({{"version", 1},
                                                  {"reproducibility_key", key},
                                                  {"status", "running"},
                                                  {"lineage", lineage_.ToJson()}})
                                      .dump(2)));

  // Baseline (cached for resumes).
  const auto t0 = Clock::now();
  if (Expected<nlohmann::json> cached = ReadJson(Path("baseline.json")); cached.ok()) {
    SHRINK_ASSIGN_OR_RETURN(baseline_, FiguresFromJson(*cached));
  } else {
    Say("[baseline] measuring " + o_.model_path + " on " + runtimes::RuntimeName(gate_));
    MeasureOptions mo{gate_, o_.threads, o_.eval_limit, 30, 5, true};
    SHRINK_ASSIGN_OR_RETURN(baseline_, MeasureModelFile(o_.model_path, task_, mo));
    SHRINK_RETURN_IF_ERROR(WriteText(Path("baseline.json"), FiguresToJson(baseline_).dump(2)));
  }
  work_seconds_ += Since(t0);
  lineage_.stages.push_back({"baseline", Since(t0)});
  {
    std::ostringstream s;
    s << "[baseline] " << baseline_.eval.primary.name << " " << baseline_.eval.primary.value
      << ", p50 " << baseline_.latency.p50_ms << " ms, " << baseline_.size_bytes / 1e6 << " MB";
    Say(s.str());
  }

  // Quantizable layers (for per-layer genes): as the ptq stage will see them (fold, then the
  // quantizer's own preparation, which also names unnamed nodes).
  std::vector<Layer> layers;
  if (const auto* ptq = dynamic_cast<const PtqConfig*>(policy_.Stage("ptq"))) {
    Policy fold_only;
    if (policy_.stages.front()->kind() == "fold") fold_only.stages = {policy_.stages.front()};
    SHRINK_ASSIGN_OR_RETURN(nlohmann::json defaults, SearchSpace::DefaultChoices(policy_));
    SHRINK_RETURN_IF_ERROR(ApplyStages(model, defaults, fold_only, {}).status());
    SHRINK_RETURN_IF_ERROR(quant::PrepareForQuantization(model));
    quant::QuantPolicy qp;
    qp.op_types = ptq->op_types;
    for (const ir::Node* n : quant::SelectNodes(*model.graph, qp)) {
      const ir::Value* w = n->inputs().size() > 1 ? n->input(1) : nullptr;
      layers.push_back({n->name(), n->op_type(), w && w->is_initializer() ? w->data().numel() : 0});
    }
  }
  space_ = SearchSpace::Build(policy_, layers);
  const std::vector<std::string> gene_layers = space_->LayerGeneNames();
  const auto* sc = dynamic_cast<const SearchConfig*>(policy_.Stage("search"));
  if (space_->per_layer() && !gene_layers.empty() && sc->sensitivity_samples > 0) {
    const auto t0 = Clock::now();
    SensitivityOptions so;
    so.samples = sc->sensitivity_samples;
    so.threads = o_.threads;
    so.cache_path = Path("sensitivity.json");
    so.progress = [&](size_t done, size_t total) {
      Say("[sensitivity] " + std::to_string(done) + "/" + std::to_string(total) + " layers");
    };
    SHRINK_ASSIGN_OR_RETURN(nlohmann::json defaults, SearchSpace::DefaultChoices(policy_));
    SHRINK_ASSIGN_OR_RETURN(
        sensitivity_, MeasureSensitivity(o_.model_path, task_, policy_, defaults, gene_layers, so));
    work_seconds_ += Since(t0);
    lineage_.stages.push_back({"sensitivity", Since(t0)});
  }
  SHRINK_ASSIGN_OR_RETURN(search::TrialLog log, search::TrialLog::Open(Path("trials.jsonl")));
  log_ = std::move(log);
  if (log_->dropped_partial()) Say("[job] dropped a trial record cut short by an interruption");
  for (const search::TrialRecord& r : log_->records()) {
    TrialView t;
    t.outcome.id = "trial-" + std::to_string(r.index);
    t.outcome.ok = r.ok;
    t.description = r.config.value("description", "");
    t.error = r.error;
    if (r.ok) {
      SHRINK_ASSIGN_OR_RETURN(t.figures, FiguresFromJson(r.result.at("figures")));
      t.outcome.m = ToMeasurement(t.figures, baseline_);
      t.outcome.paired_baseline_p50_ms = t.figures.paired_baseline_p50_ms;
    }
    trials_.push_back(std::move(t));
    applied_.push_back(r.result.value("compression", nlohmann::json::object()));
  }
  return Status::Ok();
}

Status Job::RunTrial(const search::Genome& g) {
  const int64_t index = static_cast<int64_t>(log_->records().size());
  const std::string id = "trial-" + std::to_string(index);
  const auto t0 = Clock::now();
  search::TrialRecord rec;
  rec.index = index;
  rec.genome = g;
  SHRINK_ASSIGN_OR_RETURN(nlohmann::json choices, space_->Decode(g));
  const std::string what = space_->Describe(g);
  rec.config = {{"choices", choices}, {"description", what}};
  TrialView view;
  view.outcome.id = id;
  view.description = what;
  nlohmann::json compression = nlohmann::json::object();
  Status st = [&]() -> Status {
    SHRINK_ASSIGN_OR_RETURN(ir::Model model, onnx_io::LoadModel(o_.model_path));
    StageContext ctx{&task_, o_.threads, nullptr};
    SHRINK_ASSIGN_OR_RETURN(AppliedStages applied, ApplyStages(model, choices, policy_, ctx));
    const std::string file = Path("candidates/" + id + ".onnx");
    SHRINK_RETURN_IF_ERROR(onnx_io::SaveModel(model, file));
    MeasureOptions mo{gate_, o_.threads, o_.eval_limit, 30, 5, false};
    const PairedBaseline paired{&*baseline_model_, o_.model_path};
    SHRINK_ASSIGN_OR_RETURN(view.figures, MeasureModelFile(file, task_, mo, &paired));
    view.outcome.m = ToMeasurement(view.figures, baseline_);
    view.outcome.paired_baseline_p50_ms = view.figures.paired_baseline_p50_ms;
    view.outcome.ok = true;
    // Every produced model gets its metadata, measured on the gating runtime.
    exporting::ArtifactMetadata meta;
    SHRINK_RETURN_IF_ERROR(exporting::DescribeFile(file, meta));
    meta.runtime = runtimes::RuntimeName(gate_);
    meta.opset = model.OpsetFor("");
    meta.compression = applied.compression;
    const eval::MetricResult& p = view.figures.eval.primary;
    meta.primary = {p.name, baseline_.eval.primary.value, p.value, p.higher_is_better};
    meta.latency_ms_p50 = view.figures.latency.p50_ms;
    meta.latency_ms_p95 = view.figures.latency.p95_ms;
    meta.throughput_qps = view.figures.latency.throughput_per_s;
    meta.baseline_size_bytes = baseline_.size_bytes;
    meta.compression_ratio = view.outcome.m.compression_ratio;
    meta.compatibility = {{meta.runtime, true, {}, {}}};
    meta.lineage = {{"job", lineage_.ReproducibilityKey()}, {"trial", index}, {"choices", choices}};
    SHRINK_RETURN_IF_ERROR(exporting::SaveMetadata(meta, Path("candidates/" + id + ".json")));
    compression = nlohmann::json({{"quantization", applied.compression.quantization},
                                  {"details", applied.compression.details}});
    rec.result = {{"applied", applied.record}, {"compression", compression}};
    return Status::Ok();
  }();
  if (st.ok()) {
    rec.result["figures"] = FiguresToJson(view.figures);
    rec.objectives = ObjectivesOf(view.outcome.m);
  } else {
    rec.ok = false;
    rec.error = st.ToString();
    view.error = rec.error;
    rec.objectives.assign(ObjectivesOf(search::Measurement{}).size(), NAN);
  }
  rec.seconds = Since(t0);
  work_seconds_ += rec.seconds;
  SHRINK_RETURN_IF_ERROR(log_->Append(rec));
  trials_.push_back(std::move(view));
  applied_.push_back(compression);
  ++trials_run_;
  return Status::Ok();
}

// What the lower-precision seeds build on: the most accurate candidate so far that meets every
// constraint, "not slower than the baseline" within 5% (the quality headroom is what 4-bit layers
// spend; GPTQ codes over RTN ones of the same size and speed, whose latencies differ by noise);
// else the most accurate one within the metric constraint; else the defaults.
search::Genome Job::SeedBase() const {
  const double max_drop = policy_.constraints.max_metric_drop_pct.value_or(1e300);
  std::optional<size_t> pick;
  auto rank = [&](size_t i) {
    const Outcome& o = trials_[i].outcome;
    const bool fails = std::any_of(o.violations.begin(), o.violations.end(), [](const auto& v) {
      return v.constraint != "not_slower_than_baseline" || v.excess_pct > 5;
    });
    return std::make_pair(fails, o.m.metric_drop_pct);
  };
  for (size_t i = 0; i < trials_.size(); ++i) {
    const Outcome& o = trials_[i].outcome;
    if (!o.ok || o.m.metric_drop_pct > max_drop) continue;
    if (!pick || rank(i) < rank(*pick)) pick = i;
  }
  return pick ? log_->records()[*pick].genome : space_->DefaultGenome();
}

Status Job::WriteAnytime() {
  std::vector<Outcome> outcomes;
  for (const TrialView& t : trials_) outcomes.push_back(t.outcome);
  selection_ = Select(outcomes, ToMeasurement(baseline_, baseline_), policy_.constraints);
  for (size_t i = 0; i < trials_.size(); ++i) trials_[i].outcome = outcomes[i];
  ReportInputs in;
  in.job = fs::path(o_.out_dir).filename().string();
  in.model = fs::path(o_.model_path).filename().string();
  in.task = task_.name;
  in.runtime = runtimes::RuntimeName(gate_);
  in.machine = lineage_.machine.Summary();
  in.created_at = lineage_.started_at;
  in.baseline = baseline_;
  in.trials = trials_;
  in.selection = selection_;
  in.sensitivity = sensitivity_;
  in.cohort_tolerance_pct = policy_.cohort_tolerance_pct;
  in.layer_sqnr = layer_sqnr_;
  in.lineage = lineage_.ToJson();
  const report::ReportData data = BuildReportData(in);
  SHRINK_RETURN_IF_ERROR(WriteText(Path("report.json"), data.ToJson().dump(2)));
  SHRINK_ASSIGN_OR_RETURN(std::string html, report::RenderHtmlReport(data));
  SHRINK_RETURN_IF_ERROR(WriteText(Path("report.html"), html));
  if (selection_.best) {
    std::error_code ec;
    fs::create_directories(Path("best"), ec);
    fs::copy_file(Path("candidates/" + trials_[*selection_.best].outcome.id + ".onnx"),
                  Path("best/model.onnx"), fs::copy_options::overwrite_existing, ec);
    if (ec) return IOError("cannot copy the best candidate: " + ec.message());
  }
  return Status::Ok();
}

Status Job::Search() {
  const auto* sc = dynamic_cast<const SearchConfig*>(policy_.Stage("search"));
  const bool nsga = sc && sc->algorithm == "nsga2";
  search::Nsga2Options no;
  no.population = sc ? static_cast<int>(sc->population) : 16;
  no.seed = policy_.seed;
  // Seeds: every combination of the stage options when they are few; per-layer, the 1, 2 and 4
  // most sensitive layers kept in float (when "float" is a layer choice); once those are run,
  // int4 on the largest layers (search_space.h) on top of the best candidate so far (or the
  // defaults). Sensitive layers mutate more often.
  const std::vector<Gene>& genes = space_->genes();
  const size_t first_layer = genes.size() - sensitivity_.size();
  double max_drop = 0;
  for (const auto& [name, drop] : sensitivity_) max_drop = std::max(max_drop, drop);
  no.mutation_weights.assign(genes.size(), 1.0);
  for (size_t i = 0; i < sensitivity_.size(); ++i)
    no.mutation_weights[first_layer + i] =
        1.0 + (max_drop > 0 ? 9.0 * std::max(0.0, sensitivity_[i].second) / max_drop : 0.0);
  search::Nsga2 opt(space_->Cardinalities(), no);
  opt.AddSeed(space_->DefaultGenome());
  const std::vector<search::Genome> option_seeds =
      space_->OptionSeeds(std::max(1, no.population / 2));
  for (const search::Genome& g : option_seeds) opt.AddSeed(g);
  size_t first_seeds = std::max<size_t>(1, option_seeds.size());
  if (!sensitivity_.empty()) {
    std::vector<size_t> order(sensitivity_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return sensitivity_[a].second > sensitivity_[b].second; });
    const auto& values = genes[first_layer].values;
    const auto fl = std::find(values.begin(), values.end(), nlohmann::json("float"));
    if (fl != values.end())
      for (size_t k : {1, 2, 4}) {
        if (k > order.size()) break;
        search::Genome g = space_->DefaultGenome();
        for (size_t j = 0; j < k; ++j)
          g[first_layer + order[j]] = static_cast<int>(fl - values.begin());
        opt.AddSeed(g);
        ++first_seeds;
      }
  }
  bool precision_seeded = false;
  std::set<search::Genome> done;
  for (const search::TrialRecord& r : log_->records()) {
    done.insert(r.genome);
    opt.Tell(r.genome, r.objectives);
  }
  // Grid: mixed-radix enumeration from the default genome's corner (all first values).
  const std::vector<int> card = space_->Cardinalities();
  search::Genome grid(card.size(), 0);
  bool grid_left = true;
  auto next_grid = [&]() -> std::optional<search::Genome> {
    while (grid_left) {
      search::Genome g = grid;
      size_t i = 0;
      while (i < grid.size() && ++grid[i] == card[i]) grid[i++] = 0;
      if (i == grid.size()) grid_left = false;
      if (!done.count(g)) return g;
    }
    return std::nullopt;
  };
  const int64_t budget =
      std::min<int64_t>(policy_.budget.trials, static_cast<int64_t>(std::min(space_->Size(), 1e9)));
  SHRINK_RETURN_IF_ERROR(WriteAnytime());
  while (static_cast<int64_t>(log_->records().size()) < budget) {
    if (Since(start_) > policy_.budget.max_minutes * 60) {
      Say("[search] wall-clock budget of " + std::to_string(policy_.budget.max_minutes) +
          " minutes reached");
      break;
    }
    if (nsga && !precision_seeded && log_->records().size() >= first_seeds) {
      precision_seeded = true;
      const search::Genome base = SeedBase();
      // W4A8 first: as fast as int8 (the 8-bit kernels), where weight-only int4 runs float.
      for (const char* p : {"w4a8", "int4"})
        for (const search::Genome& s : space_->PrecisionSeeds(base, p)) opt.AddSeed(s);
    }
    std::optional<search::Genome> g = nsga ? opt.Ask() : next_grid();
    if (!g) break;
    done.insert(*g);
    const size_t n = log_->records().size();
    Say("[trial " + std::to_string(n + 1) + "/" + std::to_string(budget) + "] " +
        space_->Describe(*g));
    SHRINK_RETURN_IF_ERROR(RunTrial(*g));
    opt.Tell(*g, log_->records().back().objectives);
    SHRINK_RETURN_IF_ERROR(WriteAnytime());
    const TrialView& t = trials_.back();
    std::ostringstream s;
    if (!t.outcome.ok) {
      s << "  failed: " << t.error;
    } else {
      s << "  " << t.figures.eval.primary.name << " " << t.figures.eval.primary.value << " ("
        << -t.outcome.m.metric_drop_pct << "%), p50 " << t.outcome.m.latency_ms_p50 << " ms, "
        << t.outcome.m.compression_ratio << "x smaller"
        << (t.outcome.violations.empty() ? "" : "; misses constraints");
    }
    s << " | best: " << (selection_.best ? trials_[*selection_.best].outcome.id : "none yet");
    Say(s.str());
  }
  return Status::Ok();
}

// Measures `file` on `runtime_name` into meta.compatibility (and warnings); on `primary_runtime`
// also meta's figures (runtime, metric, latency, memory).
Status Job::Confirm(const std::string& file, const std::string& runtime_name,
                    const std::string& primary_runtime, exporting::ArtifactMetadata& meta) {
  SHRINK_ASSIGN_OR_RETURN(runtimes::RuntimeKind kind, runtimes::ParseRuntime(runtime_name));
  MeasureOptions mo{kind, o_.threads, o_.eval_limit, 30, 5, false};
  // On the other target runtimes, paired with the baseline there: the search gated on one runtime
  // only, and a file can run slower elsewhere (ONNX Runtime runs W4A8's int4 weights dequantized
  // at every run).
  const PairedBaseline paired{&*baseline_model_, o_.model_path};
  Expected<Figures> f = MeasureModelFile(file, task_, mo, kind == gate_ ? nullptr : &paired);
  exporting::RuntimeCompatibility compat{runtime_name, f.ok(), {}, {}};
  if (!f.ok()) {
    compat.warnings.push_back(f.status().ToString());
    meta.compatibility.push_back(compat);
    return Status::Ok();
  }
  const double base_ms = f->paired_baseline_p50_ms;
  if (kind != gate_ && base_ms > 0 && f->latency.p50_ms > 1.05 * base_ms) {
    std::ostringstream w;
    w << std::fixed << std::setprecision(3) << runtime_name
      << " runs the artifact slower than the baseline (p50 " << f->latency.p50_ms << " vs "
      << base_ms << " ms)";
    compat.warnings.push_back(w.str());
    meta.warnings.push_back(w.str());
    Say("[confirm] warning: " + w.str());
  }
  meta.compatibility.push_back(compat);
  if (runtime_name != primary_runtime) return Status::Ok();
  meta.runtime = runtime_name;
  meta.primary = {f->eval.primary.name, baseline_.eval.primary.value, f->eval.primary.value,
                  f->eval.primary.higher_is_better};
  meta.latency_ms_p50 = f->latency.p50_ms;
  meta.latency_ms_p95 = f->latency.p95_ms;
  meta.throughput_qps = f->latency.throughput_per_s;
  meta.peak_memory_bytes = f->latency.peak_memory_bytes;
  return Status::Ok();
}

// Which per-layer precisions trial `trial` uses, sorted and comma-joined ("int8,w4a8"); "" when
// the search has no per-layer choices (or the genome does not decode).
std::string Job::PrecisionKind(size_t trial) const {
  Expected<nlohmann::json> choices = space_->Decode(log_->records().at(trial).genome);
  if (!choices.ok() || !choices->contains("layers")) return "";
  std::set<std::string> used;
  for (const auto& [layer, precision] : choices->at("layers").items())
    used.insert(precision.is_string() ? precision.get<std::string>() : precision.dump());
  std::string out;
  for (const std::string& p : used) out += (out.empty() ? "" : ",") + p;
  return out;
}

// The metadata of trial `trial`'s artifact at `file`, before any runtime confirmed it.
Expected<exporting::ArtifactMetadata> Job::Describe(size_t trial, const std::string& file) const {
  exporting::ArtifactMetadata meta;
  SHRINK_RETURN_IF_ERROR(exporting::DescribeFile(file, meta));
  SHRINK_ASSIGN_OR_RETURN(ir::Model model, onnx_io::LoadModel(file));
  meta.opset = model.OpsetFor("");
  meta.compression.quantization = applied_[trial].value("quantization", "none");
  meta.compression.details = applied_[trial].value("details", nlohmann::json::object());
  meta.baseline_size_bytes = baseline_.size_bytes;
  meta.compression_ratio = trials_[trial].outcome.m.compression_ratio;
  return meta;
}

// The artifact for `runtime`, copied to best/<runtime>/model.onnx: the job's best for the gating
// runtime (Finish writes its metadata), else the choice of runtime_choice.h, confirmed there with
// its metadata in best/<runtime>/model.json.
Expected<RuntimeBest> Job::ChooseFor(const std::string& runtime) {
  RuntimeBest rb;
  rb.runtime = runtime;
  std::optional<size_t> chosen = selection_.best;
  rb.explanation = selection_.explanation;
  const bool gate = runtime == policy_.target_runtimes.front();
  if (!gate) {
    std::vector<Outcome> outcomes;
    std::vector<std::string> files, kinds;
    for (size_t i = 0; i < trials_.size(); ++i) {
      outcomes.push_back(trials_[i].outcome);
      files.push_back(Path("candidates/" + trials_[i].outcome.id + ".onnx"));
      kinds.push_back(PrecisionKind(i));
    }
    SHRINK_ASSIGN_OR_RETURN(runtimes::RuntimeKind kind, runtimes::ParseRuntime(runtime));
    const MeasureOptions mo{kind, o_.threads, o_.eval_limit, 30, 5, false};
    Say("[choose] timing the candidates on " + runtime);
    SHRINK_ASSIGN_OR_RETURN(
        RuntimeChoice c,
        ChooseForRuntime(outcomes, files, kinds, ToMeasurement(baseline_, baseline_),
                         policy_.constraints, task_, mo,
                         PairedBaseline{&*baseline_model_, o_.model_path}, kMaxTimedPerRuntime));
    chosen = c.best;
    rb.explanation = c.explanation;
  }
  if (!chosen) return rb;
  const std::string id = trials_[*chosen].outcome.id;
  const std::string dir = Path("best/" + runtime);
  std::error_code ec;
  fs::create_directories(dir, ec);
  fs::copy_file(Path("candidates/" + id + ".onnx"), dir + "/model.onnx",
                fs::copy_options::overwrite_existing, ec);
  if (ec) return IOError("cannot copy " + id + " to " + dir + ": " + ec.message());
  rb.path = dir + "/model.onnx";
  rb.id = id;
  if (gate) return rb;
  SHRINK_ASSIGN_OR_RETURN(exporting::ArtifactMetadata meta, Describe(*chosen, dir + "/model.onnx"));
  Say("[confirm] " + id + " on " + runtime + " (" + dir + ")");
  SHRINK_RETURN_IF_ERROR(Confirm(dir + "/model.onnx", runtime, runtime, meta));
  meta.lineage = lineage_.ToJson();
  SHRINK_RETURN_IF_ERROR(exporting::SaveMetadata(meta, dir + "/model.json"));
  return rb;
}

Status Job::Diagnose(size_t best) {
  const search::Genome& g = log_->records().at(best).genome;
  SHRINK_ASSIGN_OR_RETURN(nlohmann::json choices, space_->Decode(g));
  SHRINK_ASSIGN_OR_RETURN(ir::Model model, onnx_io::LoadModel(o_.model_path));
  StageContext ctx{&task_, o_.threads, nullptr, /*diagnose=*/true};
  SHRINK_ASSIGN_OR_RETURN(AppliedStages applied, ApplyStages(model, choices, policy_, ctx));
  layer_sqnr_ = applied.layer_sqnr;
  return Status::Ok();
}

Expected<CompressSummary> Job::Finish() {
  SHRINK_RETURN_IF_ERROR(WriteAnytime());
  if (selection_.best && policy_.Stage("ptq")) {
    Say("[report] per-layer SQNR of " + trials_[*selection_.best].outcome.id);
    const auto t0 = Clock::now();
    const Status d = Diagnose(*selection_.best);
    if (!d.ok()) Say("[report] no per-layer diagnostics: " + d.ToString());
    work_seconds_ += Since(t0);
    SHRINK_RETURN_IF_ERROR(WriteAnytime());
  }
  CompressSummary s;
  s.trials_run = trials_run_;
  s.trials_total = static_cast<int>(trials_.size());
  s.explanation = selection_.explanation;
  if (selection_.best) {
    const size_t b = *selection_.best;
    s.met_constraints = true;
    s.best_path = Path("best/model.onnx");
    SHRINK_ASSIGN_OR_RETURN(exporting::ArtifactMetadata meta, Describe(b, s.best_path));
    const auto t0 = Clock::now();
    for (const std::string& rt : policy_.target_runtimes) {
      Say("[confirm] " + trials_[b].outcome.id + " on " + rt);
      SHRINK_RETURN_IF_ERROR(Confirm(s.best_path, rt, policy_.target_runtimes.front(), meta));
    }
    for (const std::string& rt : policy_.target_runtimes) {
      SHRINK_ASSIGN_OR_RETURN(RuntimeBest rb, ChooseFor(rt));
      if (rb.id != trials_[b].outcome.id)
        meta.warnings.push_back(
            rb.id.empty() ? "no candidate runs faster than the baseline on " + rt +
                                ": deploy the original model there (" + rb.explanation + ")"
                          : "the artifact for " + rt + " is " + rb.id + ", in " + rb.path);
      s.per_runtime.push_back(std::move(rb));
    }
    work_seconds_ += Since(t0);
    lineage_.stages.push_back({"confirm", Since(t0)});
    for (const auto& c : meta.compatibility)
      if (!c.operators_validated)
        meta.warnings.push_back(c.runtime + " could not run the artifact");
    lineage_.stages.push_back({"total", Since(start_)});
    meta.lineage = lineage_.ToJson();
    SHRINK_RETURN_IF_ERROR(exporting::SaveMetadata(meta, Path("best/model.json")));
    SHRINK_RETURN_IF_ERROR(exporting::SaveMetadata(
        meta, Path("best/" + policy_.target_runtimes.front() + "/model.json")));
    s.warnings = meta.warnings;
  }
  s.seconds = Since(start_);
  s.search_overhead_pct =
      s.seconds > 0 ? 100.0 * std::max(0.0, s.seconds - work_seconds_) / s.seconds : 0;
  SHRINK_ASSIGN_OR_RETURN(s.report, report::LoadReportData(Path("report.json")));
  if (!s.per_runtime.empty()) {  // the report names the artifact of each target runtime too
    for (const RuntimeBest& r : s.per_runtime)
      s.report.per_runtime.push_back({r.runtime, r.id,
                                      r.id.empty() ? "" : "best/" + r.runtime + "/model.onnx",
                                      r.explanation});
    SHRINK_RETURN_IF_ERROR(WriteText(Path("report.json"), s.report.ToJson().dump(2)));
    SHRINK_ASSIGN_OR_RETURN(std::string html, report::RenderHtmlReport(s.report));
    SHRINK_RETURN_IF_ERROR(WriteText(Path("report.html"), html));
  }
  if (o_.pdf) {
    const Status pdf = report::PrintToPdf(Path("report.html"), Path("report.pdf"));
    if (!pdf.ok()) Say("[report] no PDF: " + pdf.ToString());
  }
  SHRINK_RETURN_IF_ERROR(WriteText(
      Path("job.json"), nlohmann::json({{"version", 1},
                                        {"reproducibility_key", lineage_.ReproducibilityKey()},
                                        {"status", "done"},
                                        {"met_constraints", s.met_constraints},
                                        {"explanation", s.explanation},
                                        {"trials", s.trials_total},
                                        {"seconds", s.seconds},
                                        {"search_overhead_pct", s.search_overhead_pct},
                                        {"lineage", lineage_.ToJson()}})
                            .dump(2)));
  return s;
}

}  // namespace

Expected<CompressSummary> RunCompression(const CompressOptions& options) {
  Job job(options);
  SHRINK_RETURN_IF_ERROR(job.Prepare());
  SHRINK_RETURN_IF_ERROR(job.Search());
  return job.Finish();
}

}  // namespace shrink::pipeline
