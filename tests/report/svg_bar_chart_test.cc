#include "report/svg_bar_chart.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace shrink::report {
namespace {

int Count(const std::string& s, const std::string& what) {
  int n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

BarChart TwoByThree() {
  BarChart c;
  c.title = "ours / ORT";
  c.y_label = "ratio";
  c.categories = {"resnet50 b1", "bert <seq128>", "det b8"};
  c.series = {{"fp32", {1.5, 0.9, 1.1}, "#4e79a7"}, {"int8", {0.7, NAN, 0.5}, "#f28e2b"}};
  c.reference_lines = {{1.0, "parity"}};
  return c;
}

TEST(SvgBarChart, OneBarPerFiniteValuePlusLegend) {
  Expected<std::string> svg = RenderBarChartSvg(TwoByThree());
  ASSERT_TRUE(svg.ok()) << svg.status().ToString();
  // 5 finite values -> 5 bars; 2 legend swatches.
  EXPECT_EQ(Count(*svg, "<rect"), 7);
  EXPECT_EQ(Count(*svg, "class=\"ref\""), 1);
  EXPECT_NE(svg->find("resnet50 b1, fp32: 1.50"), std::string::npos);
  EXPECT_NE(svg->find("prefers-color-scheme:dark"), std::string::npos);
}

TEST(SvgBarChart, EscapesText) {
  Expected<std::string> svg = RenderBarChartSvg(TwoByThree());
  ASSERT_TRUE(svg.ok());
  EXPECT_EQ(svg->find("<seq128>"), std::string::npos);
  EXPECT_NE(svg->find("bert &lt;seq128&gt;"), std::string::npos);
}

TEST(SvgBarChart, TallerValueGivesTallerBar) {
  BarChart c;
  c.categories = {"a"};
  c.series = {{"x", {1.0}, "red"}, {"y", {3.0}, "blue"}};
  Expected<std::string> svg = RenderBarChartSvg(c);
  ASSERT_TRUE(svg.ok());
  auto height_of = [&](const std::string& color) {
    const size_t fill = svg->find("fill=\"" + color + "\"><title>");
    const size_t h = svg->rfind("height=\"", fill);
    return std::stod(svg->substr(h + 8));
  };
  EXPECT_NEAR(height_of("blue") / height_of("red"), 3.0, 1e-6);
}

TEST(SvgBarChart, RejectsMismatchedSeries) {
  BarChart c = TwoByThree();
  c.series[1].values.pop_back();
  Expected<std::string> svg = RenderBarChartSvg(c);
  ASSERT_FALSE(svg.ok());
  EXPECT_NE(svg.status().message().find("int8"), std::string::npos);
  EXPECT_FALSE(RenderBarChartSvg(BarChart{}).ok());
}

}  // namespace
}  // namespace shrink::report
