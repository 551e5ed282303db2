// DatasetBatchSource implementation (no torch here).
#include "train/dataset_source.h"

namespace shrink::train {

Status DatasetBatchSource::Start(int64_t epoch) {
  if (batch_size_ < 1) return InvalidArgument("batch_size must be >= 1");
  if (shuffle_)
    dataset_.Shuffle(seed_ + static_cast<uint64_t>(epoch));
  else
    dataset_.Unshuffle();
  return Status::Ok();
}

Expected<std::optional<Batch>> DatasetBatchSource::Next() {
  SHRINK_ASSIGN_OR_RETURN(data::Batch b, dataset_.NextBatch(batch_size_));
  if (b.size() == 0) return std::optional<Batch>();
  Batch out;
  out.inputs = std::move(b.inputs);
  out.labels = std::move(b.labels);
  return std::optional<Batch>(std::move(out));
}

int64_t DatasetBatchSource::BatchesPerEpoch() const {
  return batch_size_ < 1 ? -1 : (dataset_.size() + batch_size_ - 1) / batch_size_;
}

}  // namespace shrink::train
