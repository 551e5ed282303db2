#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "data/dataset.h"
#include "fixtures.h"

namespace shrink::data {
namespace {

using testing::BatchOrDie;
using testing::IdxBytes;
using testing::MakeTempDir;
using testing::OpenOrDie;

// Three 2x3 images whose pixel k of image i is 10*i + k; labels 2, 0, 1.
struct IdxFixture {
  TempDir dir = MakeTempDir();
  DatasetSpec spec;
  IdxFixture() {
    std::vector<uint8_t> px;
    for (int i = 0; i < 3; ++i)
      for (int k = 0; k < 6; ++k) px.push_back(static_cast<uint8_t>(10 * i + k));
    testing::WriteGz(dir.File("img.gz"), IdxBytes({3, 2, 3}, px));
    testing::WriteFile(dir.File("lab"), IdxBytes({3}, {2, 0, 1}));
    spec.format = "idx";
    spec.idx.images = dir.File("img.gz");
    spec.idx.labels = dir.File("lab");
  }
};

TEST(Idx, ReadsGzImagesAndPlainLabels) {
  IdxFixture f;
  f.spec.preprocess.scale = 0.5f;
  auto d = OpenOrDie(f.spec);
  EXPECT_EQ(d->size(), 3);
  EXPECT_EQ(d->info().num_classes, 3);
  EXPECT_EQ(d->info().input_shapes[0].second, (Shape{1, 2, 3}));
  Batch b = BatchOrDie(*d, 1, 5);  // clamped to 2 examples
  ASSERT_EQ(b.size(), 2);
  const Tensor* x = b.Input("input");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->shape(), (Shape{2, 1, 2, 3}));
  EXPECT_FLOAT_EQ(x->data<float>()[0], 5.0f);       // image 1 pixel 0 = 10 * 0.5
  EXPECT_FLOAT_EQ(x->data<float>()[6 + 5], 12.5f);  // image 2 pixel 5 = 25 * 0.5
  EXPECT_EQ(b.labels.dtype(), DataType::kInt64);
  EXPECT_EQ(b.labels.data<int64_t>()[0], 0);
  EXPECT_EQ(b.labels.data<int64_t>()[1], 1);
  EXPECT_EQ(b.metadata[0].at("class"), "0");
}

TEST(Idx, InputNameAndFlatten) {
  IdxFixture f;
  f.spec.input_name = "x";
  f.spec.preprocess.flatten = true;
  auto d = OpenOrDie(f.spec);
  Batch b = BatchOrDie(*d, 0, 3);
  ASSERT_NE(b.Input("x"), nullptr);
  EXPECT_EQ(b.Input("x")->shape(), (Shape{3, 6}));
  EXPECT_EQ(d->info().input_shapes[0], (std::pair<std::string, Shape>{"x", {6}}));
}

TEST(Idx, DamagedFilesAreReported) {
  IdxFixture f;
  // Truncated gzip stream.
  std::string gz;
  {
    std::ifstream in(f.dir.File("img.gz"), std::ios::binary);
    gz.assign(std::istreambuf_iterator<char>(in), {});
  }
  testing::WriteFile(f.dir.File("trunc.gz"), gz.substr(0, gz.size() / 2));
  DatasetSpec s = f.spec;
  s.idx.images = f.dir.File("trunc.gz");
  Expected<std::unique_ptr<Dataset>> d = OpenDataset(s);
  EXPECT_EQ(d.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(d.status().message().find("trunc.gz"), std::string::npos) << d.status().ToString();
  // Wrong magic.
  testing::WriteFile(f.dir.File("bad"), "\x01\x02\x03\x04");
  s.idx.images = f.dir.File("bad");
  EXPECT_EQ(OpenDataset(s).status().code(), StatusCode::kCorrupt);
  // Fewer bytes than the header promises.
  testing::WriteFile(f.dir.File("short"), IdxBytes({3, 2, 3}, {1, 2, 3}));
  s.idx.images = f.dir.File("short");
  EXPECT_EQ(OpenDataset(s).status().code(), StatusCode::kCorrupt);
  // Label count mismatch.
  testing::WriteFile(f.dir.File("lab2"), IdxBytes({2}, {0, 1}));
  s = f.spec;
  s.idx.labels = f.dir.File("lab2");
  EXPECT_EQ(OpenDataset(s).status().code(), StatusCode::kCorrupt);
  // Missing file.
  s.idx.labels = f.dir.File("nope");
  Expected<std::unique_ptr<Dataset>> missing = OpenDataset(s);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("nope"), std::string::npos);
}

TEST(Idx, RealFashionMnist) {
  const std::string dir = "/usr/share/datasets/fashion-mnist/";
  if (!std::filesystem::exists(dir + "t10k-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "dataset-fashion-mnist not installed";
  DatasetSpec s;
  s.format = "idx";
  for (const auto& [prefix, count] :
       std::vector<std::pair<std::string, int64_t>>{{"train", 60000}, {"t10k", 10000}}) {
    s.idx.images = dir + prefix + "-images-idx3-ubyte.gz";
    s.idx.labels = dir + prefix + "-labels-idx1-ubyte.gz";
    auto d = OpenOrDie(s);
    EXPECT_EQ(d->size(), count);
    EXPECT_EQ(d->info().num_classes, 10);
    EXPECT_EQ(d->info().input_shapes[0].second, (Shape{1, 28, 28}));
    Batch b = BatchOrDie(*d, count - 256, 256);
    ASSERT_EQ(b.labels.numel(), 256);
    std::vector<int> seen(10, 0);
    for (int64_t i = 0; i < 256; ++i) {
      const int64_t l = b.labels.data<int64_t>()[i];
      ASSERT_GE(l, 0);
      ASSERT_LT(l, 10);
      seen[static_cast<size_t>(l)] = 1;
    }
    EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), 10);  // every class appears
    const Tensor& x = *b.Input("input");
    float mx = 0;
    for (int64_t i = 0; i < x.numel(); ++i) mx = std::max(mx, x.data<float>()[i]);
    EXPECT_GT(mx, 200.0f);
    EXPECT_LE(mx, 255.0f);
  }
}

}  // namespace
}  // namespace shrink::data
