// Headless Chromium for reports: HTML -> PDF (--print-to-pdf) and the rendered DOM (--dump-dom),
// which tests use to check that the report renders in a real browser.
//
// Contract:
// - FindChromium(): $SHRINK_CHROMIUM when set, else `chromium`, `chromium-browser`,
//   `google-chrome` from $PATH; kNotFound saying to install Debian's `chromium` otherwise.
// - Every run gets a fresh private profile folder (removed afterwards), --no-sandbox (CI runs as
//   root), no GPU, no first-run, no network services, and a timeout (kResourceExhausted when hit).
//   A failed run -> kInternal with the tail of Chromium's stderr.
// - PrintToPdf writes `pdf_path` (A4, backgrounds, no header/footer); an empty or missing result
//   file is an error.
#pragma once

#include <string>

#include "core/status.h"

namespace shrink::report {

Expected<std::string> FindChromium();
Status PrintToPdf(const std::string& html_path, const std::string& pdf_path,
                  double timeout_seconds = 120);
Expected<std::string> DumpDom(const std::string& html_path, double timeout_seconds = 120);

}  // namespace shrink::report
