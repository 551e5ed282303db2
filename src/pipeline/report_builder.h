// Turns a job's measurements into report::ReportData (the input of the HTML/PDF report).
#pragma once

#include <string>
#include <vector>

#include "pipeline/measure.h"
#include "pipeline/selection.h"
#include "report/report_data.h"

namespace shrink::pipeline {

struct TrialView {
  Outcome outcome;
  std::string description;
  Figures figures;  // valid when outcome.ok
  std::string error;
};

struct ReportInputs {
  std::string job, model, task, runtime, machine, created_at;
  Figures baseline;
  std::vector<TrialView> trials;
  Selection selection;
  nlohmann::json lineage;
  nlohmann::json layer_sqnr = nlohmann::json::array();      // [{layer, op_type, sqnr_db}]
  std::vector<std::pair<std::string, double>> sensitivity;  // layer -> metric drop %
  double cohort_tolerance_pct = 2.0;  // flag cohorts losing more (relative %) than this
};

report::ReportData BuildReportData(const ReportInputs& in);

}  // namespace shrink::pipeline
