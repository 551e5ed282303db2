// .npy / .npz arrays: every array has the examples on axis 0. Read once (core/npy.h).
#include "core/npy.h"

#include <algorithm>

#include "data/sources.h"

namespace shrink::data::detail {
namespace {

Tensor ToFloat(const Tensor& t) {
  if (t.dtype() == DataType::kFloat32) return t;
  Tensor f(DataType::kFloat32, t.shape());
  for (int64_t i = 0; i < t.numel(); ++i) f.data<float>()[i] = static_cast<float>(t.GetAsDouble(i));
  return f;
}

class ArraySource : public Source {
 public:
  ArraySource(const std::string& format, NamedTensors inputs, Tensor labels,
              const std::string& where) {
    if (inputs.empty()) Throw(StatusCode::kInvalidArgument, where + ": no input arrays");
    n_ = -1;
    for (auto& [name, t] : inputs) {
      if (t.rank() < 1) Throw(StatusCode::kCorrupt, where + ": array '" + name + "' is a scalar");
      if (n_ >= 0 && t.dim(0) != n_)
        Throw(StatusCode::kCorrupt, where + ": array '" + name + "' has " +
                                        std::to_string(t.dim(0)) + " rows, expected " +
                                        std::to_string(n_));
      n_ = t.dim(0);
      // Integer arrays that are not labels stay integer (token ids); everything else is float.
      if (!IsInteger(t.dtype()) || t.dtype() == DataType::kUInt8) t = ToFloat(t);
      if (IsInteger(t.dtype()) && t.dtype() != DataType::kInt64) {
        Tensor i64(DataType::kInt64, t.shape());
        for (int64_t k = 0; k < t.numel(); ++k)
          i64.data<int64_t>()[k] = static_cast<int64_t>(t.GetAsDouble(k));
        t = i64;
      }
      Shape per(t.shape().begin() + 1, t.shape().end());
      info_.input_shapes.emplace_back(name, per);
    }
    inputs_ = std::move(inputs);
    info_.format = format;
    info_.source_size = n_;
    if (labels.defined()) {
      if (labels.rank() < 1 || labels.dim(0) != n_)
        Throw(StatusCode::kCorrupt, where + ": labels shape " + ShapeToString(labels.shape()) +
                                        " does not match " + std::to_string(n_) + " examples");
      if (IsInteger(labels.dtype()) && labels.rank() == 1) {
        info_.label_kind = LabelKind::kClass;
        int64_t mx = -1;
        for (int64_t i = 0; i < n_; ++i) {
          const double v = labels.GetAsDouble(i);
          if (v < 0)
            Throw(StatusCode::kCorrupt,
                  where + ": negative class label at row " + std::to_string(i));
          mx = std::max(mx, static_cast<int64_t>(v));
        }
        info_.num_classes = mx + 1;
      } else {
        info_.label_kind = LabelKind::kRegression;
      }
      labels_ = labels;
    }
  }
  const DatasetInfo& info() const override { return info_; }
  int64_t size() const override { return n_; }
  Example Get(int64_t i) override {
    Example ex;
    for (const auto& [name, t] : inputs_) {
      Shape per(t.shape().begin() + 1, t.shape().end());
      Tensor row(t.dtype(), per);
      const size_t bytes = row.nbytes();
      std::copy_n(static_cast<const uint8_t*>(t.raw()) + bytes * static_cast<size_t>(i), bytes,
                  static_cast<uint8_t*>(row.raw()));
      ex.inputs.emplace_back(name, row);
    }
    if (info_.label_kind == LabelKind::kClass) {
      ex.label = static_cast<int64_t>(labels_.GetAsDouble(i));
      ex.metadata["class"] = std::to_string(ex.label);
    } else if (info_.label_kind == LabelKind::kRegression) {
      const int64_t per = labels_.numel() / std::max<int64_t>(n_, 1);
      for (int64_t k = 0; k < per; ++k)
        ex.targets.push_back(static_cast<float>(labels_.GetAsDouble(i * per + k)));
    }
    return ex;
  }

 private:
  NamedTensors inputs_;
  Tensor labels_;
  int64_t n_ = 0;
  DatasetInfo info_;
};

template <typename T>
T ValueOrThrow(Expected<T> e) {
  if (!e.ok()) Throw(e.status());
  return std::move(e).value();
}

}  // namespace

std::unique_ptr<Source> OpenNpy(const DatasetSpec& spec) {
  RequireExists(spec.npy.inputs, "npy inputs");
  NamedTensors inputs = {{"input", ValueOrThrow(ReadNpy(spec.npy.inputs))}};
  Tensor labels;
  if (!spec.npy.labels.empty()) {
    RequireExists(spec.npy.labels, "npy labels");
    labels = ValueOrThrow(ReadNpy(spec.npy.labels));
  }
  return std::make_unique<ArraySource>("npy", std::move(inputs), labels,
                                       "'" + spec.npy.inputs + "'");
}

std::unique_ptr<Source> OpenNpz(const DatasetSpec& spec) {
  const NpzOptions& o = spec.npz;
  RequireExists(o.path, "npz file");
  NamedTensors all = ValueOrThrow(ReadNpz(o.path));
  const std::string where = "'" + o.path + "'";
  auto find = [&](const std::string& key) -> const Tensor& {
    for (const auto& [k, t] : all)
      if (k == key) return t;
    Throw(StatusCode::kNotFound, where + ": no array '" + key + "'");
  };
  Tensor labels;
  if (!o.labels_key.empty()) labels = find(o.labels_key);
  NamedTensors inputs;
  if (o.input_keys.empty()) {
    for (const auto& [k, t] : all)
      if (k != o.labels_key) inputs.emplace_back(k, t);
  } else {
    for (const auto& k : o.input_keys) inputs.emplace_back(k, find(k));
  }
  return std::make_unique<ArraySource>("npz", std::move(inputs), labels, where);
}

}  // namespace shrink::data::detail
