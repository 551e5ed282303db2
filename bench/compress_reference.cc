// bench_compress: `shrink compress` on every trained reference model (refmodels::Recipes(), files
// in the zoo cache) with one policy, and the issue 7 targets over them: the median compression
// ratio with at most the policy's metric drop, the median paired latency speedup on the gating
// runtime, and whether ONNX Runtime ran each chosen artifact. Writes a Markdown table, JSON and an
// SVG plot (ratio and speedup per model). Not a test: timings are only compared within one job.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "export/artifact_metadata.h"
#include "pipeline/compress.h"
#include "refmodels/recipe.h"
#include "report/svg_bar_chart.h"
#include "zoo/manifest.h"

namespace shrink::bench {
namespace {

struct Args {
  std::string zoo_dir = zoo::DefaultZooDir();
  std::string source_dir = SHRINK_SOURCE_DIR;
  std::string policy = "policies/default.yaml";
  std::string jobs_dir = "bench/results/compress";
  std::vector<std::string> models;  // empty: every recipe
  int threads = 2;
  int64_t eval_limit = -1;
  std::string markdown_out, json_out, svg_out;
};

struct Row {
  std::string model, metric, error, chosen, explanation;
  double baseline = NAN, compressed = NAN, drop_pct = NAN, ratio = NAN, speedup = NAN;
  double p50_base = NAN, p50 = NAN, seconds = NAN, overhead_pct = NAN;
  bool met = false, ort_ok = false;
};

std::string Abs(const Args& a, const std::string& p) {
  return std::filesystem::path(p).is_absolute() ? p : a.source_dir + "/" + p;
}

Row Compress(const Args& a, const refmodels::Recipe& r) {
  Row row;
  row.model = r.name;
  pipeline::CompressOptions o;
  o.model_path = a.zoo_dir + "/" + r.name + ".onnx";
  o.task_path = Abs(a, r.task);
  o.policy_path = Abs(a, a.policy);
  o.out_dir = a.jobs_dir + "/" + r.name;
  o.threads = a.threads;
  o.eval_limit = a.eval_limit;
  o.pdf = false;
  o.progress = [&](const std::string& line) { std::cerr << "[" << r.name << "] " << line << "\n"; };
  Expected<pipeline::CompressSummary> s = pipeline::RunCompression(o);
  if (!s.ok()) {
    row.error = s.status().ToString();
    return row;
  }
  const report::ReportData& d = s->report;
  row.metric = d.metric;
  row.baseline = d.baseline.metric;
  row.p50_base = d.baseline.latency_ms_p50;
  row.met = s->met_constraints;
  row.seconds = s->seconds;
  row.overhead_pct = s->search_overhead_pct;
  row.explanation = s->explanation;
  if (const report::CandidateRow* best = d.Recommended()) {
    row.chosen = best->description;
    row.compressed = best->metric;
    row.drop_pct = best->metric_drop_pct;
    row.ratio = best->compression_ratio;
    row.speedup = best->speedup;
    row.p50 = best->latency_ms_p50;
  }
  if (auto m = exporting::LoadMetadata(o.out_dir + "/best/model.json"); m.ok())
    for (const auto& c : m->compatibility)
      if (c.runtime == "onnxruntime") row.ort_ok = c.operators_validated;
  return row;
}

double Median(std::vector<double> v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string Markdown(const std::vector<Row>& rows, const Args& a) {
  std::ostringstream o;
  o << std::fixed;
  o << "| model | metric | baseline | compressed | drop % | ratio | paired speedup | p50 ms base "
       "-> "
       "chosen | ORT ran it | constraints | job s (search overhead) | chosen |\n"
       "|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const Row& r : rows) {
    if (!r.error.empty()) {
      o << "| " << r.model << " | failed: " << r.error << " | | | | | | | | | | |\n";
      continue;
    }
    if (r.chosen.empty()) {
      o << "| " << r.model << " | " << r.metric << " | " << std::setprecision(4) << r.baseline
        << " | baseline kept | | 1x | 1x | | | missed | " << std::setprecision(0) << r.seconds
        << " (" << std::setprecision(1) << r.overhead_pct << "%) | " << r.explanation << " |\n";
      continue;
    }
    o << "| " << r.model << " | " << r.metric << " | " << std::setprecision(4) << r.baseline
      << " | " << r.compressed << " | " << std::setprecision(2) << r.drop_pct << " | " << r.ratio
      << "x | " << r.speedup << "x | " << std::setprecision(3) << r.p50_base << " -> " << r.p50
      << " | " << (r.ort_ok ? "yes" : "no") << " | " << (r.met ? "met" : "missed") << " | "
      << std::setprecision(0) << r.seconds << " (" << std::setprecision(1) << r.overhead_pct
      << "%) | " << r.chosen << " |\n";
  }
  // A model without a recommended candidate keeps its baseline: 1x on both counts.
  std::vector<double> ratio, speedup, overhead;
  for (const Row& r : rows) {
    ratio.push_back(std::isnan(r.ratio) ? 1.0 : r.ratio);
    speedup.push_back(std::isnan(r.speedup) ? 1.0 : r.speedup);
    overhead.push_back(r.overhead_pct);
  }
  o << std::setprecision(2) << "\nPolicy " << a.policy << ", " << a.threads
    << " threads. Medians over the models (1x where the baseline is kept): compression ratio "
    << Median(ratio) << "x, paired speedup " << Median(speedup) << "x, search overhead "
    << Median(overhead) << "% of the job.\n";
  return o.str();
}

nlohmann::json Json(const std::vector<Row>& rows) {
  nlohmann::json j = nlohmann::json::array();
  auto num = [](double v) { return std::isnan(v) ? nlohmann::json() : nlohmann::json(v); };
  for (const Row& r : rows)
    j.push_back({{"model", r.model},
                 {"metric", r.metric},
                 {"error", r.error},
                 {"baseline", num(r.baseline)},
                 {"compressed", num(r.compressed)},
                 {"drop_pct", num(r.drop_pct)},
                 {"ratio", num(r.ratio)},
                 {"speedup", num(r.speedup)},
                 {"p50_ms_baseline", num(r.p50_base)},
                 {"p50_ms", num(r.p50)},
                 {"ort_validated", r.ort_ok},
                 {"met_constraints", r.met},
                 {"seconds", num(r.seconds)},
                 {"search_overhead_pct", num(r.overhead_pct)},
                 {"chosen", r.chosen}});
  return j;
}

Expected<std::string> Plot(const std::vector<Row>& rows) {
  report::BarChart c;
  c.title = "shrink compress on the trained reference models";
  c.y_label = "x (higher is better)";
  report::BarSeries ratio{"compression ratio", {}, "#4e79a7"};
  report::BarSeries speedup{"paired latency speedup", {}, "#f28e2b"};
  for (const Row& r : rows) {
    c.categories.push_back(r.model);
    ratio.values.push_back(r.ratio);
    speedup.values.push_back(r.speedup);
  }
  c.series = {ratio, speedup};
  c.reference_lines = {{4, "4x size target"}, {2, "2x latency target"}};
  return report::RenderBarChartSvg(c);
}

Status Write(const std::string& path, const std::string& text) {
  if (path.empty()) return Status::Ok();
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  return f ? Status::Ok() : IOError("cannot write " + path);
}

Status Run(const Args& a) {
  std::vector<Row> rows;
  for (const refmodels::Recipe& r : refmodels::Recipes()) {
    if (!a.models.empty() && std::find(a.models.begin(), a.models.end(), r.name) == a.models.end())
      continue;
    rows.push_back(Compress(a, r));
  }
  if (rows.empty()) return InvalidArgument("no reference model selected");
  const std::string md = Markdown(rows, a);
  std::cout << md;
  SHRINK_RETURN_IF_ERROR(Write(a.markdown_out, md));
  SHRINK_RETURN_IF_ERROR(Write(a.json_out, Json(rows).dump(2) + "\n"));
  if (!a.svg_out.empty()) {
    SHRINK_ASSIGN_OR_RETURN(std::string svg, Plot(rows));
    SHRINK_RETURN_IF_ERROR(Write(a.svg_out, svg));
  }
  return Status::Ok();
}

}  // namespace
}  // namespace shrink::bench

int main(int argc, char** argv) {
  shrink::bench::Args a;
  CLI::App app{"shrink compress on the trained reference models (issue 7 targets)"};
  app.add_option("--zoo", a.zoo_dir, "Zoo cache folder");
  app.add_option("--source-dir", a.source_dir, "shrink checkout (task and policy files)");
  app.add_option("--policy", a.policy, "Policy file (relative to the checkout)");
  app.add_option("--jobs", a.jobs_dir, "Folder for the job folders");
  app.add_option("--models", a.models, "Only these reference models")->delimiter(',');
  app.add_option("--threads", a.threads, "Threads for every runtime");
  app.add_option("--eval-limit", a.eval_limit, "At most this many evaluation examples");
  app.add_option("--markdown", a.markdown_out, "Write the table here");
  app.add_option("--json", a.json_out, "Write the rows as JSON here");
  app.add_option("--svg", a.svg_out, "Write the plot here");
  CLI11_PARSE(app, argc, argv);
  const shrink::Status s = shrink::bench::Run(a);
  if (!s.ok()) {
    std::cerr << "bench_compress: " << s.ToString() << "\n";
    return 1;
  }
  return 0;
}
