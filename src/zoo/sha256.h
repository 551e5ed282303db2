// Moved to core/sha256.h; kept so that zoo code can keep saying zoo::Sha256File.
#pragma once

#include "core/sha256.h"

namespace shrink::zoo {
using shrink::Sha256File;
using shrink::Sha256Hex;
}  // namespace shrink::zoo
