#include "report/html_report.h"

#include <gtest/gtest.h>

#include "report/cost.h"
#include "report_test_data.h"

namespace shrink::report {
namespace {

int Count(const std::string& s, const std::string& what) {
  int n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

TEST(ReportData, JsonRoundTrip) {
  const ReportData d = SampleReport();
  Expected<ReportData> back = ReportData::FromJson(d.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  // NaN != NaN, so compare the JSON forms (NaN is stored as null).
  EXPECT_EQ(back->ToJson(), d.ToJson());
  EXPECT_TRUE(std::isnan(back->layers[0].sensitivity_pct));
  nlohmann::json bad = d.ToJson();
  bad.erase("metric");
  EXPECT_EQ(ReportData::FromJson(bad).status().code(), StatusCode::kCorrupt);
}

TEST(Cost, InstancesAndMonthlyCost) {
  const CostInputs in{200, 0.5, 2};
  const CostProjection base = ProjectCost(in, 500);  // 200/500 -> 1 instance
  const CostProjection slow = ProjectCost(in, 90);   // 200/90 = 2.2 -> 3 instances
  EXPECT_EQ(base.instances, 1);
  EXPECT_DOUBLE_EQ(base.monthly_usd, 0.5 * 730);
  EXPECT_EQ(slow.instances, 3);
  EXPECT_DOUBLE_EQ(slow.monthly_usd, 3 * 0.5 * 730);
  EXPECT_TRUE(std::isnan(ProjectCost(in, 0).monthly_usd));
}

TEST(HtmlReport, HasEverySectionChartsAndAccessibleTables) {
  Expected<std::string> html = RenderHtmlReport(SampleReport());
  ASSERT_TRUE(html.ok()) << html.status().ToString();
  for (const char* id : {"summary", "recommendation", "risks", "comparison", "candidates",
                         "tradeoffs", "layers", "cohorts", "cost", "lineage"})
    EXPECT_NE(html->find(std::string("id=\"") + id + "\""), std::string::npos) << id;
  EXPECT_EQ(Count(*html, "<svg"), 3);  // two scatter plots + the SQNR bars
  EXPECT_EQ(Count(*html, "<table>"), Count(*html, "<caption>"));
  EXPECT_NE(html->find("scope=\"col\""), std::string::npos);
  EXPECT_NE(html->find("prefers-color-scheme:dark"), std::string::npos);
  EXPECT_EQ(html->find("<cnn>"), std::string::npos);  // escaped
  EXPECT_NE(html->find("fashion &lt;cnn&gt; ptq"), std::string::npos);
  // Nothing to fetch: no external sources, links or CSS urls (the SVG xmlns is only a name).
  EXPECT_EQ(html->find("src="), std::string::npos);
  EXPECT_EQ(html->find("href="), std::string::npos);
  EXPECT_EQ(html->find("url("), std::string::npos);
  EXPECT_NE(html->find("class=\"front\""), std::string::npos);  // Pareto front drawn
  // The artifact of each target runtime, and why a runtime has none.
  EXPECT_NE(html->find("Artifact per target runtime"), std::string::npos);
  EXPECT_NE(html->find("best/native/model.onnx"), std::string::npos);
  EXPECT_NE(html->find("none: trial-1 &lt;slower&gt; than the baseline there"), std::string::npos);
  // Cost: baseline 1 instance, trial-1 (1430/s) 1 instance -> $0 saved.
  EXPECT_NE(html->find("$365"), std::string::npos);
}

TEST(HtmlReport, SaysSoWhenSectionsAreEmpty) {
  ReportData d = SampleReport();
  d.candidates.clear();
  d.layers.clear();
  d.cohorts.clear();
  d.risk_flags.clear();
  Expected<std::string> html = RenderHtmlReport(d);
  ASSERT_TRUE(html.ok());
  EXPECT_NE(html->find("No candidates were evaluated."), std::string::npos);
  EXPECT_NE(html->find("No per-layer diagnostics"), std::string::npos);
  EXPECT_NE(html->find("no cohorts"), std::string::npos);
  EXPECT_NE(html->find("No risk flags"), std::string::npos);
}

}  // namespace
}  // namespace shrink::report
