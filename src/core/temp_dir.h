// TempDir: a private temporary directory (mkdtemp, mode 0700) removed recursively when the owning
// object is destroyed.
//
// Contract: Create() makes "<$TMPDIR or /tmp>/<prefix>XXXXXX"; failure -> kIOError. The object is
// move-only; the moved-from object owns nothing. Removal does not follow symlinks (a link inside is
// removed, never its target) and ignores errors. Release() keeps the directory on disk.
#pragma once

#include <string>

#include "core/status.h"

namespace shrink {

class TempDir {
 public:
  static Expected<TempDir> Create(const std::string& prefix = "shrink-");

  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::string& path() const { return path_; }
  // "<path>/<name>"
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  // Stops owning the directory (it stays on disk) and returns its path.
  std::string Release();

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace shrink
