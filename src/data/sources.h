// Internal to the data part: one opener per format (src/data/formats/*.cc) and small helpers they
// share. Openers may throw shrink::Error; OpenDataset turns it into a Status.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace shrink::data::detail {

std::unique_ptr<Source> OpenIdx(const DatasetSpec& spec);
std::unique_ptr<Source> OpenMnistJson(const DatasetSpec& spec);
std::unique_ptr<Source> OpenCsv(const DatasetSpec& spec);
std::unique_ptr<Source> OpenNpy(const DatasetSpec& spec);
std::unique_ptr<Source> OpenNpz(const DatasetSpec& spec);
std::unique_ptr<Source> OpenImageFolder(const DatasetSpec& spec);
std::unique_ptr<Source> OpenText(const DatasetSpec& spec);
std::unique_ptr<Source> OpenWav(const DatasetSpec& spec);
std::unique_ptr<Source> OpenOcrRender(const DatasetSpec& spec);

// Whole file contents; a name ending in ".gz" is gunzipped (zlib). kNotFound / kIOError /
// kCorrupt (thrown) name the file. `max_bytes` bounds the decompressed size.
std::string ReadFileMaybeGz(const std::string& path, size_t max_bytes = size_t{4} << 30);

// Throws kNotFound naming `what` when `path` is empty or does not exist.
void RequireExists(const std::string& path, const std::string& what);

// Splits `text` into lines (LF or CRLF); the last line may lack a newline.
std::vector<std::string> SplitLines(const std::string& text);

// Float tensor [C, H, W] from interleaved 8-bit pixels (HWC).
Tensor ImageFromHwc(const uint8_t* pixels, int64_t h, int64_t w, int64_t c);

// Small deterministic generator (SplitMix64) used for splits, shuffles and OCR rendering.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n) (n > 0), by rejection so every platform agrees.
  uint64_t Below(uint64_t n) {
    const uint64_t limit = ~uint64_t{0} - (~uint64_t{0} % n);
    uint64_t v;
    do v = Next();
    while (v >= limit);
    return v % n;
  }

 private:
  uint64_t state_;
};

}  // namespace shrink::data::detail
