#include <gtest/gtest.h>

#include <filesystem>

#include "data/dataset.h"
#include "fixtures.h"

namespace shrink::data {
namespace {

TEST(Wav, SamplesTranscriptsAndPadding) {
  TempDir dir = testing::MakeTempDir();
  testing::WriteFile(dir.File("a.wav"), testing::WavBytes({100, -200, 300}));
  testing::WriteFile(dir.File("b.wav"), testing::WavBytes({-32768, 32767}));
  testing::WriteFile(dir.File("transcription"), "<s> hello world </s> (a)\n<s> yes </s> (b)\n");
  DatasetSpec s;
  s.format = "wav";
  s.wav.dir = dir.path();
  s.preprocess.scale = 1.0f / 32768;
  s.preprocess.pad_value = 9;
  auto d = testing::OpenOrDie(s);
  EXPECT_EQ(d->info().label_kind, LabelKind::kText);
  Batch b = testing::BatchOrDie(*d, 0, 2);
  const Tensor& x = *b.Input("input");
  ASSERT_EQ(x.shape(), (Shape{2, 3}));
  EXPECT_FLOAT_EQ(x.data<float>()[1], -200.0f / 32768);
  EXPECT_FLOAT_EQ(x.data<float>()[3], -1.0f);
  EXPECT_FLOAT_EQ(x.data<float>()[5], 9.0f);  // padding
  EXPECT_EQ(b.lengths, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(b.texts, (std::vector<std::string>{"hello world", "yes"}));
  EXPECT_EQ(b.metadata[0].at("words"), "2");
  s.preprocess.pad_to = 2;  // fixed length, longer clips are cut
  auto fixed = testing::OpenOrDie(s);
  Batch fb = testing::BatchOrDie(*fixed, 0, 2);
  EXPECT_EQ(fb.Input("input")->shape(), (Shape{2, 2}));
  EXPECT_EQ(fb.lengths, (std::vector<int64_t>{2, 2}));
}

TEST(Wav, WrongFormatAndDamage) {
  TempDir dir = testing::MakeTempDir();
  testing::WriteFile(dir.File("a.wav"), testing::WavBytes({1, 2}, 8000));
  DatasetSpec s;
  s.format = "wav";
  s.wav.dir = dir.path();
  Expected<std::unique_ptr<Dataset>> d = OpenDataset(s);
  EXPECT_EQ(d.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(d.status().message().find("8000"), std::string::npos);
  testing::WriteFile(dir.File("a.wav"), testing::WavBytes({1, 2}).substr(0, 30));
  EXPECT_EQ(OpenDataset(s).status().code(), StatusCode::kCorrupt);
  testing::WriteFile(dir.File("a.wav"), testing::WavBytes({1, 2}));
  testing::WriteFile(dir.File("transcription"), "no id here\n");
  d = OpenDataset(s);
  EXPECT_EQ(d.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(d.status().message().find("line 1"), std::string::npos);
}

TEST(Wav, RealPocketsphinxLibrivox) {
  const std::string dir = "/usr/share/pocketsphinx/test/data/librivox";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "pocketsphinx-testdata not installed";
  DatasetSpec s;
  s.format = "wav";
  s.wav.dir = dir;
  s.preprocess.scale = 1.0f / 32768;
  auto d = testing::OpenOrDie(s);
  ASSERT_EQ(d->size(), 5);
  Batch b = testing::BatchOrDie(*d, 0, 5);
  EXPECT_EQ(b.texts[1], "he was not an ill disposed young man");
  for (int64_t i = 0; i < 5; ++i) {
    EXPECT_GT(b.lengths[static_cast<size_t>(i)], 16000);  // each clip is longer than a second
    EXPECT_FALSE(b.texts[static_cast<size_t>(i)].empty());
  }
  float mx = 0;
  const Tensor& x = *b.Input("input");
  for (int64_t i = 0; i < x.numel(); ++i) mx = std::max(mx, std::abs(x.data<float>()[i]));
  EXPECT_GT(mx, 0.05f);
  EXPECT_LE(mx, 1.0f);
}

}  // namespace
}  // namespace shrink::data
