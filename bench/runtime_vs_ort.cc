// bench_vs_ort: shrink's fast runtime against ONNX Runtime, side by side, on the zoo models of
// issue 3 (ResNet-50, MobileNetV2, BERT-base seq 128, PaddleOCR rec 48x320 and det 640x640), at
// batch 1 and 8, fp32 (the zoo file) and int8 (a QDQ file per model in --int8-dir, made by
// scripts/bench.sh with `shrink quantize`). Prints a table and writes JSON, a Markdown table and
// an SVG plot of the latency ratios, and a table and plot of int8's speedup over fp32 on each
// runtime (each row's fp32 and int8 files are measured in turn, not interleaved). Not a test:
// timings are only compared within one run.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "bench/side_by_side.h"
#include "report/svg_bar_chart.h"
#include "zoo/catalog.h"
#include "zoo/manifest.h"

namespace shrink::bench {
namespace {

struct Args {
  std::string zoo_dir = zoo::DefaultZooDir();
  std::string int8_dir;
  std::vector<std::string> models = {"resnet50", "mobilenet_v2", "bert_base", "ppocr_v4_rec",
                                     "ppocr_v4_det"};
  std::vector<int64_t> batches = {1, 8};
  std::vector<std::string> precisions = {"fp32", "int8"};
  SideBySideOptions side;
  std::string json_out, markdown_out, svg_out, speedup_svg_out;
  std::string replot;  // render the table and plot from an earlier --json file, measure nothing
};

struct Row {
  std::string model, precision;
  int64_t batch = 1;
  std::string skipped;  // why no measurement
  SideBySideResult r;
};

Expected<NamedTensors> Inputs(const zoo::CatalogEntry& e, int64_t batch) {
  std::vector<zoo::SampleInput> in = e.sample_inputs;
  for (zoo::SampleInput& s : in)
    if (!s.shape.empty()) s.shape[0] = batch;
  return zoo::MakeSampleInputs(in, /*seed=*/0);
}

std::string Label(const Row& r) { return r.model + " b" + std::to_string(r.batch); }

std::string Markdown(const std::vector<Row>& rows, int threads) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(1);
  o << "| model | batch | precision | shrink p50 ms | ORT p50 ms | shrink / ORT | shrink p95 | "
       "ORT p95 | fast steps | out rel L2 |\n|---|---|---|---|---|---|---|---|---|---|\n";
  for (const Row& r : rows) {
    o << "| " << r.model << " | " << r.batch << " | " << r.precision << " | ";
    if (!r.skipped.empty()) {
      o << "not measured: " << r.skipped << " | | | | | | |\n";
      continue;
    }
    o << r.r.ours.p50_ms << " | " << r.r.ort.p50_ms << " | " << std::setprecision(2) << r.r.ratio
      << "x | " << std::setprecision(1) << r.r.ours.p95_ms << " | " << r.r.ort.p95_ms << " | "
      << r.r.fast_steps << "/" << r.r.steps << " | " << std::scientific << std::setprecision(1)
      << r.r.max_rel_l2 << std::fixed << " |\n";
  }
  o << "\n" << threads << " threads each; medians over every timed run of all rounds.\n";
  return o.str();
}

Expected<std::string> Svg(const std::vector<Row>& rows, int threads) {
  report::BarChart c;
  c.title = "shrink / ONNX Runtime p50 latency (" + std::to_string(threads) +
            " threads; lower is better)";
  c.y_label = "latency ratio";
  const std::vector<std::pair<std::string, std::string>> series = {{"fp32", "#4e79a7"},
                                                                   {"int8", "#f28e2b"}};
  for (const auto& [p, color] : series) c.series.push_back({p, {}, color});
  for (const Row& r : rows) {
    const std::string label = Label(r);
    auto it = std::find(c.categories.begin(), c.categories.end(), label);
    if (it == c.categories.end()) {
      c.categories.push_back(label);
      for (auto& s : c.series) s.values.push_back(NAN);
      it = c.categories.end() - 1;
    }
    const size_t idx = static_cast<size_t>(it - c.categories.begin());
    for (auto& s : c.series)
      if (s.name == r.precision && r.skipped.empty()) s.values[idx] = r.r.ratio;
  }
  c.reference_lines = {{1.0, "fp32 target 1.0x"}, {0.8, "int8 target 0.8x"}};
  return report::RenderBarChartSvg(c);
}

// int8 over fp32 (fp32 p50 / int8 p50) on each runtime, per model and batch with both measured.
struct Speedup {
  std::string label;
  double shrink = NAN, ort = NAN;
};
std::vector<Speedup> Speedups(const std::vector<Row>& rows) {
  std::vector<Speedup> out;
  for (const Row& f : rows) {
    if (f.precision != "fp32" || !f.skipped.empty()) continue;
    for (const Row& q : rows)
      if (q.precision == "int8" && q.skipped.empty() && q.model == f.model && q.batch == f.batch)
        out.push_back(
            {Label(f), f.r.ours.p50_ms / q.r.ours.p50_ms, f.r.ort.p50_ms / q.r.ort.p50_ms});
  }
  return out;
}

std::string SpeedupMarkdown(const std::vector<Speedup>& sp) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(2);
  o << "| model | int8 over fp32, shrink | int8 over fp32, ORT |\n|---|---|---|\n";
  for (const Speedup& x : sp)
    o << "| " << x.label << " | " << x.shrink << "x | " << x.ort << "x |\n";
  return o.str();
}

Expected<std::string> SpeedupSvg(const std::vector<Speedup>& sp, int threads) {
  report::BarChart c;
  c.title =
      "int8 speedup over fp32, p50 (" + std::to_string(threads) + " threads; higher is better)";
  c.y_label = "fp32 p50 / int8 p50";
  c.series = {{"shrink", {}, "#f28e2b"}, {"ONNX Runtime", {}, "#76b7b2"}};
  for (const Speedup& x : sp) {
    c.categories.push_back(x.label);
    c.series[0].values.push_back(x.shrink);
    c.series[1].values.push_back(x.ort);
  }
  c.reference_lines = {{3.0, "issue 5 target 3x"}, {1.0, "no gain"}};
  return report::RenderBarChartSvg(c);
}

nlohmann::json Json(const std::vector<Row>& rows, const Args& a) {
  nlohmann::json j = {{"threads", a.side.threads}, {"rounds", a.side.rounds}, {"rows", {}}};
  for (const Row& r : rows) {
    nlohmann::json row = {{"model", r.model}, {"batch", r.batch}, {"precision", r.precision}};
    if (!r.skipped.empty()) {
      row["skipped"] = r.skipped;
    } else {
      row["shrink"] = {
          {"p50_ms", r.r.ours.p50_ms}, {"p95_ms", r.r.ours.p95_ms}, {"runs", r.r.ours.runs}};
      row["onnxruntime"] = {
          {"p50_ms", r.r.ort.p50_ms}, {"p95_ms", r.r.ort.p95_ms}, {"runs", r.r.ort.runs}};
      row["ratio"] = r.r.ratio;
      row["max_rel_l2"] = r.r.max_rel_l2;
      row["fast_steps"] = r.r.fast_steps;
      row["steps"] = r.r.steps;
    }
    j["rows"].push_back(row);
  }
  return j;
}

Status Write(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  f.close();
  return f ? Status::Ok() : IOError("cannot write " + path);
}

Expected<std::vector<Row>> RowsFromJson(const std::string& path) {
  std::ifstream f(path);
  nlohmann::json j = nlohmann::json::parse(f, nullptr, false);
  if (j.is_discarded()) return Corrupt(path + ": not JSON");
  std::vector<Row> rows;
  try {
    for (const auto& r : j.at("rows")) {
      Row row{r.at("model"), r.at("precision"), r.at("batch"), r.value("skipped", ""), {}};
      if (row.skipped.empty()) {
        row.r.ours = {r["shrink"]["runs"], r["shrink"]["p50_ms"], r["shrink"]["p95_ms"], 0};
        row.r.ort = {r["onnxruntime"]["runs"], r["onnxruntime"]["p50_ms"],
                     r["onnxruntime"]["p95_ms"], 0};
        row.r.ratio = r.at("ratio");
        row.r.max_rel_l2 = r.at("max_rel_l2");
        row.r.fast_steps = r.at("fast_steps");
        row.r.steps = r.at("steps");
      }
      rows.push_back(std::move(row));
    }
  } catch (const nlohmann::json::exception& e) {
    return Corrupt(path + ": " + e.what());
  }
  return rows;
}

Status Main(const Args& a) {
  std::vector<Row> rows;
  if (!a.replot.empty()) {
    SHRINK_ASSIGN_OR_RETURN(rows, RowsFromJson(a.replot));
  }
  for (const std::string& name : a.replot.empty() ? a.models : std::vector<std::string>{}) {
    const zoo::CatalogEntry* e = zoo::FindCatalogEntry(name);
    if (!e) return NotFound("unknown zoo model '" + name + "'");
    for (const std::string& p : a.precisions) {
      if (p != "fp32" && p != "int8") return InvalidArgument("unknown precision '" + p + "'");
      const std::string file =
          p == "fp32" ? a.zoo_dir + "/" + e->file_name : a.int8_dir + "/" + name + ".int8.onnx";
      for (int64_t b : a.batches) {
        Row row{name, p, b, "", {}};
        std::cerr << "[bench] " << name << " batch " << b << " " << p << " ..." << std::flush;
        if (!std::filesystem::exists(file)) {
          row.skipped = "no file " + file;
        } else {
          SHRINK_ASSIGN_OR_RETURN(NamedTensors in, Inputs(*e, b));
          Expected<SideBySideResult> r = MeasureSideBySide(file, in, a.side);
          if (r.ok())
            row.r = *r;
          else
            row.skipped = r.status().ToString();
        }
        if (row.skipped.empty())
          std::cerr << " shrink " << row.r.ours.p50_ms << " ms, ORT " << row.r.ort.p50_ms
                    << " ms, ratio " << row.r.ratio << "\n";
        else
          std::cerr << " skipped: " << row.skipped << "\n";
        rows.push_back(std::move(row));
      }
    }
  }
  const std::vector<Speedup> sp = Speedups(rows);
  const std::string md = Markdown(rows, a.side.threads) + "\n" + SpeedupMarkdown(sp);
  std::cout << md;
  if (!a.markdown_out.empty()) SHRINK_RETURN_IF_ERROR(Write(a.markdown_out, md));
  if (!a.json_out.empty() && a.replot.empty())
    SHRINK_RETURN_IF_ERROR(Write(a.json_out, Json(rows, a).dump(2)));
  if (!a.svg_out.empty()) {
    SHRINK_ASSIGN_OR_RETURN(std::string svg, Svg(rows, a.side.threads));
    SHRINK_RETURN_IF_ERROR(Write(a.svg_out, svg));
  }
  if (!a.speedup_svg_out.empty()) {
    SHRINK_ASSIGN_OR_RETURN(std::string svg, SpeedupSvg(sp, a.side.threads));
    SHRINK_RETURN_IF_ERROR(Write(a.speedup_svg_out, svg));
  }
  return Status::Ok();
}

}  // namespace
}  // namespace shrink::bench

int main(int argc, char** argv) {
  shrink::bench::Args a;
  CLI::App app{"shrink fast runtime vs ONNX Runtime, side by side"};
  app.add_option("--zoo", a.zoo_dir, "Zoo cache folder");
  app.add_option("--int8-dir", a.int8_dir, "Folder with <model>.int8.onnx QDQ files");
  app.add_option("--models", a.models, "Zoo model names")->delimiter(',');
  app.add_option("--batches", a.batches, "Batch sizes")->delimiter(',');
  app.add_option("--precisions", a.precisions, "fp32,int8")->delimiter(',');
  app.add_option("--threads", a.side.threads, "Threads for both runtimes");
  app.add_option("--rounds", a.side.rounds, "Alternating rounds");
  app.add_option("--seconds", a.side.seconds_per_round, "Seconds per runtime per round");
  app.add_option("--json", a.json_out, "Write results as JSON");
  app.add_option("--markdown", a.markdown_out, "Write the Markdown table");
  app.add_option("--svg", a.svg_out, "Write the ratio plot (SVG)");
  app.add_option("--svg-speedup", a.speedup_svg_out,
                 "Write the int8-over-fp32 speedup plot of both runtimes (SVG)");
  app.add_option("--replot", a.replot, "Render from an earlier --json file (no measuring)");
  CLI11_PARSE(app, argc, argv);
  const shrink::Status s = shrink::bench::Main(a);
  if (!s.ok()) {
    std::cerr << "bench_vs_ort: " << s.ToString() << "\n";
    return 2;
  }
  return 0;
}
