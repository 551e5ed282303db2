// The report in a real browser: headless Chromium renders the HTML (DOM check) and prints it to
// PDF; the PDF's first page, rasterised by pdftoppm, must not be blank.
#include "report/chromium.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/subprocess.h"
#include "core/temp_dir.h"
#include "report/html_report.h"
#include "report_test_data.h"

namespace shrink::report {
namespace {

// Fraction of non-white pixels in a binary PPM (P6, maxval 255).
double InkFraction(const std::string& ppm_path) {
  std::ifstream f(ppm_path, std::ios::binary);
  std::string magic;
  int w = 0, h = 0, maxval = 0;
  f >> magic >> w >> h >> maxval;
  f.get();
  if (magic != "P6" || w <= 0 || h <= 0 || maxval != 255) return -1;
  std::string px(static_cast<size_t>(w) * h * 3, '\0');
  f.read(px.data(), static_cast<std::streamsize>(px.size()));
  int64_t ink = 0;
  for (size_t i = 0; i + 2 < px.size(); i += 3)
    if (static_cast<unsigned char>(px[i]) < 200 || static_cast<unsigned char>(px[i + 1]) < 200 ||
        static_cast<unsigned char>(px[i + 2]) < 200)
      ++ink;
  return static_cast<double>(ink) / (static_cast<double>(w) * h);
}

class ChromiumReport : public ::testing::Test {
 protected:
  void SetUp() override {
    Expected<TempDir> d = TempDir::Create("report");
    ASSERT_TRUE(d.ok());
    dir_ = std::make_unique<TempDir>(std::move(*d));
    Expected<std::string> html = RenderHtmlReport(SampleReport());
    ASSERT_TRUE(html.ok());
    html_ = dir_->path() + "/report.html";
    std::ofstream(html_) << *html;
  }
  std::unique_ptr<TempDir> dir_;
  std::string html_;
};

TEST_F(ChromiumReport, RendersKeyElements) {
  Expected<std::string> dom = DumpDom(html_);
  ASSERT_TRUE(dom.ok()) << dom.status().ToString();
  for (const char* needle : {"id=\"recommendation\"", "Ship trial-1", "<svg", "<caption>",
                             "Quality vs size", "by_label"})
    EXPECT_NE(dom->find(needle), std::string::npos) << needle;
}

TEST_F(ChromiumReport, PdfIsNotBlank) {
  const std::string pdf = dir_->path() + "/report.pdf";
  const Status s = PrintToPdf(html_, pdf);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::ifstream f(pdf, std::ios::binary);
  std::string head(5, '\0');
  f.read(head.data(), 5);
  EXPECT_EQ(head, "%PDF-");
  Expected<ProcessResult> r =
      RunProcess({"pdftoppm", "-r", "40", "-f", "1", "-l", "1", pdf, dir_->path() + "/page"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->Succeeded()) << r->FailureMessage();
  const double ink = InkFraction(dir_->path() + "/page-1.ppm");
  EXPECT_GT(ink, 0.01) << "first PDF page looks blank";
  EXPECT_LT(ink, 0.9) << "first PDF page looks solid";
}

TEST(Chromium, MissingHtmlIsNotFound) {
  EXPECT_EQ(PrintToPdf("/nonexistent/r.html", "/tmp/x.pdf").code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace shrink::report
