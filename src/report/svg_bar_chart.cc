#include "report/svg_bar_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace shrink::report {
namespace {

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

// A "nice" tick step (1, 2 or 5 times a power of ten) giving about `ticks` intervals over span.
double NiceStep(double span, int ticks) {
  const double raw = span / ticks;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

}  // namespace

std::string XmlEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string SvgPrologue(const std::string& title, int width, int height) {
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
    << "\" viewBox=\"0 0 " << width << ' ' << height << "\" role=\"img\" aria-label=\""
    << XmlEscape(title) << "\">\n"
    << "<style>svg{color:#222;font-family:sans-serif;font-size:12px}"
       "@media (prefers-color-scheme:dark){svg{color:#ddd}}"
       ".grid{stroke:currentColor;stroke-opacity:.15}.ref{stroke:currentColor;stroke-dasharray:6 4}"
       "</style>\n"
    << "<title>" << XmlEscape(title) << "</title>\n"
    << "<text x=\"" << width / 2 << "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" "
    << "fill=\"currentColor\">" << XmlEscape(title) << "</text>\n";
  return o.str();
}

Expected<std::string> RenderBarChartSvg(const BarChart& c) {
  const size_t ncat = c.categories.size();
  if (ncat == 0 || c.series.empty()) return InvalidArgument("bar chart: no categories or series");
  double lo = 0, hi = 0;
  for (const BarSeries& s : c.series) {
    if (s.values.size() != ncat)
      return InvalidArgument("bar chart: series '" + s.name + "' has " +
                             std::to_string(s.values.size()) + " values for " +
                             std::to_string(ncat) + " categories");
    for (double v : s.values)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  for (const ReferenceLine& r : c.reference_lines)
    lo = std::min(lo, r.value), hi = std::max(hi, r.value);
  if (hi <= lo) hi = lo + 1;
  const double step = NiceStep(hi - lo, 5);
  const double y0 = std::floor(lo / step) * step, y1 = std::ceil(hi * 1.05 / step) * step;

  const double left = 70, right = 70, top = 50, bottom = 90;
  const double pw = c.width - left - right, ph = c.height - top - bottom;
  auto Y = [&](double v) { return top + ph * (1 - (v - y0) / (y1 - y0)); };
  const double group_w = pw / static_cast<double>(ncat);
  const double bar_w = group_w * 0.8 / static_cast<double>(c.series.size());

  std::ostringstream o;
  o << SvgPrologue(c.title, c.width, c.height);
  // Axis, grid and tick labels.
  for (double t = y0; t <= y1 + step / 2; t += step) {
    o << "<line class=\"grid\" x1=\"" << left << "\" x2=\"" << left + pw << "\" y1=\"" << Y(t)
      << "\" y2=\"" << Y(t) << "\"/>"
      << "<text x=\"" << left - 6 << "\" y=\"" << Y(t) + 4
      << "\" text-anchor=\"end\" fill=\"currentColor\">" << Fixed(t, step < 1 ? 2 : 0)
      << "</text>\n";
  }
  o << "<text transform=\"translate(16," << top + ph / 2
    << ") rotate(-90)\" text-anchor=\"middle\" fill=\"currentColor\">" << XmlEscape(c.y_label)
    << "</text>\n";
  // Bars.
  for (size_t i = 0; i < ncat; ++i) {
    const double gx = left + group_w * static_cast<double>(i) + group_w * 0.1;
    for (size_t s = 0; s < c.series.size(); ++s) {
      const double v = c.series[s].values[i];
      if (!std::isfinite(v)) continue;
      const double x = gx + bar_w * static_cast<double>(s);
      const double ya = Y(std::max(v, 0.0)), yb = Y(std::min(v, 0.0));
      o << "<rect x=\"" << x << "\" y=\"" << ya << "\" width=\"" << bar_w * 0.92 << "\" height=\""
        << std::max(0.5, yb - ya) << "\" fill=\"" << XmlEscape(c.series[s].color) << "\"><title>"
        << XmlEscape(c.categories[i] + ", " + c.series[s].name + ": " + Fixed(v, c.value_decimals))
        << "</title></rect>\n";
    }
    o << "<text transform=\"translate(" << gx + group_w * 0.4 << ',' << top + ph + 12
      << ") rotate(30)\" fill=\"currentColor\">" << XmlEscape(c.categories[i]) << "</text>\n";
  }
  o << "<line x1=\"" << left << "\" x2=\"" << left + pw << "\" y1=\"" << Y(0) << "\" y2=\"" << Y(0)
    << "\" stroke=\"currentColor\"/>\n";
  for (const ReferenceLine& r : c.reference_lines) {
    o << "<line class=\"ref\" x1=\"" << left << "\" x2=\"" << left + pw << "\" y1=\"" << Y(r.value)
      << "\" y2=\"" << Y(r.value) << "\"/><text x=\"" << left + pw - 4 << "\" y=\""
      << Y(r.value) - 4 << "\" text-anchor=\"end\" fill=\"currentColor\">" << XmlEscape(r.label)
      << "</text>\n";
  }
  // Legend.
  double lx = left;
  for (const BarSeries& s : c.series) {
    o << "<rect x=\"" << lx << "\" y=\"34\" width=\"12\" height=\"12\" fill=\""
      << XmlEscape(s.color) << "\"/><text x=\"" << lx + 16 << "\" y=\"44\" fill=\"currentColor\">"
      << XmlEscape(s.name) << "</text>\n";
    lx += 30 + 7.0 * static_cast<double>(s.name.size());
  }
  o << "</svg>\n";
  return o.str();
}

Status WriteBarChartSvg(const BarChart& chart, const std::string& path) {
  SHRINK_ASSIGN_OR_RETURN(std::string svg, RenderBarChartSvg(chart));
  std::ofstream o(path, std::ios::binary);
  o << svg;
  if (!o) return IOError("cannot write " + path);
  return Status::Ok();
}

}  // namespace shrink::report
