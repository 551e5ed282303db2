#include "core/npy.h"

#include <gtest/gtest.h>

#include "data/dataset.h"
#include "fixtures.h"

namespace shrink::data {
namespace {

TEST(Npy, InputsAndLabels) {
  TempDir dir = testing::MakeTempDir();
  ASSERT_TRUE(
      WriteNpy(dir.File("x.npy"), Tensor::FromVector<double>({3, 2}, {0, 1, 2, 3, 4, 5})).ok());
  ASSERT_TRUE(WriteNpy(dir.File("y.npy"), Tensor::FromVector<int32_t>({3}, {1, 0, 4})).ok());
  DatasetSpec s;
  s.format = "npy";
  s.npy.inputs = dir.File("x.npy");
  s.npy.labels = dir.File("y.npy");
  auto d = testing::OpenOrDie(s);
  EXPECT_EQ(d->info().num_classes, 5);
  Batch b = testing::BatchOrDie(*d, 1, 2);
  EXPECT_EQ(b.Input("input")->dtype(), DataType::kFloat32);
  EXPECT_EQ(b.Input("input")->shape(), (Shape{2, 2}));
  EXPECT_FLOAT_EQ(b.Input("input")->data<float>()[3], 5.0f);
  EXPECT_EQ(b.labels.data<int64_t>()[1], 4);
  // Row-count mismatch between inputs and labels.
  ASSERT_TRUE(WriteNpy(dir.File("y2.npy"), Tensor::FromVector<int32_t>({2}, {1, 0})).ok());
  s.npy.labels = dir.File("y2.npy");
  EXPECT_EQ(OpenDataset(s).status().code(), StatusCode::kCorrupt);
  Expected<std::string> bytes = SerializeNpy(Tensor::FromVector<float>({4}, {1, 2, 3, 4}));
  ASSERT_TRUE(bytes.ok());
  testing::WriteFile(dir.File("junk.npy"), bytes->substr(0, bytes->size() - 3));  // truncated
  s.npy.inputs = dir.File("junk.npy");
  s.npy.labels.clear();
  EXPECT_EQ(OpenDataset(s).status().code(), StatusCode::kCorrupt);
}

TEST(Npz, SeveralInputsAndLabelKey) {
  TempDir dir = testing::MakeTempDir();
  NamedTensors arrays = {{"a", Tensor::FromVector<float>({2, 1}, {7, 8})},
                         {"ids", Tensor::FromVector<int64_t>({2, 2}, {1, 2, 3, 4})},
                         {"label", Tensor::FromVector<int64_t>({2}, {1, 1})}};
  ASSERT_TRUE(WriteNpz(dir.File("d.npz"), arrays, {.compress = true}).ok());
  DatasetSpec s;
  s.format = "npz";
  s.npz.path = dir.File("d.npz");
  s.npz.labels_key = "label";
  auto d = testing::OpenOrDie(s);
  Batch b = testing::BatchOrDie(*d, 0, 2);
  ASSERT_EQ(b.inputs.size(), 2u);
  EXPECT_EQ(b.inputs[0].first, "a");
  EXPECT_FLOAT_EQ(b.Input("a")->data<float>()[1], 8.0f);
  EXPECT_EQ(b.Input("ids")->dtype(), DataType::kInt64);
  EXPECT_EQ(b.Input("ids")->data<int64_t>()[3], 4);
  EXPECT_EQ(b.labels.data<int64_t>()[0], 1);
  s.npz.labels_key = "missing";
  EXPECT_EQ(OpenDataset(s).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace shrink::data
