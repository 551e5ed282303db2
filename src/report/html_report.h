// The compression report as one self-contained HTML file (no scripts, no network): summary and
// recommendation, risk flags, baseline vs recommended table, all candidates, quality-vs-size and
// quality-vs-latency scatter plots with the Pareto front, per-layer SQNR bars, per-cohort quality,
// cost projection and lineage.
//
// Contract:
// - Charts are inline SVG; colours follow prefers-color-scheme (light and dark); every table has a
//   <caption> and scope'd header cells; every chart has role="img" and an aria-label.
// - Key elements carry stable ids for tests and links: #summary, #recommendation, #risks,
//   #comparison, #candidates, #tradeoffs, #layers, #cohorts, #cost, #lineage. Sections without
//   data say so instead of disappearing.
// - All text from the data is HTML-escaped.
#pragma once

#include <string>

#include "core/status.h"
#include "report/report_data.h"

namespace shrink::report {

Expected<std::string> RenderHtmlReport(const ReportData& data);

}  // namespace shrink::report
