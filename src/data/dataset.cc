// Dataset: split selection, ordering, preprocessing and batching over a format's Source; the
// format registry (OpenDataset).
#include "data/dataset.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>

#include "data/preprocess_internal.h"
#include "data/sources.h"

namespace shrink::data {
namespace {

struct FormatEntry {
  const char* name;
  std::unique_ptr<Source> (*open)(const DatasetSpec&);
};

// The registry: one line per format.
const std::vector<FormatEntry>& Registry() {
  static const std::vector<FormatEntry> kFormats = {
      {"idx", &detail::OpenIdx},
      {"mnist_json", &detail::OpenMnistJson},
      {"csv", &detail::OpenCsv},
      {"npy", &detail::OpenNpy},
      {"npz", &detail::OpenNpz},
      {"image_folder", &detail::OpenImageFolder},
      {"text", &detail::OpenText},
      {"wav", &detail::OpenWav},
      {"ocr_render", &detail::OpenOcrRender},
  };
  return kFormats;
}

// Shapes after preprocessing, from the source's raw shapes (-1 = variable).
DatasetInfo PreprocessedInfo(const DatasetInfo& raw, const PreprocessSpec& p) {
  DatasetInfo info = raw;
  for (auto& [name, shape] : info.input_shapes) {
    if (raw.is_image && shape.size() == 3) {
      int64_t c = shape[0], h = shape[1], w = shape[2];
      if (p.resize_h > 0 && p.resize_w > 0) {
        h = p.resize_h;
        w = p.resize_w;
      } else if (p.resize_h > 0) {
        w = (h > 0 && w > 0)
                ? std::max<int64_t>(1, std::llround(static_cast<double>(w) * p.resize_h / h))
                : -1;
        h = p.resize_h;
      } else if (p.resize_w > 0) {
        w = p.resize_w;
      }
      if (w < 0 && p.pad_to > 0) w = p.pad_to;
      shape = p.layout == "NHWC" ? Shape{h, w, c} : Shape{c, h, w};
      if (p.flatten) shape = {w < 0 ? -1 : c * h * w};
    } else if (!shape.empty() && shape.back() < 0 && p.pad_to > 0) {
      shape.back() = p.pad_to;
    }
  }
  return info;
}

// Stacks float/int64 examples into [N, ...], padding `axis` (of the example) to the longest.
Tensor Stack(const std::vector<Tensor>& xs, int axis, float pad_value, const std::string& name) {
  const Tensor& first = xs[0];
  Shape shape = first.shape();
  bool same = true;
  for (const Tensor& t : xs) {
    if (t.dtype() != first.dtype() || t.rank() != first.rank())
      Throw(StatusCode::kCorrupt, "input '" + name + "': examples differ in dtype or rank");
    for (int d = 0; d < t.rank(); ++d) {
      if (t.dim(d) == shape[static_cast<size_t>(d)]) continue;
      if (d != axis)
        Throw(StatusCode::kCorrupt, "input '" + name + "': example shapes " +
                                        ShapeToString(first.shape()) + " and " +
                                        ShapeToString(t.shape()) + " cannot be batched");
      same = false;
      shape[static_cast<size_t>(d)] = std::max(shape[static_cast<size_t>(d)], t.dim(d));
    }
  }
  Shape out_shape = shape;
  out_shape.insert(out_shape.begin(), static_cast<int64_t>(xs.size()));
  Tensor out(first.dtype(), out_shape);
  const size_t es = StorageBytes(first.dtype(), 1);
  const int64_t per = NumElements(shape);
  uint8_t* dst = static_cast<uint8_t*>(out.raw());
  for (size_t i = 0; i < xs.size(); ++i) {
    const Tensor& t = xs[i];
    uint8_t* d = dst + static_cast<size_t>(per) * es * i;
    if (same) {
      std::memcpy(d, t.raw(), t.nbytes());
      continue;
    }
    int64_t outer = 1, inner = 1;
    for (int k = 0; k < axis; ++k) outer *= t.dim(k);
    for (int k = axis + 1; k < t.rank(); ++k) inner *= t.dim(k);
    const int64_t len = t.dim(axis), max_len = shape[static_cast<size_t>(axis)];
    if (first.dtype() == DataType::kFloat32) {
      float* f = reinterpret_cast<float*>(d);
      std::fill(f, f + per, pad_value);
    }
    const uint8_t* s = static_cast<const uint8_t*>(t.raw());
    for (int64_t o = 0; o < outer; ++o)
      std::memcpy(d + static_cast<size_t>(o * max_len * inner) * es,
                  s + static_cast<size_t>(o * len * inner) * es,
                  static_cast<size_t>(len * inner) * es);
  }
  return out;
}

}  // namespace

const Tensor* Batch::Input(const std::string& name) const {
  for (const auto& [n, t] : inputs)
    if (n == name) return &t;
  return nullptr;
}

std::vector<int64_t> Permutation(int64_t n, uint64_t seed) {
  std::vector<int64_t> p(static_cast<size_t>(std::max<int64_t>(n, 0)));
  for (size_t i = 0; i < p.size(); ++i) p[i] = static_cast<int64_t>(i);
  detail::Rng rng(seed ^ 0x5348524B44415441ull);  // "SHRKDATA"
  for (size_t i = p.size(); i > 1; --i) std::swap(p[i - 1], p[rng.Below(i)]);
  return p;
}

Expected<std::vector<int64_t>> SplitIndices(int64_t n, const SplitSpec& split) {
  const double tr = split.train_fraction, ca = split.calibration_fraction;
  if (!(tr >= 0 && tr <= 1 && ca >= 0 && ca <= 1 && tr + ca <= 1 + 1e-9))
    return InvalidArgument("split fractions must lie in [0, 1] and sum to at most 1 (train " +
                           std::to_string(tr) + ", calibration " + std::to_string(ca) + ")");
  std::vector<int64_t> out;
  if (split.name == "all") {
    out.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) out[static_cast<size_t>(i)] = i;
    return out;
  }
  const int64_t n_train = std::llround(static_cast<double>(n) * tr);
  const int64_t n_cal = std::min<int64_t>(n - n_train, std::llround(static_cast<double>(n) * ca));
  int64_t lo, hi;
  if (split.name == "train") {
    lo = 0, hi = n_train;
  } else if (split.name == "calibration") {
    lo = n_train, hi = n_train + n_cal;
  } else if (split.name == "eval") {
    lo = n_train + n_cal, hi = n;
  } else {
    return InvalidArgument("unknown split '" + split.name +
                           "' (expected all, train, calibration or eval)");
  }
  const std::vector<int64_t> perm = Permutation(n, split.seed);
  out.assign(perm.begin() + lo, perm.begin() + hi);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> DatasetFormats() {
  std::vector<std::string> names;
  for (const auto& f : Registry()) names.push_back(f.name);
  return names;
}

Dataset::Dataset(DatasetSpec spec, std::unique_ptr<Source> source, std::vector<int64_t> indices)
    : spec_(std::move(spec)),
      source_(std::move(source)),
      split_indices_(std::move(indices)),
      order_(split_indices_),
      info_(PreprocessedInfo(source_->info(), spec_.preprocess)) {
  for (auto& [name, shape] : info_.input_shapes)
    if (name == "input" && !spec_.input_name.empty()) name = spec_.input_name;
}

Dataset::~Dataset() = default;

void Dataset::Shuffle(uint64_t seed) {
  const std::vector<int64_t> p = Permutation(static_cast<int64_t>(split_indices_.size()), seed);
  for (size_t i = 0; i < p.size(); ++i) order_[i] = split_indices_[static_cast<size_t>(p[i])];
  cursor_ = 0;
}

void Dataset::Unshuffle() {
  order_ = split_indices_;
  cursor_ = 0;
}

Expected<Batch> Dataset::GetBatch(int64_t begin, int64_t count) {
  const std::string where = spec_.name.empty() ? spec_.format : spec_.name;
  if (begin < 0 || count < 0) return InvalidArgument(where + ": negative batch range");
  begin = std::min(begin, size());
  const int64_t end = std::min(size(), begin + count);
  Batch batch;
  const DatasetInfo& raw = source_->info();
  try {
    std::vector<std::vector<Tensor>> per_input(raw.input_shapes.size());
    std::vector<bool> variable(raw.input_shapes.size(), false);
    for (size_t k = 0; k < raw.input_shapes.size(); ++k)
      for (int64_t d : raw.input_shapes[k].second) variable[k] = variable[k] || d < 0;
    bool any_variable = std::find(variable.begin(), variable.end(), true) != variable.end();
    std::vector<int64_t> labels;
    std::vector<float> targets;
    std::vector<int64_t> tokens;
    for (int64_t i = begin; i < end; ++i) {
      const int64_t src = order_[static_cast<size_t>(i)];
      Example ex = source_->Get(src);
      if (ex.inputs.size() != raw.input_shapes.size())
        Throw(StatusCode::kInternal, "example has the wrong number of inputs");
      int64_t length = -1;
      for (size_t k = 0; k < ex.inputs.size(); ++k) {
        int64_t valid = 0;
        Expected<Tensor> t = detail::PreprocessWithLength(ex.inputs[k].second, raw.is_image,
                                                          spec_.preprocess, variable[k], &valid);
        if (!t.ok()) Throw(t.status().WithContext("example " + std::to_string(src)));
        if (variable[k] && length < 0) length = valid;
        per_input[k].push_back(std::move(t).value());
      }
      batch.source_indices.push_back(src);
      if (any_variable) batch.lengths.push_back(length);
      switch (raw.label_kind) {
        case LabelKind::kClass:
          labels.push_back(ex.label);
          break;
        case LabelKind::kRegression:
          targets.insert(targets.end(), ex.targets.begin(), ex.targets.end());
          break;
        case LabelKind::kTokens:
          tokens.insert(tokens.end(), ex.tokens.begin(), ex.tokens.end());
          break;
        default:
          break;
      }
      if (!ex.text.empty() || raw.label_kind == LabelKind::kText) batch.texts.push_back(ex.text);
      batch.metadata.push_back(std::move(ex.metadata));
    }
    const int64_t n = batch.size();
    for (size_t k = 0; k < per_input.size(); ++k) {
      const std::string& name = info_.input_shapes[k].first;
      if (n == 0) {
        Shape shape = info_.input_shapes[k].second;
        for (int64_t& d : shape) d = std::max<int64_t>(d, 0);
        shape.insert(shape.begin(), 0);
        const DataType dt =
            raw.label_kind == LabelKind::kTokens ? DataType::kInt64 : DataType::kFloat32;
        batch.inputs.emplace_back(name, Tensor(dt, shape));
        continue;
      }
      const int axis = detail::VariableAxis(raw.is_image, spec_.preprocess, per_input[k][0].rank());
      batch.inputs.emplace_back(name, Stack(per_input[k], axis, spec_.preprocess.pad_value, name));
    }
    if (raw.label_kind == LabelKind::kClass) {
      batch.labels = Tensor::FromVector<int64_t>({n}, labels);
    } else if (raw.label_kind == LabelKind::kRegression) {
      const int64_t k = n > 0 ? static_cast<int64_t>(targets.size()) / n : 1;
      batch.labels = k == 1 ? Tensor::FromVector<float>({n}, targets)
                            : Tensor::FromVector<float>({n, k}, targets);
    } else if (raw.label_kind == LabelKind::kTokens) {
      const int64_t l = n > 0 ? static_cast<int64_t>(tokens.size()) / n : 0;
      batch.labels = Tensor::FromVector<int64_t>({n, l}, tokens);
    }
  } catch (const Error& e) {
    return e.ToStatus().WithContext(where);
  }
  return batch;
}

Expected<Batch> Dataset::NextBatch(int64_t batch_size) {
  if (batch_size <= 0) return InvalidArgument("batch size must be > 0");
  Expected<Batch> b = GetBatch(cursor_, batch_size);
  if (b.ok()) cursor_ = std::min(size(), cursor_ + batch_size);
  return b;
}

Expected<std::unique_ptr<Dataset>> OpenDataset(const DatasetSpec& spec) {
  const FormatEntry* entry = nullptr;
  for (const auto& f : Registry())
    if (spec.format == f.name) entry = &f;
  if (!entry) {
    std::string known;
    for (const auto& f : Registry()) known += std::string(known.empty() ? "" : ", ") + f.name;
    return InvalidArgument("unknown dataset format '" + spec.format + "' (known: " + known + ")");
  }
  if (spec.limit < 0) return InvalidArgument("dataset limit must be >= 0");
  // Validate preprocessing once up front (cheap: a 1x1x1 probe).
  {
    PreprocessSpec probe = spec.preprocess;
    probe.mean.resize(std::min<size_t>(probe.mean.size(), 1));
    probe.std.resize(std::min<size_t>(probe.std.size(), 1));
    Expected<Tensor> t = Preprocess(Tensor(DataType::kFloat32, {1, 1, 1}), true, probe);
    if (!t.ok()) return t.status();
  }
  try {
    std::unique_ptr<Source> source = entry->open(spec);
    SHRINK_ASSIGN_OR_RETURN(std::vector<int64_t> indices, SplitIndices(source->size(), spec.split));
    if (spec.limit > 0 && static_cast<int64_t>(indices.size()) > spec.limit)
      indices.resize(static_cast<size_t>(spec.limit));
    return std::make_unique<Dataset>(spec, std::move(source), std::move(indices));
  } catch (const Error& e) {
    return e.ToStatus().WithContext(spec.name.empty() ? spec.format : spec.name);
  }
}

}  // namespace shrink::data
