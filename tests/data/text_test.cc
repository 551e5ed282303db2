#include <gtest/gtest.h>

#include <filesystem>

#include "data/dataset.h"
#include "fixtures.h"

namespace shrink::data {
namespace {

TEST(Text, FortuneRecordsVocabularyAndNextTokenTargets) {
  TempDir dir = testing::MakeTempDir();
  testing::WriteFile(dir.File("f"), "abc\n%\nba\n%\n");
  DatasetSpec s;
  s.format = "text";
  s.text.paths = {dir.File("f")};
  s.text.seq_len = 3;
  auto d = testing::OpenOrDie(s);
  // Corpus "abc\nba\n" (7 chars) -> (7 - 1) / 3 = 2 windows.
  EXPECT_EQ(d->size(), 2);
  EXPECT_EQ(d->info().vocabulary, (std::vector<std::string>{"<unk>", "\n", "a", "b", "c"}));
  Batch b = testing::BatchOrDie(*d, 0, 2);
  const Tensor& x = *b.Input("input");
  ASSERT_EQ(x.shape(), (Shape{2, 3}));
  EXPECT_EQ(std::vector<int64_t>(x.data<int64_t>(), x.data<int64_t>() + 6),
            (std::vector<int64_t>{2, 3, 4, 1, 3, 2}));  // "abc", "\nba"
  ASSERT_EQ(b.labels.shape(), (Shape{2, 3}));
  EXPECT_EQ(std::vector<int64_t>(b.labels.data<int64_t>(), b.labels.data<int64_t>() + 6),
            (std::vector<int64_t>{3, 4, 1, 3, 2, 1}));  // shifted by one
  EXPECT_EQ(b.texts[1], "\nba");
  // A fixed charset maps other bytes to <unk> (0).
  s.text.charset = "ab";
  auto c = testing::OpenOrDie(s);
  Batch cb = testing::BatchOrDie(*c, 0, 1);
  EXPECT_EQ(cb.Input("input")->data<int64_t>()[2], 0);
  s.text.seq_len = 100;
  EXPECT_EQ(OpenDataset(s).status().code(), StatusCode::kInvalidArgument);
}

TEST(Text, RealFortunes) {
  const std::string dir = "/usr/share/games/fortunes";
  if (!std::filesystem::exists(dir + "/cookie")) GTEST_SKIP() << "fortunes not installed";
  DatasetSpec s;
  s.format = "text";
  s.text.paths = {dir};
  s.text.seq_len = 64;
  s.split.name = "train";
  auto d = testing::OpenOrDie(s);
  EXPECT_GT(d->size(), 1000);
  const int64_t vocab = static_cast<int64_t>(d->info().vocabulary.size());
  EXPECT_GT(vocab, 60);  // letters, digits, punctuation
  Batch b = testing::BatchOrDie(*d, 0, 8);
  for (int64_t i = 0; i < b.labels.numel(); ++i) {
    ASSERT_GE(b.labels.data<int64_t>()[i], 1);  // every byte is in the corpus vocabulary
    ASSERT_LT(b.labels.data<int64_t>()[i], vocab);
  }
}

}  // namespace
}  // namespace shrink::data
