// Minimal ZIP archive reader/writer (what .npz needs): stored and deflated entries, zip64.
//
// Contract:
// - ZipReader::Open reads only the central directory; Read(i) reads one entry (pread), inflates
//   it when deflated (zlib) and checks its CRC-32. Encrypted entries, other compression methods,
//   and multi-disk archives -> kUnimplemented. Anything inconsistent (bad signatures, offsets or
//   sizes past the end of the file, inflate errors, a size or CRC that disagrees with the
//   directory) -> kCorrupt; an entry larger than the tensor memory limit -> kResourceExhausted.
// - ZipWriter writes to "<path>.tmp" and renames it to `path` in Finish(), so a failed write
//   never leaves a half-written archive under the final name. Zip64 records are added only when
//   sizes or offsets need them. Entry names are stored as given (UTF-8 flag set).
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace shrink {

struct ZipEntryInfo {
  std::string name;
  uint16_t method = 0;  // 0 stored, 8 deflated
  uint16_t flags = 0;
  uint32_t crc32 = 0;
  uint64_t compressed_size = 0;
  uint64_t uncompressed_size = 0;
  uint64_t local_header_offset = 0;
};

class ZipReader {
 public:
  static Expected<ZipReader> Open(const std::string& path);

  const std::vector<ZipEntryInfo>& entries() const { return entries_; }
  // The decompressed, CRC-checked bytes of entry `index`.
  Expected<std::string> Read(size_t index) const;

 private:
  struct OpenFile;
  ZipReader() = default;
  Status PRead(uint64_t offset, void* buf, size_t size) const;

  std::string path_;
  std::shared_ptr<OpenFile> file_;
  uint64_t file_size_ = 0;
  std::vector<ZipEntryInfo> entries_;
};

class ZipWriter {
 public:
  static Expected<ZipWriter> Create(const std::string& path);
  ZipWriter(ZipWriter&&) noexcept;
  ZipWriter& operator=(ZipWriter&&) noexcept;
  ~ZipWriter();  // without Finish(): removes the temporary file

  Status Add(const std::string& name, std::string_view data, bool deflate);
  // Writes the central directory and renames the archive into place.
  Status Finish();

 private:
  ZipWriter() = default;
  Status WriteBytes(std::string_view bytes);

  std::string path_;
  std::string tmp_path_;
  std::FILE* file_ = nullptr;
  uint64_t offset_ = 0;
  std::vector<ZipEntryInfo> entries_;
};

// CRC-32 (the zip/zlib polynomial).
uint32_t Crc32(std::string_view data);

}  // namespace shrink
