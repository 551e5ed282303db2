// Split, limit, shuffle and epoch behaviour of Dataset (on an in-test CSV source).
#include "data/dataset.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "fixtures.h"

namespace shrink::data {
namespace {

struct Table {
  TempDir dir = testing::MakeTempDir();
  DatasetSpec spec;
  explicit Table(int rows) {
    std::string csv;
    for (int i = 0; i < rows; ++i) csv += std::to_string(i) + "," + std::to_string(i % 3) + "\n";
    testing::WriteFile(dir.File("t.csv"), csv);
    spec.format = "csv";
    spec.csv.path = dir.File("t.csv");
  }
};

std::vector<int64_t> Features(const Batch& b) {
  std::vector<int64_t> v;
  for (int64_t i = 0; i < b.size(); ++i)
    v.push_back(static_cast<int64_t>(b.Input("input")->data<float>()[i]));
  return v;
}

TEST(Dataset, SplitsAreDisjointAndDeterministic) {
  Table t(50);
  t.spec.split.seed = 3;
  std::vector<int64_t> all;
  for (const char* name : {"train", "calibration", "eval"}) {
    t.spec.split.name = name;
    auto d = testing::OpenOrDie(t.spec);
    auto again = testing::OpenOrDie(t.spec);
    EXPECT_EQ(d->order(), again->order());
    Batch b = testing::BatchOrDie(*d, 0, d->size());
    EXPECT_EQ(Features(b), d->order());  // row i holds the value i
    all.insert(all.end(), d->order().begin(), d->order().end());
  }
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), 50u);
  for (int64_t i = 0; i < 50; ++i) EXPECT_EQ(all[static_cast<size_t>(i)], i);
}

TEST(Dataset, LimitShuffleAndEpochs) {
  Table t(10);
  t.spec.limit = 7;
  auto d = testing::OpenOrDie(t.spec);
  EXPECT_EQ(d->size(), 7);
  std::vector<int64_t> seen;
  for (;;) {
    Expected<Batch> b = d->NextBatch(3);
    ASSERT_TRUE(b.ok());
    if (b->size() == 0) break;
    EXPECT_LE(b->size(), 3);
    for (int64_t v : Features(*b)) seen.push_back(v);
  }
  EXPECT_EQ(seen, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6}));
  d->Shuffle(9);
  const std::vector<int64_t> order = d->order();
  EXPECT_NE(order, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6}));
  EXPECT_TRUE(std::is_permutation(order.begin(), order.end(), seen.begin()));
  Batch first = d->NextBatch(7).value();
  EXPECT_EQ(Features(first), order);
  d->Shuffle(9);
  EXPECT_EQ(d->order(), order);
  d->Unshuffle();
  EXPECT_EQ(d->order(), seen);
  EXPECT_EQ(d->NextBatch(0).status().code(), StatusCode::kInvalidArgument);
}

TEST(Dataset, UnknownFormatAndBadOptions) {
  DatasetSpec s;
  s.format = "parquet";
  Expected<std::unique_ptr<Dataset>> d = OpenDataset(s);
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(d.status().message().find("idx"), std::string::npos);  // lists known formats
  EXPECT_EQ(DatasetFormats().size(), 9u);
  Table t(5);
  t.spec.preprocess.std = {-1.0f};
  EXPECT_EQ(OpenDataset(t.spec).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shrink::data
