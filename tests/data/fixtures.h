// Helpers for data tests: tiny fixture files written by the tests themselves.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "core/temp_dir.h"
#include "data/dataset.h"

namespace shrink::data::testing {

inline void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline void WriteGz(const std::string& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}

// IDX ubyte file contents for `dims` and `data`.
inline std::string IdxBytes(const std::vector<uint32_t>& dims, const std::vector<uint8_t>& data) {
  std::string s = {0, 0, 8, static_cast<char>(dims.size())};
  for (uint32_t d : dims)
    for (int k = 3; k >= 0; --k) s += static_cast<char>((d >> (8 * k)) & 0xFF);
  s.append(data.begin(), data.end());
  return s;
}

// Mono PCM16 WAV contents.
inline std::string WavBytes(const std::vector<int16_t>& samples, uint32_t rate = 16000,
                            uint16_t channels = 1) {
  auto u32 = [](uint32_t v) {
    std::string s;
    for (int k = 0; k < 4; ++k) s += static_cast<char>((v >> (8 * k)) & 0xFF);
    return s;
  };
  auto u16 = [](uint16_t v) {
    return std::string{static_cast<char>(v & 0xFF), static_cast<char>(v >> 8)};
  };
  const uint32_t data_bytes = static_cast<uint32_t>(samples.size() * 2);
  std::string s = "RIFF" + u32(36 + data_bytes) + "WAVE";
  s += "fmt " + u32(16) + u16(1) + u16(channels) + u32(rate) + u32(rate * 2 * channels) +
       u16(static_cast<uint16_t>(2 * channels)) + u16(16);
  s += "data" + u32(data_bytes);
  for (int16_t v : samples) s += u16(static_cast<uint16_t>(v));
  return s;
}

inline TempDir MakeTempDir() {
  Expected<TempDir> t = TempDir::Create("shrink-data-test-");
  if (!t.ok()) throw std::runtime_error(t.status().ToString());
  return std::move(t).value();
}

inline std::unique_ptr<Dataset> OpenOrDie(const DatasetSpec& spec) {
  Expected<std::unique_ptr<Dataset>> d = OpenDataset(spec);
  if (!d.ok()) throw std::runtime_error(d.status().ToString());
  return std::move(d).value();
}

inline Batch BatchOrDie(Dataset& d, int64_t begin, int64_t count) {
  Expected<Batch> b = d.GetBatch(begin, count);
  if (!b.ok()) throw std::runtime_error(b.status().ToString());
  return std::move(b).value();
}

}  // namespace shrink::data::testing
