// Scatter plots as self-contained SVG (same style rules as svg_bar_chart.h): quality against size
// or latency for compression candidates, with the Pareto front drawn as a step line.
//
// Contract:
// - Each point has a label (tooltip), a series index (colour + legend entry) and an optional
//   highlight (a ring: the recommended candidate). NaN coordinates are not drawn.
// - Axes span the data with 5% padding; `log_x` uses a log10 x axis (all x must be > 0, else
//   kInvalidArgument). The front (indices into points) is joined in x order.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace shrink::report {

struct ScatterPoint {
  double x = 0, y = 0;
  std::string label;
  int series = 0;
  bool highlight = false;
};

struct ScatterChart {
  std::string title, x_label, y_label;
  std::vector<std::string> series_names;
  std::vector<std::string> series_colors;
  std::vector<ScatterPoint> points;
  std::vector<size_t> front;  // indices of points on the Pareto front
  bool log_x = false;
  int width = 640, height = 400;
};

Expected<std::string> RenderScatterSvg(const ScatterChart& chart);

}  // namespace shrink::report
