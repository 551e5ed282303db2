// Trainer: trains an ir::Model (through train::Program) on batches from a BatchSource.
//
// Contract:
// - Seeded and reproducible: the same model, options and batches give bit-identical weights
//   (torch::manual_seed(seed), deterministic algorithms, a fixed thread count).
// - The loss is applied to one graph output (TrainOptions::output, default the first):
//   kCrossEntropy   logits [N, C] (or [N, C, d...]) with int64 labels [N] ([N, d...]);
//   kBceWithLogits  logits and float labels of the same shape;
//   kMse            predictions and float labels of the same shape;
//   kNextToken      logits [N, S, V] with int64 next-token targets [N, S] (already shifted, as
//                   data::Dataset's kTokens labels are: labels[:, s] is the token after input s).
// - A BatchSource is asked for epoch e with Start(e), then Next() until it returns nullopt. It
//   must yield the same batches for the same epoch (shuffle seeded by epoch) so that a resumed
//   run sees exactly the batches a straight run would.
// - Checkpoints (parameters, buffers, optimizer state, epoch/step, RNG state) are written
//   atomically (temp file + rename) every `checkpoint_every_steps` steps (0: never) and at the end
//   of every epoch when `checkpoint_path` is set. With `resume`, Train() loads the checkpoint and
//   continues at the saved epoch/step (skipping the batches already consumed); training 2 epochs
//   straight equals 1 epoch + resume for 1 epoch.
// - After Train(), WriteBack() puts the trained weights into the model's initializers.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/status.h"
#include "core/tensor.h"
#include "ir/model.h"
#include "train/program.h"

namespace shrink::train {

enum class OptimizerKind { kSgd, kAdam };
enum class ScheduleKind { kConstant, kCosine, kStep };
enum class LossKind { kCrossEntropy, kBceWithLogits, kMse, kNextToken };

// Parse "sgd"/"adam", "constant"/"cosine"/"step", "cross_entropy"/"bce_with_logits"/"mse"/
// "next_token" (kInvalidArgument otherwise).
Expected<OptimizerKind> ParseOptimizer(const std::string& s);
Expected<ScheduleKind> ParseSchedule(const std::string& s);
Expected<LossKind> ParseLoss(const std::string& s);

struct TrainProgress {
  int64_t epoch = 0;  // 0-based
  int64_t epochs = 0;
  int64_t step_in_epoch = 0;   // batches done in this epoch
  int64_t global_step = 0;     // optimizer steps done in total
  double loss = 0.0;           // loss of the last batch
  double epoch_mean_loss = 0;  // mean over this epoch so far
  double lr = 0.0;
  bool epoch_end = false;
};

struct TrainOptions {
  OptimizerKind optimizer = OptimizerKind::kAdam;
  double lr = 1e-3;
  double momentum = 0.9;  // SGD only
  double weight_decay = 0.0;
  ScheduleKind schedule = ScheduleKind::kConstant;
  int64_t step_size = 1;  // kStep: lr *= gamma every step_size epochs
  double gamma = 0.1;
  int64_t epochs = 1;
  int64_t batch_size = 32;  // informational for batch sources built from options
  uint64_t seed = 0;
  int threads = 1;
  LossKind loss = LossKind::kCrossEntropy;
  std::string output;  // graph output the loss applies to; "" = first output
  std::string checkpoint_path;
  int64_t checkpoint_every_steps = 0;
  bool resume = false;
  // Called after every step and at every epoch end. When unset and stderr is a terminal, a
  // progress bar is drawn on stderr.
  std::function<void(const TrainProgress&)> progress;
  bool progress_bar = true;  // allow the stderr bar when no callback is set
  ProgramOptions program;
};

// One batch: named graph inputs plus labels for the loss.
struct Batch {
  NamedTensors inputs;
  Tensor labels;
};

class BatchSource {
 public:
  virtual ~BatchSource() = default;
  // Begins epoch `epoch` (0-based). Called once per epoch before the first Next().
  virtual Status Start(int64_t epoch) = 0;
  // The next batch of the epoch, or nullopt at its end.
  virtual Expected<std::optional<Batch>> Next() = 0;
  // Batches per epoch when known (for the progress bar and cosine schedule); -1 when unknown.
  virtual int64_t BatchesPerEpoch() const { return -1; }
};

// A BatchSource over fixed in-memory batches (the same list every epoch).
class VectorBatchSource : public BatchSource {
 public:
  explicit VectorBatchSource(std::vector<Batch> batches) : batches_(std::move(batches)) {}
  Status Start(int64_t) override {
    next_ = 0;
    return Status::Ok();
  }
  Expected<std::optional<Batch>> Next() override {
    if (next_ >= batches_.size()) return std::optional<Batch>();
    return std::optional<Batch>(batches_[next_++]);
  }
  int64_t BatchesPerEpoch() const override { return static_cast<int64_t>(batches_.size()); }

 private:
  std::vector<Batch> batches_;
  size_t next_ = 0;
};

struct TrainResult {
  int64_t epochs_run = 0;  // epochs run by this call (excludes those restored from a checkpoint)
  int64_t global_step = 0;
  double first_epoch_loss = 0;  // mean loss of the first epoch run by this call
  double last_epoch_loss = 0;   // mean loss of the last epoch
};

struct TrainerState;  // torch-side optimizer state (internal)

class Trainer {
 public:
  // `model` must outlive the Trainer.
  static Expected<std::unique_ptr<Trainer>> Create(const ir::Model& model,
                                                   const TrainOptions& options);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  Expected<TrainResult> Train(BatchSource& source);
  // Mean loss over all batches of `source` (epoch 0) in eval mode, without gradients.
  Expected<double> Evaluate(BatchSource& source);
  Status WriteBack(ir::Model& model) const { return program_->WriteBack(model); }
  Program& program() { return *program_; }

 private:
  Trainer() = default;
  Status SaveCheckpoint(int64_t epoch, int64_t step_in_epoch) const;
  Status LoadCheckpoint(int64_t* epoch, int64_t* step_in_epoch);

  TrainOptions options_;
  std::unique_ptr<Program> program_;
  std::unique_ptr<TrainerState> state_;
};

}  // namespace shrink::train
