#include "cli/compress_summary.h"

#include <iomanip>
#include <iostream>

namespace shrink::cli {
namespace {

void PrintTable(const report::ReportData& d, std::ostream& out) {
  const report::CandidateRow* best = d.Recommended();
  out << std::fixed << std::setprecision(4);
  out << "\n"
      << std::left << std::setw(12) << "" << std::right << std::setw(12) << d.metric
      << std::setw(12) << "p50 ms" << std::setw(12) << "p95 ms" << std::setw(12) << "size MB"
      << std::setw(10) << "ratio" << std::setw(10) << "speedup\n";
  auto row = [&](const std::string& name, const report::CandidateRow& r) {
    out << std::left << std::setw(12) << name << std::right << std::setw(12) << r.metric
        << std::setprecision(3) << std::setw(12) << r.latency_ms_p50 << std::setw(12)
        << r.latency_ms_p95 << std::setw(12) << r.size_mb << std::setw(9) << r.compression_ratio
        << "x" << std::setw(9) << r.speedup << "x\n"
        << std::setprecision(4);
  };
  row("baseline", d.baseline);
  if (best) row(best->id, *best);
  out << "(speedup: baseline p50 / candidate p50, both measured in the same time window)\n\n"
      << d.recommendation << "\n";
}

nlohmann::json PerRuntimeJson(const pipeline::CompressSummary& s) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : s.per_runtime)
    out.push_back({{"runtime", r.runtime},
                   {"best", r.path},
                   {"candidate", r.id},
                   {"explanation", r.explanation}});
  return out;
}

}  // namespace

void PrintCompressSummary(const pipeline::CompressSummary& s, const std::string& job_dir,
                          bool json) {
  if (json) {
    std::cout << nlohmann::json({{"met_constraints", s.met_constraints},
                                 {"best", s.best_path},
                                 {"explanation", s.explanation},
                                 {"trials_run", s.trials_run},
                                 {"trials_total", s.trials_total},
                                 {"seconds", s.seconds},
                                 {"search_overhead_pct", s.search_overhead_pct},
                                 {"warnings", s.warnings},
                                 {"per_runtime", PerRuntimeJson(s)},
                                 {"report", s.report.ToJson()}})
                     .dump(2)
              << "\n";
    return;
  }
  PrintTable(s.report, std::cout);
  std::cout << "\n"
            << s.trials_run << " trials run (" << s.trials_total << " in the log) in "
            << std::setprecision(1) << s.seconds << " s; search overhead " << s.search_overhead_pct
            << "%.\nreport: " << job_dir << "/report.html\n";
  if (s.met_constraints) std::cout << "best:   " << s.best_path << "\n";
  for (const auto& r : s.per_runtime)
    std::cout << "  for " << r.runtime << ": "
              << (r.path.empty() ? "none (" + r.explanation + ")" : r.path + " (" + r.id + ")")
              << "\n";
  for (const std::string& w : s.warnings) std::cout << "warning: " << w << "\n";
}

}  // namespace shrink::cli
