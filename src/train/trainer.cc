// Trainer: optimizer loop, loss, LR schedule, checkpoints, progress.
#include "train/trainer.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "train/torch_program.h"

namespace shrink::train {

struct TrainerState {
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  int64_t global_step = 0;
};

Expected<OptimizerKind> ParseOptimizer(const std::string& s) {
  if (s == "sgd") return OptimizerKind::kSgd;
  if (s == "adam") return OptimizerKind::kAdam;
  return InvalidArgument("unknown optimizer '" + s + "' (sgd|adam)");
}
Expected<ScheduleKind> ParseSchedule(const std::string& s) {
  if (s == "constant") return ScheduleKind::kConstant;
  if (s == "cosine") return ScheduleKind::kCosine;
  if (s == "step") return ScheduleKind::kStep;
  return InvalidArgument("unknown schedule '" + s + "' (constant|cosine|step)");
}
Expected<LossKind> ParseLoss(const std::string& s) {
  if (s == "cross_entropy") return LossKind::kCrossEntropy;
  if (s == "bce_with_logits") return LossKind::kBceWithLogits;
  if (s == "mse") return LossKind::kMse;
  if (s == "next_token") return LossKind::kNextToken;
  return InvalidArgument("unknown loss '" + s + "' (cross_entropy|bce_with_logits|mse|next_token)");
}

namespace {

torch::Tensor ComputeLoss(LossKind kind, const torch::Tensor& out, const torch::Tensor& labels) {
  if (!labels.defined()) Throw(StatusCode::kInvalidArgument, "batch has no labels");
  switch (kind) {
    case LossKind::kCrossEntropy:
      return torch::nn::functional::cross_entropy(out, labels.to(torch::kInt64));
    case LossKind::kBceWithLogits:
      return torch::binary_cross_entropy_with_logits(out,
                                                     labels.to(out.scalar_type()).reshape_as(out));
    case LossKind::kMse:
      return torch::mse_loss(out, labels.to(out.scalar_type()).reshape_as(out));
    case LossKind::kNextToken: {
      if (out.dim() != 3) Throw(StatusCode::kInvalidArgument, "next_token loss needs [N, S, V]");
      return torch::nn::functional::cross_entropy(out.reshape({-1, out.size(2)}),
                                                  labels.to(torch::kInt64).reshape({-1}));
    }
  }
  Throw(StatusCode::kInternal, "bad loss kind");
}

void DrawBar(const TrainProgress& p, int64_t per_epoch) {
  constexpr int kWidth = 30;
  const double frac =
      per_epoch > 0 ? std::min(1.0, static_cast<double>(p.step_in_epoch) / per_epoch) : 0.0;
  const int filled = static_cast<int>(frac * kWidth);
  std::fprintf(stderr, "\repoch %lld/%lld [%s%s] %lld", static_cast<long long>(p.epoch + 1),
               static_cast<long long>(p.epochs), std::string(filled, '#').c_str(),
               std::string(kWidth - filled, '.').c_str(), static_cast<long long>(p.step_in_epoch));
  if (per_epoch > 0) std::fprintf(stderr, "/%lld", static_cast<long long>(per_epoch));
  std::fprintf(stderr, " loss %.4f lr %.2e", p.epoch_mean_loss, p.lr);
  if (p.epoch_end) std::fprintf(stderr, "\n");
  std::fflush(stderr);
}

}  // namespace

Trainer::~Trainer() = default;

Expected<std::unique_ptr<Trainer>> Trainer::Create(const ir::Model& model,
                                                   const TrainOptions& options) {
  if (options.epochs < 0 || options.lr <= 0 || options.threads < 1 || options.step_size < 1)
    return InvalidArgument("train options: need epochs >= 0, lr > 0, threads >= 1, step_size >= 1");
  try {
    torch::set_num_threads(options.threads);
    torch::manual_seed(options.seed);
    at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/true);
    auto t = std::unique_ptr<Trainer>(new Trainer());
    t->options_ = options;
    SHRINK_ASSIGN_OR_RETURN(t->program_, Program::Create(model, options.program));
    if (!options.output.empty()) {
      bool found = false;
      for (const ir::Value* o : model.graph->outputs())
        found = found || o->name() == options.output;
      if (!found) return NotFound("graph output '" + options.output + "' does not exist");
    }
    t->state_ = std::make_unique<TrainerState>();
    auto& params = t->program_->impl().params;
    if (params.empty()) return InvalidArgument("the model has no trainable float initializers");
    if (options.optimizer == OptimizerKind::kSgd) {
      t->state_->optimizer =
          std::make_unique<torch::optim::SGD>(params, torch::optim::SGDOptions(options.lr)
                                                          .momentum(options.momentum)
                                                          .weight_decay(options.weight_decay));
    } else {
      t->state_->optimizer = std::make_unique<torch::optim::Adam>(
          params, torch::optim::AdamOptions(options.lr).weight_decay(options.weight_decay));
    }
    return t;
  } catch (const Error& e) {
    return e.ToStatus();
  } catch (const c10::Error& e) {
    return Internal(std::string("torch: ") + e.what_without_backtrace());
  }
}

Status Trainer::SaveCheckpoint(int64_t epoch, int64_t step_in_epoch) const {
  try {
    const ProgramImpl& impl = program_->impl();
    torch::serialize::OutputArchive ar;
    for (size_t i = 0; i < impl.params.size(); ++i)
      ar.write("param/" + impl.param_names[i], impl.params[i].detach());
    for (size_t i = 0; i < impl.buffers.size(); ++i)
      ar.write("buffer/" + impl.buffer_names[i], impl.buffers[i]);
    ar.write("epoch", torch::tensor(epoch, torch::kInt64));
    ar.write("step_in_epoch", torch::tensor(step_in_epoch, torch::kInt64));
    ar.write("global_step", torch::tensor(state_->global_step, torch::kInt64));
    ar.write("rng", at::detail::getDefaultCPUGenerator().get_state());
    torch::serialize::OutputArchive opt;
    state_->optimizer->save(opt);
    ar.write("optimizer", opt);
    const std::string tmp = options_.checkpoint_path + ".tmp";
    ar.save_to(tmp);
    std::error_code ec;
    std::filesystem::rename(tmp, options_.checkpoint_path, ec);
    if (ec) return IOError("checkpoint " + options_.checkpoint_path + ": " + ec.message());
    return Status::Ok();
  } catch (const c10::Error& e) {
    return IOError("checkpoint " + options_.checkpoint_path + ": " + e.what_without_backtrace());
  }
}

Status Trainer::LoadCheckpoint(int64_t* epoch, int64_t* step_in_epoch) {
  try {
    ProgramImpl& impl = program_->impl();
    torch::serialize::InputArchive ar;
    ar.load_from(options_.checkpoint_path);
    torch::NoGradGuard no_grad;
    auto get = [&](const std::string& key) {
      torch::Tensor fresh;  // read() into a defined tensor would try to resize it
      ar.read(key, fresh);
      return fresh;
    };
    torch::Tensor t;
    for (size_t i = 0; i < impl.params.size(); ++i) {
      t = get("param/" + impl.param_names[i]);
      impl.params[i].copy_(t);
    }
    for (size_t i = 0; i < impl.buffers.size(); ++i) {
      t = get("buffer/" + impl.buffer_names[i]);
      impl.buffers[i].copy_(t);
    }
    t = get("epoch");
    *epoch = t.item<int64_t>();
    t = get("step_in_epoch");
    *step_in_epoch = t.item<int64_t>();
    t = get("global_step");
    state_->global_step = t.item<int64_t>();
    t = get("rng");
    at::Generator gen = at::detail::getDefaultCPUGenerator();
    gen.set_state(t);
    torch::serialize::InputArchive opt;
    ar.read("optimizer", opt);
    state_->optimizer->load(opt);
    return Status::Ok();
  } catch (const c10::Error& e) {
    return Corrupt("checkpoint " + options_.checkpoint_path + ": " + e.what_without_backtrace());
  }
}

Expected<TrainResult> Trainer::Train(BatchSource& source) {
  try {
    torch::set_num_threads(options_.threads);
    ProgramImpl& impl = program_->impl();
    int64_t start_epoch = 0, skip = 0;
    if (options_.resume && !options_.checkpoint_path.empty() &&
        std::filesystem::exists(options_.checkpoint_path))
      SHRINK_RETURN_IF_ERROR(LoadCheckpoint(&start_epoch, &skip));
    size_t out_index = 0;
    const auto& outs = impl.model->graph->outputs();
    for (size_t i = 0; i < outs.size(); ++i)
      if (outs[i]->name() == options_.output) out_index = i;
    const int64_t per_epoch = source.BatchesPerEpoch();
    const bool bar = !options_.progress && options_.progress_bar && isatty(STDERR_FILENO);
    TrainResult result;
    for (int64_t epoch = start_epoch; epoch < options_.epochs; ++epoch) {
      SHRINK_RETURN_IF_ERROR(source.Start(epoch));
      TrainProgress p;
      p.epoch = epoch;
      p.epochs = options_.epochs;
      double sum = 0;
      int64_t counted = 0;
      for (;;) {
        SHRINK_ASSIGN_OR_RETURN(std::optional<Batch> batch, source.Next());
        if (!batch) break;
        if (p.step_in_epoch < skip) {  // consumed before the checkpoint
          ++p.step_in_epoch;
          continue;
        }
        double lr = options_.lr;
        if (options_.schedule == ScheduleKind::kStep) {
          lr *= std::pow(options_.gamma, static_cast<double>(epoch / options_.step_size));
        } else if (options_.schedule == ScheduleKind::kCosine) {
          const double progress =
              per_epoch > 0 ? static_cast<double>(state_->global_step) /
                                  static_cast<double>(per_epoch * options_.epochs)
                            : static_cast<double>(epoch) / static_cast<double>(options_.epochs);
          lr *= 0.5 * (1.0 + std::cos(M_PI * std::min(1.0, progress)));
        }
        for (auto& group : state_->optimizer->param_groups()) group.options().set_lr(lr);
        auto feeds = impl.FeedsFrom(batch->inputs);
        auto out = impl.Run(feeds, /*training=*/true)[out_index];
        auto loss = ComputeLoss(options_.loss, out,
                                batch->labels.defined() ? ToTorch(batch->labels) : torch::Tensor());
        state_->optimizer->zero_grad();
        loss.backward();
        state_->optimizer->step();
        ++state_->global_step;
        ++p.step_in_epoch;
        p.global_step = state_->global_step;
        p.loss = loss.item<double>();
        sum += p.loss;
        ++counted;
        p.epoch_mean_loss = sum / static_cast<double>(counted);
        p.lr = lr;
        if (options_.progress) options_.progress(p);
        if (bar) DrawBar(p, per_epoch);
        if (!options_.checkpoint_path.empty() && options_.checkpoint_every_steps > 0 &&
            state_->global_step % options_.checkpoint_every_steps == 0)
          SHRINK_RETURN_IF_ERROR(SaveCheckpoint(epoch, p.step_in_epoch));
      }
      skip = 0;
      p.epoch_end = true;
      if (options_.progress) options_.progress(p);
      if (bar) DrawBar(p, per_epoch);
      if (!options_.checkpoint_path.empty()) SHRINK_RETURN_IF_ERROR(SaveCheckpoint(epoch + 1, 0));
      if (result.epochs_run == 0) result.first_epoch_loss = p.epoch_mean_loss;
      result.last_epoch_loss = p.epoch_mean_loss;
      ++result.epochs_run;
    }
    result.global_step = state_->global_step;
    return result;
  } catch (const Error& e) {
    return e.ToStatus();
  } catch (const c10::Error& e) {
    return InvalidArgument(std::string("torch: ") + e.what_without_backtrace());
  }
}

Expected<double> Trainer::Evaluate(BatchSource& source) {
  try {
    torch::NoGradGuard no_grad;
    ProgramImpl& impl = program_->impl();
    size_t out_index = 0;
    const auto& outs = impl.model->graph->outputs();
    for (size_t i = 0; i < outs.size(); ++i)
      if (outs[i]->name() == options_.output) out_index = i;
    SHRINK_RETURN_IF_ERROR(source.Start(0));
    double sum = 0;
    int64_t n = 0;
    for (;;) {
      SHRINK_ASSIGN_OR_RETURN(std::optional<Batch> batch, source.Next());
      if (!batch) break;
      auto out = impl.Run(impl.FeedsFrom(batch->inputs), false)[out_index];
      sum += ComputeLoss(options_.loss, out,
                         batch->labels.defined() ? ToTorch(batch->labels) : torch::Tensor())
                 .item<double>();
      ++n;
    }
    if (n == 0) return InvalidArgument("Evaluate: the batch source yielded no batches");
    return sum / static_cast<double>(n);
  } catch (const Error& e) {
    return e.ToStatus();
  } catch (const c10::Error& e) {
    return InvalidArgument(std::string("torch: ") + e.what_without_backtrace());
  }
}

}  // namespace shrink::train
