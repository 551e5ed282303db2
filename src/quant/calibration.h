// Calibration: feeds batches through the float model and streams every planned activation into
// its observer.
//
// Contract:
// - A CalibrationSource yields runtime::Feeds batches until nullopt; Reset() rewinds it so that a
//   second pass (diagnostics) sees the same batches. Three sources:
//   * OpenTaskCalibration: the task's `calibration` dataset (data::OpenDataset), batch_size from
//     the task; a single dataset input is fed to the model's single input whatever its name.
//   * OpenTensorFileCalibration: a .npy (single-input models: [N, ...] split into batches along
//     axis 0) or .npz (one [N, ...] array per model input, keys = input names; a single-array
//     file feeds a single-input model). Missing file -> kNotFound; a missing input key or arrays
//     with different N -> kInvalidArgument.
//   * MakeRandomCalibration: `batches` seeded random batches from the declared input shapes
//     (runtime::MakeRandomFeeds, seed + batch index) — for latency work, not for accuracy.
//   `max_batches` > 0 caps the number of batches of every source.
// - Calibrate() runs the model (quant::ProbeRunner, fast session) on every batch and feeds each
//   requested float32 tensor to its own observer (made from `options.observer`); tensors that
//   never show up as float32 get no observer. Memory holds one batch's activations at a time.
//   A batch that does not fit the model (wrong shape or dtype) fails with kInvalidArgument
//   naming the batch index and the input. `progress(done, total)` is called after every batch
//   (total -1 when unknown).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "data/task.h"
#include "ir/model.h"
#include "quant/observer.h"
#include "runtime/executor.h"
#include "runtime/random_inputs.h"

namespace shrink::quant {

class CalibrationSource {
 public:
  virtual ~CalibrationSource() = default;
  virtual Expected<std::optional<runtime::Feeds>> Next() = 0;
  virtual Status Reset() = 0;
  virtual int64_t num_batches() const = 0;  // -1 when unknown
  virtual std::string Describe() const = 0;
};

Expected<std::unique_ptr<CalibrationSource>> OpenTaskCalibration(const data::TaskSpec& task,
                                                                 const ir::Graph& graph,
                                                                 int64_t max_batches = 0);
Expected<std::unique_ptr<CalibrationSource>> OpenTensorFileCalibration(const std::string& path,
                                                                       const ir::Graph& graph,
                                                                       int64_t batch_size,
                                                                       int64_t max_batches = 0);
Expected<std::unique_ptr<CalibrationSource>> MakeRandomCalibration(
    const ir::Graph& graph, int64_t batches, uint64_t seed = 0,
    const runtime::DimValues& dims = {});

struct CalibrateOptions {
  ObserverOptions observer;
  int threads = 0;
  std::function<void(int64_t done, int64_t total)> progress;
};

using Observers = std::map<std::string, std::unique_ptr<Observer>>;

Expected<Observers> Calibrate(const ir::Model& model, const std::vector<std::string>& tensors,
                              CalibrationSource& source, const CalibrateOptions& options);

}  // namespace shrink::quant
