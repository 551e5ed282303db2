// Predictions: one batch of model outputs mapped to what the metrics score, with the targets.
//
// Contract (MapOutput):
// - argmax: the output holds N rows of C class scores along `axis` (every other axis but N must
//   have size 1). Rows that already look like probabilities (all values in [0, 1], summing to 1
//   within 1e-3) are kept, otherwise softmax is applied; class = argmax (first on ties).
// - sigmoid_threshold: one value per example ([N] or [N, 1]); p = sigmoid(x) (or x when
//   !logits); class = p >= threshold; scores become the two columns [1 - p, p].
// - next_token: logits [N, L, V] against int64 targets [N, L] (targets < 0 are ignored). Each
//   sequence keeps its summed negative log-likelihood (nats), its counted tokens and how many of
//   them the argmax predicts.
// - ctc_greedy: probabilities or logits [N, T, C] ([T, N, C] when the first axis is not N but
//   the second is), C == charset size + 1. Best path per example, repeats merged, blanks dropped,
//   ids mapped to symbols by the rule in data/task.h.
// - identity: values [N, ...] against float targets with the same count per example.
// - segmentation: scores [N, ..., C, ...] with the classes along `axis` (default 1); every other
//   position is a pixel, in row-major order of the remaining axes (so [N, C, H, W] and
//   [N, H, W, C] both give H * W pixels per example). Predicted class = argmax (first on ties; no
//   softmax is needed). Labels: integer class ids per pixel ([N, H, W]: a .npy of rank > 1 reads
//   as LabelKind::kRegression), the same count per example; ids outside [0, C) are kept and
//   ignored by mean_iou (e.g. 255 "void").
// Labels: class mappings need LabelKind::kClass, ctc_greedy kText, next_token kTokens, identity
// and segmentation kRegression (or kClass, read as numbers). Anything else -> kInvalidArgument
// naming the output.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "data/dataset.h"
#include "data/task.h"

namespace shrink::eval {

struct Predictions {
  data::PredictionKind kind = data::PredictionKind::kClass;
  int64_t size = 0;  // examples in the batch

  // kClass (kSegmentation: num_classes, and labels/predicted hold `width` pixels per example)
  int64_t num_classes = 0;
  std::vector<int64_t> labels;     // [N] ground truth
  std::vector<int64_t> predicted;  // [N] predicted class
  std::vector<float> scores;       // [N * num_classes] probabilities, row-major
  // kText
  std::vector<std::string> texts;    // [N] decoded predictions
  std::vector<std::string> targets;  // [N] ground truth
  // kTokens (per sequence)
  std::vector<double> nll;       // summed -log p(target), nats
  std::vector<int64_t> tokens;   // counted target tokens
  std::vector<int64_t> correct;  // tokens whose argmax is the target
  // kValues: `width` values per example, row-major (kSegmentation: pixels per example)
  int64_t width = 0;
  std::vector<double> values;
  std::vector<double> target_values;

  const float* ScoreRow(int64_t i) const { return scores.data() + i * num_classes; }
};

// `charset` is the ctc_greedy symbol table already resolved (see CtcCharset); unused otherwise.
Expected<Predictions> MapOutput(const data::OutputMapping& mapping, const std::string& output_name,
                                const Tensor& output, const data::Batch& batch,
                                data::LabelKind label_kind,
                                const std::vector<std::string>& charset = {});

// The ctc_greedy symbols: the task's charset, or for CharsetSource::kDataset the dataset
// vocabulary without its leading blank "" (+ " " when append_space).
std::vector<std::string> CtcCharset(const data::OutputMapping& mapping,
                                    const data::DatasetInfo& info);

// Greedy CTC decoding of one example: `probs` holds T rows of C scores.
std::string CtcGreedyDecode(const float* probs, int64_t steps, int64_t classes, int64_t step_stride,
                            int64_t blank_index, const std::vector<std::string>& charset);

}  // namespace shrink::eval
