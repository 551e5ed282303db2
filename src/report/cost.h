// Cost projection: what serving a model at a sustained QPS costs per month, from its measured
// throughput on one instance.
//
// Contract: instances = ceil(qps / throughput_qps) (at least 1); monthly cost = instances x price
// per hour x 730 hours. A throughput <= 0 or NaN gives NaN figures (not measured). Savings compare
// a candidate with the baseline: baseline cost - candidate cost (and percent of baseline).
#pragma once

#include "report/report_data.h"

namespace shrink::report {

struct CostProjection {
  double instances = 0;
  double monthly_usd = 0;
};

CostProjection ProjectCost(const CostInputs& in, double throughput_qps);

}  // namespace shrink::report
