// Per-channel statistics of activations over the calibration batches (the data that bias
// correction and SmoothQuant need, beyond the per-tensor histograms of the observers).
//
// Contract: CollectChannelStats() runs `model` (quant::ProbeRunner, fast session, pruned to the
// nodes the requested tensors depend on) on every batch of `source` (rewound first) and, for each
// requested float32 tensor, reduces everything but `axis` (1: NCHW channels, -1: the last axis)
// to one value per channel: kMean, the mean over all batches and positions; kAbsMax, the largest
// |x|. Tensors that never show up get no entry; a
// tensor whose channel count changes between batches -> kInvalidArgument. An empty source ->
// kInvalidArgument. `progress(done)` is called after every batch.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "ir/model.h"
#include "quant/calibration.h"

namespace shrink::quant {

enum class ChannelStat { kMean, kAbsMax };

struct ChannelRequest {
  std::string tensor;
  int axis = 1;  // 1 or -1
};

Expected<std::map<std::string, std::vector<double>>> CollectChannelStats(
    const ir::Model& model, const std::vector<ChannelRequest>& requests, ChannelStat stat,
    CalibrationSource& source, int threads = 0, const std::function<void()>& progress = {});

}  // namespace shrink::quant
