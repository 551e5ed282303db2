#include "report/svg_scatter_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "report/svg_bar_chart.h"

namespace shrink::report {
namespace {

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.4g", v);
  return buf;
}

}  // namespace

Expected<std::string> RenderScatterSvg(const ScatterChart& c) {
  std::vector<const ScatterPoint*> pts;
  for (const ScatterPoint& p : c.points)
    if (std::isfinite(p.x) && std::isfinite(p.y)) pts.push_back(&p);
  if (pts.empty()) return InvalidArgument("scatter chart '" + c.title + "': no finite points");
  for (const ScatterPoint* p : pts)
    if (c.log_x && p->x <= 0) return InvalidArgument("scatter chart: log x axis needs x > 0");
  auto tx = [&](double x) { return c.log_x ? std::log10(x) : x; };
  double x0 = tx(pts[0]->x), x1 = x0, y0 = pts[0]->y, y1 = y0;
  for (const ScatterPoint* p : pts) {
    x0 = std::min(x0, tx(p->x)), x1 = std::max(x1, tx(p->x));
    y0 = std::min(y0, p->y), y1 = std::max(y1, p->y);
  }
  const double px = std::max((x1 - x0) * 0.05, 1e-9), py = std::max((y1 - y0) * 0.05, 1e-9);
  x0 -= px, x1 += px, y0 -= py, y1 += py;
  const double left = 70, right = 20, top = 50, bottom = 50;
  const double pw = c.width - left - right, ph = c.height - top - bottom;
  auto X = [&](double x) { return left + pw * (tx(x) - x0) / (x1 - x0); };
  auto Y = [&](double y) { return top + ph * (1 - (y - y0) / (y1 - y0)); };
  auto color = [&](int s) {
    return s >= 0 && static_cast<size_t>(s) < c.series_colors.size() ? c.series_colors[s]
                                                                     : std::string("#888");
  };

  std::ostringstream o;
  o << SvgPrologue(c.title, c.width, c.height);
  for (int i = 0; i <= 4; ++i) {  // 5 grid lines per axis, labelled with data values
    const double fy = y0 + (y1 - y0) * i / 4, fx = x0 + (x1 - x0) * i / 4;
    const double gy = Y(fy), gx = left + pw * i / 4;
    o << "<line class=\"grid\" x1=\"" << left << "\" x2=\"" << left + pw << "\" y1=\"" << gy
      << "\" y2=\"" << gy << "\"/><text x=\"" << left - 6 << "\" y=\"" << gy + 4
      << "\" text-anchor=\"end\" fill=\"currentColor\">" << Num(fy) << "</text>\n"
      << "<line class=\"grid\" x1=\"" << gx << "\" x2=\"" << gx << "\" y1=\"" << top << "\" y2=\""
      << top + ph << "\"/><text x=\"" << gx << "\" y=\"" << top + ph + 16
      << "\" text-anchor=\"middle\" fill=\"currentColor\">"
      << Num(c.log_x ? std::pow(10.0, fx) : fx) << "</text>\n";
  }
  o << "<text x=\"" << left + pw / 2 << "\" y=\"" << c.height - 8
    << "\" text-anchor=\"middle\" fill=\"currentColor\">" << XmlEscape(c.x_label)
    << (c.log_x ? " (log scale)" : "") << "</text>\n"
    << "<text transform=\"translate(16," << top + ph / 2
    << ") rotate(-90)\" text-anchor=\"middle\" fill=\"currentColor\">" << XmlEscape(c.y_label)
    << "</text>\n";
  // Pareto front as a line in x order.
  std::vector<const ScatterPoint*> front;
  for (size_t i : c.front)
    if (i < c.points.size() && std::isfinite(c.points[i].x) && std::isfinite(c.points[i].y))
      front.push_back(&c.points[i]);
  std::sort(front.begin(), front.end(),
            [](const ScatterPoint* a, const ScatterPoint* b) { return a->x < b->x; });
  if (front.size() > 1) {
    o << "<polyline class=\"front\" fill=\"none\" stroke=\"currentColor\" stroke-opacity=\".6\" "
         "stroke-dasharray=\"4 3\" points=\"";
    for (const ScatterPoint* p : front) o << X(p->x) << ',' << Y(p->y) << ' ';
    o << "\"><title>Pareto front</title></polyline>\n";
  }
  for (const ScatterPoint* p : pts) {
    o << "<circle class=\"point\" cx=\"" << X(p->x) << "\" cy=\"" << Y(p->y) << "\" r=\"5\" fill=\""
      << XmlEscape(color(p->series)) << "\"><title>" << XmlEscape(p->label) << ": " << Num(p->x)
      << ", " << Num(p->y) << "</title></circle>\n";
    if (p->highlight)
      o << "<circle cx=\"" << X(p->x) << "\" cy=\"" << Y(p->y)
        << "\" r=\"9\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\"/>\n";
  }
  double lx = left;
  for (size_t s = 0; s < c.series_names.size(); ++s) {
    o << "<circle cx=\"" << lx + 6 << "\" cy=\"38\" r=\"5\" fill=\""
      << XmlEscape(color(static_cast<int>(s))) << "\"/><text x=\"" << lx + 16
      << "\" y=\"42\" fill=\"currentColor\">" << XmlEscape(c.series_names[s]) << "</text>\n";
    lx += 30 + 7.0 * static_cast<double>(c.series_names[s].size());
  }
  o << "</svg>\n";
  return o.str();
}

}  // namespace shrink::report
