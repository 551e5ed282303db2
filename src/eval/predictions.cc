#include "eval/predictions.h"

#include <algorithm>
#include <cmath>

namespace shrink::eval {
namespace {

using data::LabelKind;
using data::OutputMappingKind;
using data::PredictionKind;

std::vector<float> ToFloats(const Tensor& t) {
  std::vector<float> out(static_cast<size_t>(t.numel()));
  if (t.dtype() == DataType::kFloat32) {
    std::copy(t.data<float>(), t.data<float>() + t.numel(), out.begin());
  } else {
    for (int64_t i = 0; i < t.numel(); ++i) out[i] = static_cast<float>(t.GetAsDouble(i));
  }
  return out;
}

std::string Where(const std::string& output_name, const Tensor& t) {
  return "model output '" + output_name + "' " + ShapeToString(t.shape());
}

Status CheckNumeric(const std::string& output_name, const Tensor& t) {
  if (!t.defined() || t.dtype() == DataType::kString || t.dtype() == DataType::kUndefined)
    return InvalidArgument("model output '" + output_name + "' is not a numeric tensor");
  return Status::Ok();
}

Status NeedLabels(LabelKind have, LabelKind want, const char* what, const std::string& mapping) {
  if (have == want) return Status::Ok();
  return InvalidArgument("output mapping '" + mapping + "' needs " + what +
                         " labels, but the evaluation dataset has " +
                         (have == LabelKind::kNone ? "no labels" : "labels of another kind"));
}

// Softmax in place unless the row already is a probability distribution.
void Normalize(float* row, int64_t c) {
  double sum = 0;
  bool probs = true;
  for (int64_t j = 0; j < c; ++j) {
    if (!(row[j] >= 0.0f && row[j] <= 1.0f)) probs = false;
    sum += row[j];
  }
  if (probs && std::abs(sum - 1.0) <= 1e-3) return;
  const float m = *std::max_element(row, row + c);
  double z = 0;
  for (int64_t j = 0; j < c; ++j) z += std::exp(static_cast<double>(row[j] - m));
  for (int64_t j = 0; j < c; ++j)
    row[j] = static_cast<float>(std::exp(static_cast<double>(row[j] - m)) / z);
}

Status ClassLabels(const data::Batch& batch, int64_t classes, const std::string& output_name,
                   Predictions* p) {
  const int64_t n = p->size;
  if (!batch.labels.defined() || batch.labels.numel() != n)
    return InvalidArgument("the evaluation batch holds no class label per example");
  p->labels.resize(n);
  for (int64_t i = 0; i < n; ++i) {
    const auto label = static_cast<int64_t>(batch.labels.GetAsDouble(i));
    if (label < 0 || label >= classes)
      return InvalidArgument("label " + std::to_string(label) + " of example " +
                             std::to_string(batch.source_indices[i]) + " is outside the " +
                             std::to_string(classes) + " classes of model output '" + output_name +
                             "'");
    p->labels[i] = label;
  }
  return Status::Ok();
}

Status MapArgmax(const data::OutputMapping& m, const std::string& name, const Tensor& out,
                 const data::Batch& batch, Predictions* p) {
  const int64_t n = p->size;
  const int rank = out.rank();
  const int64_t axis = m.axis < 0 ? m.axis + rank : m.axis;
  if (rank < 2 || axis <= 0 || axis >= rank || out.dim(0) != n)
    return InvalidArgument(Where(name, out) + " does not hold " + std::to_string(n) +
                           " rows of class scores along axis " + std::to_string(m.axis));
  for (int d = 1; d < rank; ++d)
    if (d != axis && out.dim(d) != 1)
      return InvalidArgument(Where(name, out) + ": argmax needs one class axis besides N");
  const int64_t c = out.dim(static_cast<int>(axis));
  if (c < 1) return InvalidArgument(Where(name, out) + " has no classes");
  p->num_classes = c;
  p->scores = ToFloats(out);
  p->predicted.resize(n);
  for (int64_t i = 0; i < n; ++i) {
    float* row = p->scores.data() + i * c;
    Normalize(row, c);
    p->predicted[i] = std::max_element(row, row + c) - row;
  }
  return ClassLabels(batch, c, name, p);
}

Status MapSigmoid(const data::OutputMapping& m, const std::string& name, const Tensor& out,
                  const data::Batch& batch, Predictions* p) {
  const int64_t n = p->size;
  if (out.numel() != n || out.rank() < 1 || out.dim(0) != n)
    return InvalidArgument(Where(name, out) + ": sigmoid_threshold needs one value per example (" +
                           std::to_string(n) + ")");
  const std::vector<float> x = ToFloats(out);
  p->num_classes = 2;
  p->scores.resize(2 * n);
  p->predicted.resize(n);
  for (int64_t i = 0; i < n; ++i) {
    const double v = x[i];
    const double prob = m.logits ? 1.0 / (1.0 + std::exp(-v)) : v;
    p->scores[2 * i] = static_cast<float>(1.0 - prob);
    p->scores[2 * i + 1] = static_cast<float>(prob);
    p->predicted[i] = prob >= m.threshold ? 1 : 0;
  }
  return ClassLabels(batch, 2, name, p);
}

Status MapNextToken(const std::string& name, const Tensor& out, const data::Batch& batch,
                    Predictions* p) {
  const int64_t n = p->size;
  const Tensor& t = batch.labels;
  if (!t.defined() || t.rank() != 2 || t.dim(0) != n)
    return InvalidArgument("next_token needs int64 targets [N, L] in the evaluation batch");
  const int64_t len = t.dim(1);
  if (out.rank() != 3 || out.dim(0) != n || out.dim(1) != len)
    return InvalidArgument(Where(name, out) + ": next_token needs logits [" + std::to_string(n) +
                           ", " + std::to_string(len) + ", V]");
  const int64_t v = out.dim(2);
  const std::vector<float> logits = ToFloats(out);
  p->nll.assign(n, 0.0);
  p->tokens.assign(n, 0);
  p->correct.assign(n, 0);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < len; ++j) {
      const auto target = static_cast<int64_t>(t.GetAsDouble(i * len + j));
      if (target < 0) continue;
      if (target >= v)
        return InvalidArgument("target token " + std::to_string(target) + " is outside the " +
                               std::to_string(v) + " logits of " + Where(name, out));
      const float* row = logits.data() + (i * len + j) * v;
      const float mx = *std::max_element(row, row + v);
      double z = 0;
      for (int64_t k = 0; k < v; ++k) z += std::exp(static_cast<double>(row[k] - mx));
      p->nll[i] += std::log(z) - static_cast<double>(row[target] - mx);
      p->tokens[i] += 1;
      p->correct[i] += (std::max_element(row, row + v) - row) == target ? 1 : 0;
    }
  }
  return Status::Ok();
}

Status MapCtc(const data::OutputMapping& m, const std::string& name, const Tensor& out,
              const data::Batch& batch, const std::vector<std::string>& charset, Predictions* p) {
  const int64_t n = p->size;
  if (batch.texts.size() != static_cast<size_t>(n))
    return InvalidArgument("ctc_greedy needs a ground-truth text per example");
  if (out.rank() != 3 || (out.dim(0) != n && out.dim(1) != n))
    return InvalidArgument(Where(name, out) + ": ctc_greedy needs scores [N, T, C] or [T, N, C]");
  const int64_t c = out.dim(2);
  if (c != static_cast<int64_t>(charset.size()) + 1)
    return InvalidArgument(Where(name, out) + " has " + std::to_string(c) +
                           " classes but the charset has " + std::to_string(charset.size()) +
                           " symbols + blank = " + std::to_string(charset.size() + 1));
  if (m.blank_index >= c)
    return InvalidArgument("blank_index " + std::to_string(m.blank_index) + " is outside the " +
                           std::to_string(c) + " classes of " + Where(name, out));
  const bool batch_major = out.dim(0) == n;
  const int64_t steps = batch_major ? out.dim(1) : out.dim(0);
  const std::vector<float> x = ToFloats(out);
  p->texts.resize(n);
  p->targets = batch.texts;
  for (int64_t i = 0; i < n; ++i) {
    const float* base = batch_major ? x.data() + i * steps * c : x.data() + i * c;
    const int64_t stride = batch_major ? c : n * c;
    p->texts[i] = CtcGreedyDecode(base, steps, c, stride, m.blank_index, charset);
  }
  return Status::Ok();
}

Status MapIdentity(const std::string& name, const Tensor& out, const data::Batch& batch,
                   LabelKind label_kind, Predictions* p) {
  const int64_t n = p->size;
  if (label_kind != LabelKind::kRegression && label_kind != LabelKind::kClass)
    return NeedLabels(label_kind, LabelKind::kRegression, "regression", "identity");
  const Tensor& t = batch.labels;
  if (!t.defined() || n == 0 || t.numel() % n != 0 || out.numel() != t.numel())
    return InvalidArgument(Where(name, out) + " does not match the targets " +
                           (t.defined() ? ShapeToString(t.shape()) : std::string("(none)")) +
                           " (same number of values per example needed)");
  p->width = t.numel() / n;
  p->values.resize(out.numel());
  p->target_values.resize(t.numel());
  for (int64_t i = 0; i < out.numel(); ++i) p->values[i] = out.GetAsDouble(i);
  for (int64_t i = 0; i < t.numel(); ++i) p->target_values[i] = t.GetAsDouble(i);
  return Status::Ok();
}

Status MapSegmentation(const data::OutputMapping& m, const std::string& name, const Tensor& out,
                       const data::Batch& batch, LabelKind label_kind, Predictions* p) {
  if (label_kind != LabelKind::kRegression && label_kind != LabelKind::kClass)
    return NeedLabels(label_kind, LabelKind::kRegression, "per-pixel class", "segmentation");
  const int64_t n = p->size;
  const int rank = out.rank();
  const int64_t axis = m.axis < 0 ? m.axis + rank : m.axis;
  if (n < 1 || out.numel() < 1 || rank < 2 || axis <= 0 || axis >= rank || out.dim(0) != n)
    return InvalidArgument(Where(name, out) + " does not hold " + std::to_string(n) +
                           " maps of class scores along axis " + std::to_string(m.axis));
  const int64_t c = out.dim(static_cast<int>(axis));
  int64_t inner = 1;
  for (int d = static_cast<int>(axis) + 1; d < rank; ++d) inner *= out.dim(d);
  const int64_t outer = out.numel() / (c * inner);  // N * the pixel axes before the class axis
  const Tensor& t = batch.labels;
  if (!t.defined() || t.numel() != outer * inner)
    return InvalidArgument(Where(name, out) + " has " + std::to_string(outer * inner / n) +
                           " pixels per example, but the labels " +
                           (t.defined() ? ShapeToString(t.shape()) : std::string("(none)")) +
                           " do not hold one class id per pixel");
  const std::vector<float> x = ToFloats(out);
  p->num_classes = c;
  p->width = outer * inner / n;
  p->predicted.resize(outer * inner);
  p->labels.resize(outer * inner);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const float* base = x.data() + o * c * inner + i;
      int64_t best = 0;
      for (int64_t k = 1; k < c; ++k)
        if (base[k * inner] > base[best * inner]) best = k;
      p->predicted[o * inner + i] = best;
    }
  }
  for (int64_t k = 0; k < t.numel(); ++k) {
    const double v = t.GetAsDouble(k);
    p->labels[k] = std::isfinite(v) ? static_cast<int64_t>(v) : -1;
  }
  return Status::Ok();
}

}  // namespace

std::string CtcGreedyDecode(const float* probs, int64_t steps, int64_t classes, int64_t step_stride,
                            int64_t blank_index, const std::vector<std::string>& charset) {
  std::string text;
  int64_t previous = -1;
  for (int64_t t = 0; t < steps; ++t) {
    const float* row = probs + t * step_stride;
    const int64_t id = std::max_element(row, row + classes) - row;
    if (id != previous && id != blank_index) {
      const int64_t symbol = id < blank_index ? id : id - 1;
      if (symbol >= 0 && symbol < static_cast<int64_t>(charset.size())) text += charset[symbol];
    }
    previous = id;
  }
  return text;
}

std::vector<std::string> CtcCharset(const data::OutputMapping& mapping,
                                    const data::DatasetInfo& info) {
  if (mapping.charset_source != data::CharsetSource::kDataset) return mapping.charset;
  std::vector<std::string> out = info.vocabulary;
  if (!out.empty() && out.front().empty()) out.erase(out.begin());
  if (mapping.append_space) out.push_back(" ");
  return out;
}

Expected<Predictions> MapOutput(const data::OutputMapping& mapping, const std::string& output_name,
                                const Tensor& output, const data::Batch& batch,
                                LabelKind label_kind, const std::vector<std::string>& charset) {
  SHRINK_RETURN_IF_ERROR(CheckNumeric(output_name, output));
  Predictions p;
  p.kind = data::PredictionKindOf(mapping.kind);
  p.size = batch.size();
  const std::string mname = data::OutputMappingName(mapping.kind);
  try {
    switch (mapping.kind) {
      case OutputMappingKind::kArgmax:
        SHRINK_RETURN_IF_ERROR(NeedLabels(label_kind, LabelKind::kClass, "class", mname));
        SHRINK_RETURN_IF_ERROR(MapArgmax(mapping, output_name, output, batch, &p));
        break;
      case OutputMappingKind::kSigmoidThreshold:
        SHRINK_RETURN_IF_ERROR(NeedLabels(label_kind, LabelKind::kClass, "class", mname));
        SHRINK_RETURN_IF_ERROR(MapSigmoid(mapping, output_name, output, batch, &p));
        break;
      case OutputMappingKind::kNextToken:
        SHRINK_RETURN_IF_ERROR(NeedLabels(label_kind, LabelKind::kTokens, "token", mname));
        SHRINK_RETURN_IF_ERROR(MapNextToken(output_name, output, batch, &p));
        break;
      case OutputMappingKind::kCtcGreedy:
        SHRINK_RETURN_IF_ERROR(NeedLabels(label_kind, LabelKind::kText, "text", mname));
        SHRINK_RETURN_IF_ERROR(MapCtc(mapping, output_name, output, batch, charset, &p));
        break;
      case OutputMappingKind::kIdentity:
        SHRINK_RETURN_IF_ERROR(MapIdentity(output_name, output, batch, label_kind, &p));
        break;
      case OutputMappingKind::kSegmentation:
        SHRINK_RETURN_IF_ERROR(
            MapSegmentation(mapping, output_name, output, batch, label_kind, &p));
        break;
    }
  } catch (const Error& e) {
    return e.ToStatus();
  }
  return p;
}

}  // namespace shrink::eval
