// bar_plot: a grouped bar chart (SVG) of a results file of "CATEGORY SERIES VALUE" lines (blank
// lines and lines starting with '#' skipped; categories and series in order of appearance), for
// the benchmark scripts' results (scripts/bench_reduce_range.sh). Not a test.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "report/svg_bar_chart.h"

int main(int argc, char** argv) {
  std::string in, out, title, y_label;
  int decimals = 3;
  CLI::App app{"Grouped bar chart of CATEGORY SERIES VALUE lines"};
  app.add_option("input", in, "Results file")->required();
  app.add_option("-o,--svg", out, "SVG to write")->required();
  app.add_option("--title", title, "Chart title");
  app.add_option("--y-label", y_label, "Y axis label");
  app.add_option("--decimals", decimals, "Decimals in labels and tooltips");
  CLI11_PARSE(app, argc, argv);
  std::ifstream f(in);
  if (!f) {
    std::cerr << "bar_plot: cannot read " << in << "\n";
    return 2;
  }
  std::vector<std::string> categories, series;
  std::map<std::pair<std::string, std::string>, double> values;
  int n = 0;
  for (std::string s; std::getline(f, s);) {
    ++n;
    if (s.empty() || s[0] == '#') continue;
    std::istringstream line(s);
    std::string category, name;
    double v = 0;
    if (!(line >> category >> name >> v)) {
      std::cerr << "bar_plot: " << in << ":" << n << ": expected CATEGORY SERIES VALUE\n";
      return 2;
    }
    if (std::find(categories.begin(), categories.end(), category) == categories.end())
      categories.push_back(category);
    if (std::find(series.begin(), series.end(), name) == series.end()) series.push_back(name);
    values[{category, name}] = v;
  }
  shrink::report::BarChart c;
  c.title = title;
  c.y_label = y_label;
  c.categories = categories;
  c.value_decimals = decimals;
  const char* colors[] = {"#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1"};
  for (size_t i = 0; i < series.size(); ++i) {
    shrink::report::BarSeries s{series[i], {}, colors[i % 5]};
    for (const std::string& cat : categories) {
      auto it = values.find({cat, series[i]});
      s.values.push_back(it == values.end() ? NAN : it->second);
    }
    c.series.push_back(std::move(s));
  }
  if (const shrink::Status st = shrink::report::WriteBarChartSvg(c, out); !st.ok()) {
    std::cerr << "bar_plot: " << st.ToString() << "\n";
    return 2;
  }
  return 0;
}
