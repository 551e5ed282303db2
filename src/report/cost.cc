#include "report/cost.h"

#include <algorithm>
#include <cmath>

namespace shrink::report {

CostProjection ProjectCost(const CostInputs& in, double throughput_qps) {
  if (!(throughput_qps > 0)) return {NAN, NAN};
  const double instances = std::max(1.0, std::ceil(in.qps / throughput_qps));
  return {instances, instances * in.price_per_instance_hour * 730.0};
}

}  // namespace shrink::report
