// SHA-256 of files and byte strings (OpenSSL EVP), as lower-case hex.
//
// Contract: Sha256File streams the file (constant memory); a missing file -> kNotFound, a read
// error -> kIOError, both naming the path.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace shrink {

std::string Sha256Hex(std::string_view data);
Expected<std::string> Sha256File(const std::string& path);

}  // namespace shrink
