// The end-of-job output shared by `shrink compress` and `shrink quantize --job`: the before/after
// table of the recommended artifact (or why none met the constraints), or the summary as JSON.
#pragma once

#include <string>

#include "pipeline/compress.h"

namespace shrink::cli {

void PrintCompressSummary(const pipeline::CompressSummary& s, const std::string& job_dir,
                          bool json);

}  // namespace shrink::cli
