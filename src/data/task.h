// Task files: what a model is for, and how to measure it (schema version 1).
//
// Contract: a task YAML names its datasets (calibration, evaluation, optional training; each a
// data::DatasetSpec), how model outputs become predictions (OutputMapping), the primary metric,
// optional extra metrics and cohorts, batch size and seed. ParseTask/LoadTask validate the whole
// file against the schema and return the first problem as kInvalidArgument (kNotFound for a
// referenced file that does not exist) with the message
//   "<file>:<line>:<col>: field '<dotted.path>': <problem>".
// Unknown keys are errors (with a "did you mean" hint). Relative paths in the file resolve against
// the task file's folder and are stored absolute. `version: 1` is required.
//
// File layout (tasks/*.yaml are complete examples):
//   version: 1
//   name: fashion_mnist
//   description: ...                      # optional
//   seed: 0                               # optional; default seed of every split
//   batch_size: 64                        # optional (1..65536, default 32)
//   class_names: [a, b, ...]              # optional
//   datasets:
//     common: {format: idx, ...}          # optional; keys every role inherits
//     calibration: {split: calibration, limit: 512, ...}
//     evaluation: {...}
//     training: {...}                     # optional
//   output: {mapping: argmax, name: logits, axis: -1}   # or segmentation: labels [N, H, W]
//   metric: top1          # or {name: top1, higher_is_better: true, k: 1}
//   extra_metrics: [top5]                 # optional
//   cohorts: [{by: label}, {by: metadata, key: font}, {by: text_length, buckets: [4, 8]}]
// A dataset role holds: format, name, input_name, limit, split (a name or {name, train_fraction,
// calibration_fraction, seed}), preprocess {scale, mean, std, resize_h, resize_w, layout,
// flatten, pad_to, pad_value}, and the keys of its format (e.g. idx: images, labels).
// When a role gives no split name it defaults to the role (calibration / eval / train).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "data/dataset.h"

namespace shrink::data {

enum class OutputMappingKind {
  kArgmax,            // class id = argmax over `axis` (scores: softmax of the same output)
  kCtcGreedy,         // best path, merge repeats, drop blanks, map ids to charset symbols
  kSigmoidThreshold,  // binary: p = sigmoid(x) (or x when !logits); class = p >= threshold
  kNextToken,         // language model: logits [N, L, V] against next-token targets
  kIdentity,          // regression: the output values are the predictions
  kSegmentation,      // per-pixel class = argmax over `axis` (default 1: [N, C, H, W])
};

enum class CharsetSource {
  kDataset,  // the evaluation dataset's vocabulary (DatasetInfo::vocabulary)
  kInline,   // `charset:` in the task file
  kFile,     // `charset_file:` one symbol per line (PaddleOCR keys format)
};

struct OutputMapping {
  OutputMappingKind kind = OutputMappingKind::kArgmax;
  std::string output;  // model output name; empty = the model's first output
  int64_t axis = -1;   // argmax: class axis; segmentation: class axis (1 when not given)
  // ctc_greedy. Model class ids are [0, charset.size()] with the blank at blank_index; a non-blank
  // id c maps to charset[c < blank_index ? c : c - 1].
  CharsetSource charset_source = CharsetSource::kDataset;
  std::vector<std::string> charset;  // kInline / kFile: the symbols (UTF-8), read at parse time
  std::string charset_file;          // kFile: absolute path
  int64_t blank_index = 0;
  bool append_space = false;  // add " " as the last symbol (PaddleOCR use_space_char)
  // sigmoid_threshold
  double threshold = 0.5;
  bool logits = true;  // the output is a logit (apply sigmoid); false: already a probability
};

// What kind of predictions a metric consumes; the mapping must produce them.
enum class PredictionKind { kClass, kText, kTokens, kValues, kSegmentation };

struct MetricSpec {
  std::string name;  // see KnownMetrics()
  bool higher_is_better = true;
  int64_t k = 1;  // top-k metrics
};

enum class CohortKind {
  kLabel,       // one cohort per ground-truth class
  kMetadata,    // one cohort per value of Batch::metadata[key]
  kTextLength,  // ground-truth text length in buckets
};

struct CohortSpec {
  std::string name;  // unique; default "by_label", "by_<key>", "by_text_length"
  CohortKind kind = CohortKind::kLabel;
  std::string key;  // kMetadata
  // kTextLength: ascending upper edges; [4, 8] -> "1-4", "5-8", "9+" (length 0 -> first bucket).
  std::vector<int64_t> buckets;
};

struct TaskSpec {
  int64_t version = 1;
  std::string name;
  std::string description;
  std::string file;      // the task file as given ("" when parsed from text without a name)
  std::string base_dir;  // absolute folder that relative paths resolved against
  uint64_t seed = 0;
  int64_t batch_size = 32;
  std::vector<std::string> class_names;
  DatasetSpec calibration;
  DatasetSpec evaluation;
  std::optional<DatasetSpec> training;
  OutputMapping output;
  MetricSpec metric;
  std::vector<MetricSpec> extra_metrics;
  std::vector<CohortSpec> cohorts;
};

// Reads and validates a task file.
Expected<TaskSpec> LoadTask(const std::string& path);
// Validates task YAML `text`; `file_name` names it in messages and, unless `base_dir` is given,
// its folder is where relative paths resolve (the current directory when it has none).
Expected<TaskSpec> ParseTask(const std::string& text, const std::string& file_name,
                             const std::string& base_dir = "");

// Names used in task files.
const char* OutputMappingName(OutputMappingKind kind);
const char* CohortKindName(CohortKind kind);
PredictionKind PredictionKindOf(OutputMappingKind kind);

struct KnownMetric {
  std::string name;
  bool higher_is_better;
  std::vector<PredictionKind> accepts;
};
// Every metric name a task may use.
const std::vector<KnownMetric>& KnownMetrics();

}  // namespace shrink::data
