#include "quant/channel_stats.h"

#include <algorithm>
#include <cmath>

#include "quant/probe.h"

namespace shrink::quant {

namespace {

struct Accumulator {
  std::vector<double> value;
  double count = 0;
};

Status Accumulate(const Tensor& t, int axis, ChannelStat stat, Accumulator& acc,
                  const std::string& name) {
  if (t.rank() < 1 || (axis == 1 && t.rank() < 2)) return Status::Ok();
  const int64_t a = axis < 0 ? t.rank() - 1 : axis;
  const int64_t channels = t.dim(a);
  int64_t inner = 1;
  for (int64_t d = a + 1; d < t.rank(); ++d) inner *= t.dim(d);
  if (acc.value.empty()) acc.value.assign(static_cast<size_t>(channels), 0.0);
  if (static_cast<int64_t>(acc.value.size()) != channels)
    return InvalidArgument("channel statistics: '" + name + "' changed its channel count");
  const float* d = t.data<float>();
  for (int64_t e = 0; e < t.numel(); ++e) {
    double& v = acc.value[static_cast<size_t>((e / inner) % channels)];
    v = stat == ChannelStat::kMean ? v + d[e] : std::max(v, static_cast<double>(std::abs(d[e])));
  }
  acc.count += channels > 0 ? static_cast<double>(t.numel() / channels) : 0;
  return Status::Ok();
}

}  // namespace

Expected<std::map<std::string, std::vector<double>>> CollectChannelStats(
    const ir::Model& model, const std::vector<ChannelRequest>& requests, ChannelStat stat,
    CalibrationSource& source, int threads, const std::function<void()>& progress) {
  std::vector<std::string> names;
  for (const ChannelRequest& r : requests) names.push_back(r.tensor);
  SHRINK_ASSIGN_OR_RETURN(std::unique_ptr<ProbeRunner> runner,
                          ProbeRunner::Create(model, names, threads, /*only_requested=*/true));
  SHRINK_RETURN_IF_ERROR(source.Reset());
  std::map<std::string, Accumulator> acc;
  int64_t done = 0;
  while (true) {
    SHRINK_ASSIGN_OR_RETURN(std::optional<runtime::Feeds> feeds, source.Next());
    if (!feeds) break;
    auto values = runner->Run(*feeds);
    if (!values.ok())
      return values.status().WithContext("channel statistics, batch " + std::to_string(done));
    for (const ChannelRequest& r : requests) {
      auto it = values->find(r.tensor);
      if (it == values->end() || it->second.dtype() != DataType::kFloat32) continue;
      SHRINK_RETURN_IF_ERROR(Accumulate(it->second, r.axis, stat, acc[r.tensor], r.tensor));
    }
    ++done;
    if (progress) progress();
  }
  if (done == 0) return InvalidArgument("calibration source " + source.Describe() + " is empty");
  std::map<std::string, std::vector<double>> out;
  for (auto& [name, a] : acc) {
    if (stat == ChannelStat::kMean && a.count > 0)
      for (double& v : a.value) v /= a.count;
    out[name] = std::move(a.value);
  }
  return out;
}

}  // namespace shrink::quant
