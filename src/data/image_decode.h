// Internal to the data part: PNG / JPEG decoding to float [C, H, W] (0..255) and PNG writing
// (tests, debugging). Damaged files -> shrink::Error(kCorrupt) naming the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace shrink::data::detail {

// `channels` 1 (gray) or 3 (RGB); an alpha channel is dropped.
Tensor DecodeImageFile(const std::string& path, int channels);

// Writes 8-bit gray (c == 1) or RGB (c == 3) pixels, HWC order.
void WritePng(const std::string& path, const std::vector<uint8_t>& hwc, int64_t h, int64_t w,
              int c);

// Channel count of an image file's header (1 for gray / gray+alpha, else 3).
int ImageFileChannels(const std::string& path);

}  // namespace shrink::data::detail
