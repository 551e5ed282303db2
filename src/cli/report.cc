// `shrink report JOB_DIR [--pdf] [--qps Q] [--price P]`
// Re-renders JOB_DIR/report.html (and report.pdf with --pdf) from JOB_DIR/report.json, with the
// cost projection's QPS and instance price when given.
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "report/chromium.h"
#include "report/html_report.h"
#include "report/report_data.h"

namespace shrink::cli {
namespace {

struct ReportArgs {
  std::string dir;
  bool pdf = false;
  double qps = -1, price = -1;
};

Status RunReport(const ReportArgs& a) {
  SHRINK_ASSIGN_OR_RETURN(report::ReportData d, report::LoadReportData(a.dir + "/report.json"));
  if (a.qps > 0) d.cost.qps = a.qps;
  if (a.price > 0) d.cost.price_per_instance_hour = a.price;
  SHRINK_ASSIGN_OR_RETURN(std::string html, report::RenderHtmlReport(d));
  const std::string html_path = a.dir + "/report.html";
  std::ofstream f(html_path, std::ios::binary | std::ios::trunc);
  f << html;
  f.close();
  if (!f) return IOError("cannot write " + html_path);
  std::cout << "wrote " << html_path << "\n";
  if (a.pdf) {
    SHRINK_RETURN_IF_ERROR(report::PrintToPdf(html_path, a.dir + "/report.pdf"));
    std::cout << "wrote " << a.dir << "/report.pdf\n";
  }
  return Status::Ok();
}

}  // namespace

void RegisterReport(CLI::App& app, std::vector<CommandRunner>& runners) {
  auto* cmd = app.add_subcommand("report", "Render a job's HTML (and PDF) report");
  auto a = std::make_shared<ReportArgs>();
  cmd->add_option("job_dir", a->dir, "Job folder written by `shrink compress`")->required();
  cmd->add_flag("--pdf", a->pdf, "Also print report.pdf through headless Chromium");
  cmd->add_option("--qps", a->qps, "Cost projection: sustained queries per second");
  cmd->add_option("--price", a->price, "Cost projection: USD per instance-hour");
  runners.push_back({cmd, [a]() { return RunReport(*a); }});
}

}  // namespace shrink::cli
