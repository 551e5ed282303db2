// `shrink train MODEL --task TASK.yaml -o OUT.onnx [--epochs N] [--lr X] [--optimizer sgd|adam]
//  [--schedule constant|cosine|step] [--loss L] [--batch-size B] [--seed S] [--threads T]
//  [--checkpoint FILE] [--resume]`
// Trains on the task's `training` dataset (required) and saves the trained model.
#include <iostream>

#include "cli/commands.h"
#include "data/dataset.h"
#include "data/task.h"
#include "onnx/export.h"
#include "onnx/import.h"
#include "train/dataset_source.h"
#include "train/trainer.h"

namespace shrink::cli {
namespace {

struct TrainArgs {
  std::string model, task, out, optimizer = "adam", schedule = "constant", loss, checkpoint;
  int64_t epochs = 1, batch_size = 0;
  double lr = 1e-3, momentum = 0.9, weight_decay = 0;
  int64_t seed = -1;
  int threads = 2;
  bool resume = false;
};

Status RunTrain(const TrainArgs& a) {
  SHRINK_ASSIGN_OR_RETURN(ir::Model model, onnx_io::LoadModel(a.model));
  SHRINK_ASSIGN_OR_RETURN(data::TaskSpec task, data::LoadTask(a.task));
  if (!task.training) return InvalidArgument(a.task + ": the task has no `training` dataset");
  SHRINK_ASSIGN_OR_RETURN(std::unique_ptr<data::Dataset> ds, data::OpenDataset(*task.training));
  train::TrainOptions o;
  SHRINK_ASSIGN_OR_RETURN(o.optimizer, train::ParseOptimizer(a.optimizer));
  SHRINK_ASSIGN_OR_RETURN(o.schedule, train::ParseSchedule(a.schedule));
  if (!a.loss.empty()) {
    SHRINK_ASSIGN_OR_RETURN(o.loss, train::ParseLoss(a.loss));
  } else {
    switch (ds->info().label_kind) {
      case data::LabelKind::kClass:
        // A binary task read through a sigmoid (one logit per example) trains with BCE.
        o.loss =
            task.output.kind == data::OutputMappingKind::kSigmoidThreshold && task.output.logits
                ? train::LossKind::kBceWithLogits
                : train::LossKind::kCrossEntropy;
        break;
      case data::LabelKind::kRegression:
        o.loss = train::LossKind::kMse;
        break;
      case data::LabelKind::kTokens:
        o.loss = train::LossKind::kNextToken;
        break;
      default:
        return Unimplemented(a.task + ": training needs class, regression or token labels");
    }
  }
  o.lr = a.lr;
  o.momentum = a.momentum;
  o.weight_decay = a.weight_decay;
  o.epochs = a.epochs;
  o.batch_size = a.batch_size > 0 ? a.batch_size : task.batch_size;
  o.seed = a.seed >= 0 ? static_cast<uint64_t>(a.seed) : task.seed;
  o.threads = a.threads;
  o.checkpoint_path = a.checkpoint;
  o.resume = a.resume;
  o.output = task.output.output;
  SHRINK_ASSIGN_OR_RETURN(std::unique_ptr<train::Trainer> trainer,
                          train::Trainer::Create(model, o));
  train::DatasetBatchSource dsrc(*ds, o.batch_size, /*shuffle=*/true, o.seed);
  const auto& inputs = model.graph->inputs();
  train::RenamingSource src(dsrc, inputs.size() == 1 ? inputs[0]->name() : "");
  SHRINK_ASSIGN_OR_RETURN(train::TrainResult r, trainer->Train(src));
  SHRINK_RETURN_IF_ERROR(trainer->WriteBack(model));
  SHRINK_RETURN_IF_ERROR(onnx_io::SaveModel(model, a.out));
  std::cout << "trained " << r.epochs_run << " epochs (" << r.global_step << " steps): loss "
            << r.first_epoch_loss << " -> " << r.last_epoch_loss << "\nsaved " << a.out << "\n";
  return Status::Ok();
}

}  // namespace

void RegisterTrain(CLI::App& app, std::vector<CommandRunner>& runners) {
  auto* cmd = app.add_subcommand("train", "Train a model's weights on a task's training dataset");
  auto a = std::make_shared<TrainArgs>();
  cmd->add_option("model", a->model, "ONNX model file")->required();
  cmd->add_option("--task", a->task, "Task YAML (needs a `training` dataset)")->required();
  cmd->add_option("-o,--output", a->out, "Trained ONNX model to write")->required();
  cmd->add_option("--epochs", a->epochs, "Epochs");
  cmd->add_option("--lr", a->lr, "Learning rate");
  cmd->add_option("--momentum", a->momentum, "SGD momentum");
  cmd->add_option("--weight-decay", a->weight_decay, "Weight decay");
  cmd->add_option("--optimizer", a->optimizer, "sgd | adam");
  cmd->add_option("--schedule", a->schedule, "constant | cosine | step");
  cmd->add_option("--loss", a->loss,
                  "cross_entropy | bce_with_logits | mse | next_token (default from labels)");
  cmd->add_option("--batch-size", a->batch_size, "Batch size (default: the task's)");
  cmd->add_option("--seed", a->seed, "Seed (default: the task's)");
  cmd->add_option("--threads", a->threads, "Torch threads");
  cmd->add_option("--checkpoint", a->checkpoint, "Checkpoint file (written every epoch)");
  cmd->add_flag("--resume", a->resume, "Continue from --checkpoint when it exists");
  runners.push_back({cmd, [a]() { return RunTrain(*a); }});
}

}  // namespace shrink::cli
