// Grouped bar charts as self-contained SVG (no scripts, no external fonts), for docs and reports.
//
// Contract:
// - One group of bars per category, one bar per series (same order and colour in every group),
//   a legend, a y axis from 0 (or the smallest negative value) to a rounded maximum with 4-6
//   labelled ticks, optional dashed horizontal reference lines with labels.
// - Text and axes use `currentColor` with a CSS default that follows prefers-color-scheme, so the
//   chart reads in light and dark themes; bars carry <title> tooltips with the exact value.
// - NaN values draw no bar (the tooltip-free gap marks a missing measurement). Category and
//   series names are XML-escaped. Series value counts must equal the category count, else
//   kInvalidArgument.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace shrink::report {

struct BarSeries {
  std::string name;
  std::vector<double> values;  // one per category; NaN = missing
  std::string color;           // CSS colour, e.g. "#4e79a7"
};

struct ReferenceLine {
  double value = 0;
  std::string label;
};

struct BarChart {
  std::string title;
  std::string y_label;
  std::vector<std::string> categories;
  std::vector<BarSeries> series;
  std::vector<ReferenceLine> reference_lines;
  int width = 900;
  int height = 420;
  int value_decimals = 2;  // in tooltips and bar labels
};

Expected<std::string> RenderBarChartSvg(const BarChart& chart);
// RenderBarChartSvg written to `path` (kIOError when it cannot be written).
Status WriteBarChartSvg(const BarChart& chart, const std::string& path);

// XML text escaping (& < > " ').
std::string XmlEscape(const std::string& s);
// The opening of every shrink chart: <svg> with role/aria-label, the light/dark style (grid and
// reference-line classes), a <title> and the visible centred title.
std::string SvgPrologue(const std::string& title, int width, int height);

}  // namespace shrink::report
