#include <gtest/gtest.h>

#include <filesystem>

#include "data/dataset.h"
#include "data/image_decode.h"
#include "fixtures.h"

namespace shrink::data {
namespace {

TEST(ImageFolder, ClassesFromFoldersAndPixels) {
  TempDir dir = testing::MakeTempDir();
  std::filesystem::create_directories(dir.File("cat"));
  std::filesystem::create_directories(dir.File("ant"));
  // 2x2 RGB: pixel p channel c = 10*p + c (+100 for the cat image).
  for (const auto& [cls, base] :
       std::vector<std::pair<std::string, int>>{{"ant", 0}, {"cat", 100}}) {
    std::vector<uint8_t> px;
    for (int p = 0; p < 4; ++p)
      for (int c = 0; c < 3; ++c) px.push_back(static_cast<uint8_t>(base + 10 * p + c));
    detail::WritePng(dir.File(cls + "/img.png"), px, 2, 2, 3);
  }
  DatasetSpec s;
  s.format = "image_folder";
  s.image_folder.root = dir.path();
  auto d = testing::OpenOrDie(s);
  EXPECT_EQ(d->info().class_names, (std::vector<std::string>{"ant", "cat"}));
  EXPECT_EQ(d->info().input_shapes[0].second, (Shape{3, 2, 2}));
  Batch b = testing::BatchOrDie(*d, 0, 2);
  const Tensor& x = *b.Input("input");
  ASSERT_EQ(x.shape(), (Shape{2, 3, 2, 2}));
  // Example 1 (cat), channel 2, pixel 3 = 100 + 30 + 2.
  EXPECT_FLOAT_EQ(x.data<float>()[12 + 2 * 4 + 3], 132.0f);
  EXPECT_FLOAT_EQ(x.data<float>()[1 * 4 + 0], 1.0f);  // ant, channel 1, pixel 0
  EXPECT_EQ(b.labels.data<int64_t>()[1], 1);
  EXPECT_EQ(b.metadata[1].at("class"), "cat");
  // Gray conversion and resize apply to the same files.
  s.image_folder.channels = 1;
  s.preprocess.resize_h = 4;
  s.preprocess.resize_w = 4;
  auto g = testing::OpenOrDie(s);
  EXPECT_EQ(testing::BatchOrDie(*g, 0, 2).Input("input")->shape(), (Shape{2, 1, 4, 4}));
}

TEST(ImageFolder, CorruptPngIsReportedWithItsName) {
  TempDir dir = testing::MakeTempDir();
  std::filesystem::create_directories(dir.File("a"));
  detail::WritePng(dir.File("a/good.png"), std::vector<uint8_t>(4, 7), 2, 2, 1);
  testing::WriteFile(dir.File("a/zbroken.png"), "\x89PNG\r\n\x1a\n garbage");
  DatasetSpec s;
  s.format = "image_folder";
  s.image_folder.root = dir.path();
  auto d = testing::OpenOrDie(s);
  ASSERT_EQ(d->size(), 2);
  Expected<Batch> b = d->GetBatch(0, 2);
  EXPECT_EQ(b.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(b.status().message().find("zbroken.png"), std::string::npos) << b.status().ToString();
  s.image_folder.root = dir.File("missing");
  EXPECT_EQ(OpenDataset(s).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace shrink::data
