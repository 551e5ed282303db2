#include "report/html_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "report/cost.h"
#include "report/svg_bar_chart.h"
#include "report/svg_scatter_chart.h"

namespace shrink::report {
namespace {

constexpr const char* kStyle = R"(
:root{color-scheme:light dark;--fg:#1d1d1f;--bg:#fff;--muted:#666;--line:#ddd;--ok:#1a7f37;
--bad:#b42318;--card:#f6f8fa}
@media (prefers-color-scheme:dark){:root{--fg:#e6e6e6;--bg:#16181c;--muted:#9aa;--line:#333;
--ok:#4ac26b;--bad:#ff7b72;--card:#1f2328}}
body{font-family:system-ui,sans-serif;color:var(--fg);background:var(--bg);max-width:1100px;
margin:2em auto;padding:0 1em;line-height:1.45}
h1{font-size:1.6em}h2{border-bottom:1px solid var(--line);padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:1em 0;width:100%}
caption{text-align:left;font-weight:600;padding:.3em 0}
th,td{border:1px solid var(--line);padding:.35em .6em;text-align:right}
th[scope=row],td.text{text-align:left}
.card{background:var(--card);border-radius:8px;padding:1em;margin:1em 0}
.ok{color:var(--ok)}.bad{color:var(--bad)}.muted{color:var(--muted)}
svg{max-width:100%;height:auto}
@media print{body{margin:0;max-width:none}.card{break-inside:avoid}}
)";

std::string Esc(const std::string& s) { return XmlEscape(s); }

std::string Fmt(double v, int decimals = 2) {
  if (!std::isfinite(v)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

std::string Money(double v) {
  if (!std::isfinite(v)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "$%.0f", v);
  return buf;
}

void RowCells(std::ostringstream& o, const CandidateRow& r) {
  o << "<td>" << Fmt(r.metric, 4) << "</td><td>" << Fmt(r.metric_drop_pct) << "</td><td>"
    << Fmt(r.latency_ms_p50) << "</td><td>" << Fmt(r.latency_ms_p95) << "</td><td>"
    << Fmt(r.throughput_qps, 1) << "</td><td>" << Fmt(r.size_mb, 3) << "</td><td>"
    << Fmt(r.compression_ratio) << "x</td><td>" << Fmt(r.speedup) << "x</td>";
}

const char* kRowHeader =
    "<th scope=\"col\">metric</th><th scope=\"col\">drop %</th><th scope=\"col\">p50 ms</th>"
    "<th scope=\"col\">p95 ms</th><th scope=\"col\">throughput /s</th>"
    "<th scope=\"col\">size MB</th><th scope=\"col\">ratio</th>"
    "<th scope=\"col\">speedup (paired)</th>";

void Summary(std::ostringstream& o, const ReportData& d) {
  o << "<section id=\"summary\"><h1>Compression report: " << Esc(d.job) << "</h1>"
    << "<p class=\"muted\">Model <b>" << Esc(d.model) << "</b>, task <b>" << Esc(d.task)
    << "</b>, primary metric <b>" << Esc(d.metric) << "</b> ("
    << (d.higher_is_better ? "higher" : "lower") << " is better), measured on <b>" << Esc(d.runtime)
    << "</b>" << (d.machine.empty() ? "" : ", " + Esc(d.machine))
    << (d.created_at.empty() ? "" : ", " + Esc(d.created_at)) << ".</p></section>\n";
  const CandidateRow* best = d.Recommended();
  o << "<section id=\"recommendation\" class=\"card\"><h2>Recommendation</h2><p>"
    << (d.recommendation.empty() ? std::string("No recommendation was recorded.")
                                 : Esc(d.recommendation))
    << "</p>";
  if (best)
    o << "<p><b>" << Esc(best->id) << "</b>: " << Esc(best->description) << " &mdash; "
      << Fmt(best->compression_ratio) << "x smaller, " << Fmt(best->speedup)
      << "x faster than the baseline measured in the same time window (p50 "
      << Fmt(best->latency_ms_p50) << " ms), " << Esc(d.metric) << " " << Fmt(d.baseline.metric, 4)
      << " &rarr; " << Fmt(best->metric, 4) << ".</p>";
  if (!d.per_runtime.empty()) {
    o << "<table><caption>Artifact per target runtime (in the job folder)</caption><thead><tr>"
         "<th scope=\"col\">runtime</th>"
         "<th scope=\"col\">candidate</th><th scope=\"col\">file</th></tr></thead><tbody>";
    for (const RuntimeArtifact& r : d.per_runtime)
      o << "<tr><th scope=\"row\">" << Esc(r.runtime) << "</th><td"
        << (r.candidate.empty() ? " class=\"bad\">none: " + Esc(r.note) : ">" + Esc(r.candidate))
        << "</td><td>" << Esc(r.path) << "</td></tr>";
    o << "</tbody></table>";
  }
  o << "</section>\n<section id=\"risks\"><h2>Risk flags</h2>";
  if (d.risk_flags.empty()) {
    o << "<p class=\"ok\">No risk flags were raised.</p>";
  } else {
    o << "<ul>";
    for (const std::string& r : d.risk_flags) o << "<li class=\"bad\">" << Esc(r) << "</li>";
    o << "</ul>";
  }
  o << "</section>\n";
}

void Tables(std::ostringstream& o, const ReportData& d) {
  o << "<section id=\"comparison\"><h2>Baseline vs recommended</h2><table><caption>Measured on "
    << Esc(d.runtime) << "</caption><thead><tr><th scope=\"col\">model</th>" << kRowHeader
    << "</tr></thead><tbody><tr><th scope=\"row\">baseline</th>";
  RowCells(o, d.baseline);
  o << "</tr>";
  if (const CandidateRow* best = d.Recommended()) {
    o << "<tr><th scope=\"row\">" << Esc(best->id) << "</th>";
    RowCells(o, *best);
    o << "</tr>";
  }
  o << "</tbody></table></section>\n<section id=\"candidates\"><h2>All candidates</h2>";
  if (d.candidates.empty()) {
    o << "<p>No candidates were evaluated.</p></section>\n";
    return;
  }
  o << "<table><caption>" << d.candidates.size()
    << " candidates; &#9733; recommended, &#9670; on the Pareto front</caption><thead><tr>"
       "<th scope=\"col\">candidate</th><th scope=\"col\">what</th>"
    << kRowHeader << "<th scope=\"col\">constraints</th></tr></thead><tbody>";
  for (const CandidateRow& c : d.candidates) {
    o << "<tr><th scope=\"row\">" << (c.recommended ? "&#9733; " : "")
      << (c.pareto ? "&#9670; " : "") << Esc(c.id) << "</th><td class=\"text\">"
      << Esc(c.description) << "</td>";
    RowCells(o, c);
    o << "<td class=\"text " << (c.feasible ? "ok\">met" : "bad\">");
    for (size_t i = 0; i < c.violations.size(); ++i) o << (i ? "<br>" : "") << Esc(c.violations[i]);
    o << "</td></tr>";
  }
  o << "</tbody></table></section>\n";
}

Status Tradeoffs(std::ostringstream& o, const ReportData& d) {
  o << "<section id=\"tradeoffs\"><h2>Trade-offs</h2>";
  auto scatter = [&](const char* title, const char* xl, auto x) -> Status {
    ScatterChart c;
    c.title = title;
    c.x_label = xl;
    c.y_label = d.metric;
    c.series_names = {"baseline", "candidate", "violates constraints"};
    c.series_colors = {"#888888", "#4e79a7", "#e15759"};
    c.points.push_back({x(d.baseline), d.baseline.metric, "baseline", 0, false});
    for (const CandidateRow& r : d.candidates) {
      if (r.pareto) c.front.push_back(c.points.size());
      c.points.push_back({x(r), r.metric, r.id, r.feasible ? 1 : 2, r.recommended});
    }
    Expected<std::string> svg = RenderScatterSvg(c);
    if (!svg.ok()) return svg.status();
    o << "<figure>" << *svg << "</figure>";
    return Status::Ok();
  };
  SHRINK_RETURN_IF_ERROR(scatter(("Quality vs size: " + d.metric).c_str(), "size (MB)",
                                 [](const CandidateRow& r) { return r.size_mb; }));
  SHRINK_RETURN_IF_ERROR(scatter(("Quality vs latency: " + d.metric).c_str(), "latency p50 (ms)",
                                 [](const CandidateRow& r) { return r.latency_ms_p50; }));
  o << "</section>\n";
  return Status::Ok();
}

Status Layers(std::ostringstream& o, const ReportData& d) {
  o << "<section id=\"layers\"><h2>Per-layer quantization error</h2>";
  if (d.layers.empty()) {
    o << "<p>No per-layer diagnostics were recorded.</p></section>\n";
    return Status::Ok();
  }
  std::vector<LayerRow> worst = d.layers;
  std::sort(worst.begin(), worst.end(),
            [](const LayerRow& a, const LayerRow& b) { return a.sqnr_db < b.sqnr_db; });
  if (worst.size() > 20) worst.resize(20);
  BarChart c;
  c.title = "SQNR per layer, worst " + std::to_string(worst.size()) + " (higher is better)";
  c.y_label = "SQNR (dB)";
  c.value_decimals = 1;
  c.series = {{"SQNR dB", {}, "#59a14f"}};
  for (const LayerRow& l : worst) {
    c.categories.push_back(l.layer);
    c.series[0].values.push_back(l.sqnr_db);
  }
  SHRINK_ASSIGN_OR_RETURN(std::string svg, RenderBarChartSvg(c));
  o << "<figure>" << svg
    << "</figure><table><caption>Layers, worst SQNR first</caption><thead>"
       "<tr><th scope=\"col\">layer</th><th scope=\"col\">op</th><th scope=\"col\">SQNR dB</th>"
       "<th scope=\"col\">sensitivity (metric drop %)</th></tr></thead><tbody>";
  for (const LayerRow& l : worst)
    o << "<tr><th scope=\"row\">" << Esc(l.layer) << "</th><td class=\"text\">" << Esc(l.op_type)
      << "</td><td>" << Fmt(l.sqnr_db, 1) << "</td><td>" << Fmt(l.sensitivity_pct) << "</td></tr>";
  o << "</tbody></table></section>\n";
  return Status::Ok();
}

void Cohorts(std::ostringstream& o, const ReportData& d) {
  o << "<section id=\"cohorts\"><h2>Quality per cohort</h2>";
  if (d.cohorts.empty()) {
    o << "<p>The task defines no cohorts.</p></section>\n";
    return;
  }
  o << "<table><caption>" << Esc(d.metric)
    << " per cohort, baseline vs recommended</caption><thead><tr><th scope=\"col\">cohort</th>"
       "<th scope=\"col\">value</th><th scope=\"col\">examples</th><th scope=\"col\">baseline</th>"
       "<th scope=\"col\">compressed</th><th scope=\"col\">change</th></tr></thead><tbody>";
  for (const CohortRow& c : d.cohorts)
    o << "<tr" << (c.flagged ? " class=\"bad\"" : "") << "><th scope=\"row\">" << Esc(c.cohort)
      << "</th><td class=\"text\">" << Esc(c.key) << "</td><td>" << c.examples << "</td><td>"
      << Fmt(c.baseline, 4) << "</td><td>" << Fmt(c.compressed, 4) << "</td><td>"
      << Fmt(c.compressed - c.baseline, 4) << (c.flagged ? " &#9888;" : "") << "</td></tr>";
  o << "</tbody></table></section>\n";
}

void Cost(std::ostringstream& o, const ReportData& d) {
  const CostProjection base = ProjectCost(d.cost, d.baseline.throughput_qps);
  o << "<section id=\"cost\"><h2>Cost projection</h2><p>Serving " << Fmt(d.cost.qps, 0)
    << " queries/s on instances at $" << Fmt(d.cost.price_per_instance_hour)
    << "/hour (730 hours a month), from the throughput measured at " << d.cost.threads_per_instance
    << " threads per instance.</p><table><caption>Monthly cost"
    << "</caption><thead><tr><th scope=\"col\">model</th><th scope=\"col\">instances</th>"
       "<th scope=\"col\">monthly cost</th><th scope=\"col\">savings</th></tr></thead><tbody>"
    << "<tr><th scope=\"row\">baseline</th><td>" << Fmt(base.instances, 0) << "</td><td>"
    << Money(base.monthly_usd) << "</td><td>&mdash;</td></tr>";
  if (const CandidateRow* best = d.Recommended()) {
    const CostProjection c = ProjectCost(d.cost, best->throughput_qps);
    const double saved = base.monthly_usd - c.monthly_usd;
    o << "<tr><th scope=\"row\">" << Esc(best->id) << "</th><td>" << Fmt(c.instances, 0)
      << "</td><td>" << Money(c.monthly_usd) << "</td><td>" << Money(saved) << " ("
      << Fmt(100.0 * saved / base.monthly_usd, 0) << "%)</td></tr>";
  }
  o << "</tbody></table></section>\n";
}

}  // namespace

Expected<std::string> RenderHtmlReport(const ReportData& d) {
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    << "<title>shrink report: " << Esc(d.job) << "</title><style>" << kStyle
    << "</style></head><body>\n";
  Summary(o, d);
  Tables(o, d);
  SHRINK_RETURN_IF_ERROR(Tradeoffs(o, d));
  SHRINK_RETURN_IF_ERROR(Layers(o, d));
  Cohorts(o, d);
  Cost(o, d);
  o << "<section id=\"lineage\"><h2>Lineage</h2><details><summary>Inputs, seeds, versions, "
       "machine</summary><pre>"
    << Esc(d.lineage.dump(2)) << "</pre></details></section>\n"
    << "<footer class=\"muted\"><p>Generated by shrink. Figures are measurements of the exported "
       "artifacts on the stated runtime and machine.</p></footer></body></html>\n";
  return o.str();
}

}  // namespace shrink::report
