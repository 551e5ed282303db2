#include "quant/calibration.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "core/npy.h"
#include "data/dataset.h"
#include "quant/probe.h"

namespace shrink::quant {

namespace {

int64_t Capped(int64_t n, int64_t max_batches) {
  return max_batches > 0 && (n < 0 || n > max_batches) ? max_batches : n;
}

class TaskSource : public CalibrationSource {
 public:
  TaskSource(std::unique_ptr<data::Dataset> ds, int64_t batch, std::string input, int64_t max)
      : ds_(std::move(ds)), batch_(batch), input_(std::move(input)), max_(max) {}
  Expected<std::optional<runtime::Feeds>> Next() override {
    if (max_ > 0 && done_ >= max_) return std::optional<runtime::Feeds>();
    SHRINK_ASSIGN_OR_RETURN(data::Batch b, ds_->NextBatch(batch_));
    if (b.size() == 0) return std::optional<runtime::Feeds>();
    ++done_;
    runtime::Feeds feeds(b.inputs.begin(), b.inputs.end());
    if (feeds.size() == 1 && !input_.empty()) feeds[0].first = input_;
    return std::optional<runtime::Feeds>(std::move(feeds));
  }
  Status Reset() override {
    ds_->Reset();
    done_ = 0;
    return Status::Ok();
  }
  int64_t num_batches() const override { return Capped((ds_->size() + batch_ - 1) / batch_, max_); }
  std::string Describe() const override {
    return "task calibration split (" + std::to_string(ds_->size()) + " examples)";
  }

 private:
  std::unique_ptr<data::Dataset> ds_;
  int64_t batch_;
  std::string input_;
  int64_t max_;
  int64_t done_ = 0;
};

// Rows [begin, begin + count) of a tensor along axis 0.
Tensor Rows(const Tensor& t, int64_t begin, int64_t count) {
  Shape shape = t.shape();
  shape[0] = count;
  Tensor out(t.dtype(), shape);
  const size_t row = t.nbytes() / static_cast<size_t>(t.dim(0));
  std::memcpy(out.raw(), static_cast<const uint8_t*>(t.raw()) + row * static_cast<size_t>(begin),
              row * static_cast<size_t>(count));
  return out;
}

class TensorSource : public CalibrationSource {
 public:
  TensorSource(runtime::Feeds all, int64_t batch, int64_t max, std::string path)
      : all_(std::move(all)), batch_(batch), max_(max), path_(std::move(path)) {}
  Expected<std::optional<runtime::Feeds>> Next() override {
    const int64_t n = all_[0].second.dim(0);
    if (begin_ >= n || (max_ > 0 && begin_ / batch_ >= max_))
      return std::optional<runtime::Feeds>();
    const int64_t count = std::min(batch_, n - begin_);
    runtime::Feeds feeds;
    for (const auto& [name, t] : all_) feeds.emplace_back(name, Rows(t, begin_, count));
    begin_ += count;
    return std::optional<runtime::Feeds>(std::move(feeds));
  }
  Status Reset() override {
    begin_ = 0;
    return Status::Ok();
  }
  int64_t num_batches() const override {
    return Capped((all_[0].second.dim(0) + batch_ - 1) / batch_, max_);
  }
  std::string Describe() const override {
    return path_ + " (" + std::to_string(all_[0].second.dim(0)) + " examples)";
  }

 private:
  runtime::Feeds all_;
  int64_t batch_, max_;
  std::string path_;
  int64_t begin_ = 0;
};

class RandomSource : public CalibrationSource {
 public:
  RandomSource(const ir::Graph& g, int64_t batches, uint64_t seed, runtime::DimValues dims)
      : graph_(g), batches_(batches), seed_(seed), dims_(std::move(dims)) {}
  Expected<std::optional<runtime::Feeds>> Next() override {
    if (done_ >= batches_) return std::optional<runtime::Feeds>();
    SHRINK_ASSIGN_OR_RETURN(
        runtime::Feeds f,
        runtime::MakeRandomFeeds(graph_, seed_ + static_cast<uint64_t>(done_), dims_));
    ++done_;
    return std::optional<runtime::Feeds>(std::move(f));
  }
  Status Reset() override {
    done_ = 0;
    return Status::Ok();
  }
  int64_t num_batches() const override { return batches_; }
  std::string Describe() const override {
    return std::to_string(batches_) + " random batches (seed " + std::to_string(seed_) + ")";
  }

 private:
  const ir::Graph& graph_;
  int64_t batches_;
  uint64_t seed_;
  runtime::DimValues dims_;
  int64_t done_ = 0;
};

// The fast session trusts its feeds: check them against the declared inputs first.
Status CheckFeeds(const ir::Graph& g, const runtime::Feeds& feeds) {
  for (const auto& [name, t] : feeds) {
    const ir::Value* v = g.FindValue(name);
    if (!v || !v->is_graph_input())
      return InvalidArgument("model has no input named '" + name + "'");
    const ir::TypeInfo& type = v->type();
    bool ok = type.dtype == DataType::kUndefined || type.dtype == t.dtype();
    if (ok && type.shape) {
      ok = type.shape->size() == t.shape().size();
      for (size_t i = 0; ok && i < type.shape->size(); ++i)
        ok = !(*type.shape)[i].is_known() || (*type.shape)[i].value == t.shape()[i];
    }
    if (!ok)
      return InvalidArgument("input '" + name + "' expects " + ir::TypeInfoToString(type) +
                             ", got " + DataTypeName(t.dtype()) + ShapeToString(t.shape()));
  }
  return Status::Ok();
}

std::string SingleInputName(const ir::Graph& g) {
  return g.inputs().size() == 1 ? g.inputs()[0]->name() : "";
}

}  // namespace

Expected<std::unique_ptr<CalibrationSource>> OpenTaskCalibration(const data::TaskSpec& task,
                                                                 const ir::Graph& graph,
                                                                 int64_t max_batches) {
  SHRINK_ASSIGN_OR_RETURN(std::unique_ptr<data::Dataset> ds, data::OpenDataset(task.calibration));
  if (ds->size() == 0)
    return InvalidArgument("task '" + task.name + "': the calibration split is empty");
  return std::unique_ptr<CalibrationSource>(std::make_unique<TaskSource>(
      std::move(ds), task.batch_size, SingleInputName(graph), max_batches));
}

Expected<std::unique_ptr<CalibrationSource>> OpenTensorFileCalibration(const std::string& path,
                                                                       const ir::Graph& graph,
                                                                       int64_t batch_size,
                                                                       int64_t max_batches) {
  if (batch_size < 1) return InvalidArgument("calibration batch size must be >= 1");
  if (!std::filesystem::exists(path)) return NotFound("calibration file '" + path + "' not found");
  const bool npz = path.size() > 4 && path.substr(path.size() - 4) == ".npz";
  NamedTensors arrays;
  if (npz) {
    SHRINK_ASSIGN_OR_RETURN(arrays, ReadNpz(path));
  } else {
    SHRINK_ASSIGN_OR_RETURN(Tensor t, ReadNpy(path));
    arrays.emplace_back("", std::move(t));
  }
  runtime::Feeds feeds;
  const auto& inputs = graph.inputs();
  if (arrays.size() == 1 && inputs.size() == 1) {
    feeds.emplace_back(inputs[0]->name(), arrays[0].second);
  } else {
    if (!npz)
      return InvalidArgument(path + ": a .npy feeds single-input models only; the model has " +
                             std::to_string(inputs.size()) + " inputs (use an .npz)");
    for (const ir::Value* in : inputs) {
      auto it = std::find_if(arrays.begin(), arrays.end(),
                             [&](const auto& a) { return a.first == in->name(); });
      if (it == arrays.end())
        return InvalidArgument(path + ": no array for model input '" + in->name() + "'");
      feeds.emplace_back(in->name(), it->second);
    }
  }
  for (const auto& [name, t] : feeds) {
    if (t.rank() < 1 || t.dim(0) < 1 || IsPacked4(t.dtype()) || t.dtype() == DataType::kString)
      return InvalidArgument(path + ": array for '" + name +
                             "' must be [N, ...] with N >= 1 numeric examples");
    if (t.dim(0) != feeds[0].second.dim(0))
      return InvalidArgument(path + ": arrays disagree on the number of examples");
  }
  return std::unique_ptr<CalibrationSource>(
      std::make_unique<TensorSource>(std::move(feeds), batch_size, max_batches, path));
}

Expected<std::unique_ptr<CalibrationSource>> MakeRandomCalibration(const ir::Graph& graph,
                                                                   int64_t batches, uint64_t seed,
                                                                   const runtime::DimValues& dims) {
  if (batches < 1) return InvalidArgument("random calibration needs at least 1 batch");
  SHRINK_RETURN_IF_ERROR(runtime::MakeRandomFeeds(graph, seed, dims).status());
  return std::unique_ptr<CalibrationSource>(
      std::make_unique<RandomSource>(graph, batches, seed, dims));
}

Expected<Observers> Calibrate(const ir::Model& model, const std::vector<std::string>& tensors,
                              CalibrationSource& source, const CalibrateOptions& options) {
  SHRINK_RETURN_IF_ERROR(ValidateObserverOptions(options.observer));
  SHRINK_ASSIGN_OR_RETURN(std::unique_ptr<ProbeRunner> runner,
                          ProbeRunner::Create(model, tensors, options.threads));
  SHRINK_RETURN_IF_ERROR(source.Reset());
  Observers observers;
  int64_t done = 0;
  while (true) {
    SHRINK_ASSIGN_OR_RETURN(std::optional<runtime::Feeds> feeds, source.Next());
    if (!feeds) break;
    Status fits = CheckFeeds(*model.graph, *feeds);
    auto values =
        fits.ok() ? runner->Run(*feeds) : Expected<std::unordered_map<std::string, Tensor>>(fits);
    if (!values.ok())
      return values.status().WithContext("calibration batch " + std::to_string(done));
    for (const std::string& name : tensors) {
      auto it = values->find(name);
      if (it == values->end() || it->second.dtype() != DataType::kFloat32) continue;
      auto& obs = observers[name];
      if (!obs) obs = MakeObserver(options.observer);
      obs->Observe(it->second.data<float>(), it->second.numel());
    }
    ++done;
    if (options.progress) options.progress(done, source.num_batches());
  }
  if (done == 0) return InvalidArgument("calibration source " + source.Describe() + " is empty");
  return observers;
}

}  // namespace shrink::quant
