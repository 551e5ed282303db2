#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "data/dataset.h"
#include "fixtures.h"

namespace shrink::data {
namespace {

DatasetSpec Spec() {
  DatasetSpec s;
  s.format = "ocr_render";
  s.ocr.num_examples = 40;
  s.ocr.seed = 5;
  s.ocr.min_length = 2;
  s.ocr.max_length = 8;
  return s;
}

bool HaveFonts() {
  return std::filesystem::exists("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
}

TEST(OcrRender, DeterministicLinesWithGroundTruthAndCohorts) {
  if (!HaveFonts()) GTEST_SKIP() << "fonts-dejavu not installed";
  DatasetSpec s = Spec();
  auto a = testing::OpenOrDie(s);
  auto b = testing::OpenOrDie(s);
  EXPECT_EQ(a->info().input_shapes[0].second, (Shape{3, 48, -1}));
  Batch x = testing::BatchOrDie(*a, 0, 40);
  Batch y = testing::BatchOrDie(*b, 0, 40);
  EXPECT_TRUE(x.Input("input")->BitwiseEqual(*y.Input("input")));
  EXPECT_EQ(x.texts, y.texts);
  std::set<std::string> fonts, lengths;
  int64_t max_len = 0, min_len = 1 << 30;
  for (int64_t i = 0; i < 40; ++i) {
    const std::string& t = x.texts[static_cast<size_t>(i)];
    EXPECT_GE(t.size(), 2u);
    EXPECT_LE(t.size(), 8u);
    EXPECT_EQ(x.metadata[static_cast<size_t>(i)].at("length"), std::to_string(t.size()));
    fonts.insert(x.metadata[static_cast<size_t>(i)].at("font"));
    max_len = std::max(max_len, x.lengths[static_cast<size_t>(i)]);
    min_len = std::min(min_len, x.lengths[static_cast<size_t>(i)]);
  }
  EXPECT_EQ(fonts.size(), 3u);
  EXPECT_LT(min_len, max_len);  // widths follow the text
  const Tensor& img = *x.Input("input");
  EXPECT_EQ(img.dim(0), 40);
  EXPECT_EQ(img.dim(2), 48);
  EXPECT_EQ(img.dim(3), max_len);
  // Ink: some dark pixels inside each line, white margins.
  for (int64_t i = 0; i < 3; ++i) {
    const float* p = img.data<float>() + i * img.numel() / 40;
    float mn = 255;
    for (int64_t k = 0; k < 48 * max_len; ++k) mn = std::min(mn, p[k]);
    EXPECT_LT(mn, 100.0f);
    EXPECT_FLOAT_EQ(p[0], 255.0f);
  }
  // Another seed gives other texts.
  s.ocr.seed = 6;
  auto c = testing::OpenOrDie(s);
  EXPECT_NE(testing::BatchOrDie(*c, 0, 40).texts, x.texts);
  EXPECT_EQ(a->info().vocabulary.size(), 37u);  // blank + 36 characters
}

TEST(OcrRender, FixedWidthPaddingAndGray) {
  if (!HaveFonts()) GTEST_SKIP() << "fonts-dejavu not installed";
  DatasetSpec s = Spec();
  s.ocr.channels = 1;
  s.preprocess.pad_to = 320;
  s.preprocess.scale = 1.0f / 255;
  s.preprocess.pad_value = 1.0f;
  auto d = testing::OpenOrDie(s);
  EXPECT_EQ(d->info().input_shapes[0].second, (Shape{1, 48, 320}));
  Batch b = testing::BatchOrDie(*d, 0, 4);
  EXPECT_EQ(b.Input("input")->shape(), (Shape{4, 1, 48, 320}));
  for (int64_t l : b.lengths) EXPECT_LE(l, 320);
  s.ocr.fonts = {"/nonexistent/font.ttf"};
  EXPECT_EQ(OpenDataset(s).status().code(), StatusCode::kNotFound);
  s.ocr.fonts.clear();
  s.ocr.min_length = 0;
  EXPECT_EQ(OpenDataset(s).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shrink::data
