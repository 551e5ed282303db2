#include "report/chromium.h"

#include <cstdlib>
#include <filesystem>

#include "core/subprocess.h"
#include "core/temp_dir.h"

namespace shrink::report {
namespace fs = std::filesystem;
namespace {

Expected<ProcessResult> RunHeadless(const std::string& html_path, std::vector<std::string> extra,
                                    double timeout) {
  SHRINK_ASSIGN_OR_RETURN(std::string chromium, FindChromium());
  std::error_code ec;
  if (!fs::exists(html_path, ec)) return NotFound(html_path + ": no such HTML file");
  SHRINK_ASSIGN_OR_RETURN(TempDir profile, TempDir::Create("shrink-chromium-"));
  std::vector<std::string> argv = {chromium,
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--no-first-run",
                                   "--disable-extensions",
                                   "--disable-background-networking",
                                   "--disable-sync",
                                   "--user-data-dir=" + profile.path()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back("file://" + fs::absolute(html_path, ec).string());
  ProcessOptions po;
  po.timeout_seconds = timeout;
  SHRINK_ASSIGN_OR_RETURN(ProcessResult r, RunProcess(argv, po));
  if (r.timed_out)
    return ResourceExhausted("chromium did not finish within " + std::to_string(timeout) + " s");
  if (!r.Succeeded()) return Internal("chromium failed: " + r.FailureMessage());
  return r;
}

}  // namespace

Expected<std::string> FindChromium() {
  if (const char* env = std::getenv("SHRINK_CHROMIUM"); env && *env) return FindProgram(env);
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    Expected<std::string> p = FindProgram(name);
    if (p.ok()) return p;
  }
  return NotFound(
      "Chromium is needed for PDF reports: install Debian's `chromium` package "
      "(scripts/setup.sh does) or set SHRINK_CHROMIUM");
}

Status PrintToPdf(const std::string& html_path, const std::string& pdf_path, double timeout) {
  std::error_code ec;
  const std::string out = fs::absolute(pdf_path, ec).string();
  fs::remove(out, ec);
  SHRINK_ASSIGN_OR_RETURN(
      ProcessResult r,
      RunHeadless(html_path, {"--no-pdf-header-footer", "--print-to-pdf=" + out}, timeout));
  if (!fs::exists(out, ec) || fs::file_size(out, ec) == 0)
    return Internal("chromium wrote no PDF to " + out + ": " + r.stderr_data.substr(0, 500));
  return Status::Ok();
}

Expected<std::string> DumpDom(const std::string& html_path, double timeout) {
  SHRINK_ASSIGN_OR_RETURN(ProcessResult r, RunHeadless(html_path, {"--dump-dom"}, timeout));
  return r.stdout_data;
}

}  // namespace shrink::report
