// int8_speedup_plot: the plot of scripts/bench_int8_speedup.sh's results (issue 5): reads its lines
// ("round R MODEL batch B: fp32 X us [..], int8 Y us [..], Z.ZZx"), and draws the median speedup
// per model (groups) and batch (bars) with the 3x target as a reference line, each bar's tooltip
// listing every round. Not a test.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>

#include "report/svg_bar_chart.h"

namespace {

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string in, out;
  CLI::App app{"Plot scripts/bench_int8_speedup.sh results (median int8-over-fp32 speedups)"};
  app.add_option("input", in, "Results file")->required();
  app.add_option("-o,--svg", out, "SVG to write")->required();
  CLI11_PARSE(app, argc, argv);
  std::ifstream f(in);
  if (!f) {
    std::cerr << "int8_speedup_plot: cannot read " << in << "\n";
    return 2;
  }
  // (model, batch) -> speedups, models and batches in order of appearance.
  const std::regex line(R"(^round \S+ (\S+) batch (\d+): .*, ([0-9.]+)x$)");
  std::map<std::pair<std::string, std::string>, std::vector<double>> values;
  std::vector<std::string> models, batches;
  for (std::string s; std::getline(f, s);) {
    std::smatch m;
    if (!std::regex_match(s, m, line)) continue;
    const std::string model = m[1], batch = m[2];
    if (std::find(models.begin(), models.end(), model) == models.end()) models.push_back(model);
    if (std::find(batches.begin(), batches.end(), batch) == batches.end()) batches.push_back(batch);
    values[{model, batch}].push_back(std::stod(m[3]));
  }
  if (values.empty()) {
    std::cerr << "int8_speedup_plot: no result lines in " << in << "\n";
    return 2;
  }
  shrink::report::BarChart c;
  c.title = "int8 over fp32 on shrink's runtime, p50 (median of rounds; higher is better)";
  c.y_label = "fp32 p50 / int8 p50";
  c.categories = models;
  const char* colors[] = {"#f28e2b", "#4e79a7", "#59a14f", "#e15759"};
  for (size_t b = 0; b < batches.size(); ++b) {
    shrink::report::BarSeries s{"batch " + batches[b], {}, colors[b % 4]};
    for (const std::string& m : models) {
      auto it = values.find({m, batches[b]});
      s.values.push_back(it == values.end() ? NAN : Median(it->second));
    }
    c.series.push_back(std::move(s));
  }
  c.reference_lines = {{3.0, "issue 5 target 3x"}};
  if (const shrink::Status st = shrink::report::WriteBarChartSvg(c, out); !st.ok()) {
    std::cerr << "int8_speedup_plot: " << st.ToString() << "\n";
    return 2;
  }
  return 0;
}
