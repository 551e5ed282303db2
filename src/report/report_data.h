// ReportData: everything a compression report shows, as the job writes it (<job dir>/report.json).
// The HTML renderer reads only this, so a report can be rebuilt from a finished job at any time.
//
// Contract: FromJson(ToJson(d)) == d. Missing optional sections (layers, cohorts, cost, lineage)
// are empty; a missing required field (job, metric, baseline) or a mistyped one -> kCorrupt
// naming it. NaN figures (not measured) are stored as null.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"

namespace shrink::report {

struct CandidateRow {
  std::string id;           // "baseline", "trial-3", ...
  std::string description;  // "int8 static, entropy, per-channel"
  double metric = 0;
  double metric_drop_pct = 0;
  double latency_ms_p50 = 0, latency_ms_p95 = 0;
  double throughput_qps = 0;
  double size_mb = 0;
  double compression_ratio = 1;
  // Baseline p50 / this p50, both measured in the same time window (paired); 1 for the baseline.
  double speedup = 1;
  bool feasible = true;
  std::vector<std::string> violations;  // Violation::ToString() lines
  bool pareto = false;
  bool recommended = false;
  bool operator==(const CandidateRow&) const = default;
};

struct LayerRow {
  std::string layer, op_type;
  double sqnr_db = 0;
  double sensitivity_pct = 0;  // metric drop with only this layer compressed (NaN: not measured)
  bool operator==(const LayerRow&) const = default;
};

struct CohortRow {
  std::string cohort, key;
  int64_t examples = 0;
  double baseline = 0, compressed = 0;
  bool flagged = false;  // degraded more than the tolerance
  bool operator==(const CohortRow&) const = default;
};

// The artifact chosen for one target runtime (shrink compress's best/<runtime>/).
struct RuntimeArtifact {
  std::string runtime;
  std::string candidate;  // empty: none qualifies there
  std::string path;       // relative to the job folder
  std::string note;       // the selection's explanation on that runtime
  bool operator==(const RuntimeArtifact&) const = default;
};

struct CostInputs {
  double qps = 100;                       // sustained queries per second to serve
  double price_per_instance_hour = 0.50;  // USD
  int threads_per_instance = 2;
  bool operator==(const CostInputs&) const = default;
};

struct ReportData {
  std::string job, model, task, runtime, created_at, machine;
  std::string metric;  // the primary metric's name
  bool higher_is_better = true;
  CandidateRow baseline;
  std::vector<CandidateRow> candidates;
  std::vector<LayerRow> layers;
  std::vector<CohortRow> cohorts;
  std::vector<std::string> risk_flags;
  std::string recommendation;  // one paragraph; says so when nothing met the constraints
  std::vector<RuntimeArtifact> per_runtime;  // filled when the job has finished
  CostInputs cost;
  nlohmann::json lineage = nlohmann::json::object();
  bool operator==(const ReportData&) const = default;

  const CandidateRow* Recommended() const;  // nullptr when none
  nlohmann::json ToJson() const;
  static Expected<ReportData> FromJson(const nlohmann::json& j);
};

Expected<ReportData> LoadReportData(const std::string& path);

}  // namespace shrink::report
