// DatasetBatchSource: adapts a data::Dataset to the Trainer's BatchSource.
//
// Contract: epoch e is the dataset shuffled with seed (shuffle_seed + e) when `shuffle` is on (else
// ascending order), cut into batches of `batch_size` (the last one may be smaller). The same
// epoch always yields the same batches, which is what checkpoint resume relies on. The dataset
// must outlive the source.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "data/dataset.h"
#include "train/trainer.h"

namespace shrink::train {

class DatasetBatchSource : public BatchSource {
 public:
  DatasetBatchSource(data::Dataset& dataset, int64_t batch_size, bool shuffle,
                     uint64_t shuffle_seed)
      : dataset_(dataset), batch_size_(batch_size), shuffle_(shuffle), seed_(shuffle_seed) {}

  Status Start(int64_t epoch) override;
  Expected<std::optional<Batch>> Next() override;
  int64_t BatchesPerEpoch() const override;

 private:
  data::Dataset& dataset_;
  int64_t batch_size_;
  bool shuffle_;
  uint64_t seed_;
};

// Feeds a single-input dataset to a single-input model whose input has another name: renames the
// batch's only input to `name` (no-op when `name` is empty or the batch has several inputs).
class RenamingSource : public BatchSource {
 public:
  RenamingSource(BatchSource& inner, std::string name) : inner_(inner), name_(std::move(name)) {}
  Status Start(int64_t e) override { return inner_.Start(e); }
  Expected<std::optional<Batch>> Next() override {
    SHRINK_ASSIGN_OR_RETURN(std::optional<Batch> b, inner_.Next());
    if (b && b->inputs.size() == 1 && !name_.empty()) b->inputs[0].first = name_;
    return b;
  }
  int64_t BatchesPerEpoch() const override { return inner_.BatchesPerEpoch(); }

 private:
  BatchSource& inner_;
  std::string name_;
};

}  // namespace shrink::train
