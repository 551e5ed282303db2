#include <gtest/gtest.h>

#include <filesystem>

#include "data/dataset.h"
#include "fixtures.h"

namespace shrink::data {
namespace {

const std::string kSk = "/usr/lib/python3/dist-packages/sklearn/datasets/data/";

TEST(Csv, SklearnHeader) {
  TempDir dir = testing::MakeTempDir();
  testing::WriteFile(dir.File("t.csv"), "3,2,cat,dog\n1.5,2,0\n3,4.25,1\n-1,0,1\n");
  DatasetSpec s;
  s.format = "csv";
  s.csv.path = dir.File("t.csv");
  auto d = testing::OpenOrDie(s);
  EXPECT_EQ(d->size(), 3);
  EXPECT_EQ(d->info().input_shapes[0].second, (Shape{2}));
  EXPECT_EQ(d->info().class_names, (std::vector<std::string>{"cat", "dog"}));
  Batch b = testing::BatchOrDie(*d, 0, 3);
  EXPECT_EQ(b.Input("input")->shape(), (Shape{3, 2}));
  EXPECT_FLOAT_EQ(b.Input("input")->data<float>()[3], 4.25f);
  EXPECT_EQ(b.labels.data<int64_t>()[0], 0);
  EXPECT_EQ(b.labels.data<int64_t>()[2], 1);
  EXPECT_EQ(b.metadata[1].at("class"), "dog");
}

TEST(Csv, NamedHeaderLabelByNameAndStringClasses) {
  TempDir dir = testing::MakeTempDir();
  testing::WriteFile(dir.File("t.csv"), "kind,a,b\nz,1,2\ny,3,4\nz,5,6\n");
  DatasetSpec s;
  s.format = "csv";
  s.csv.path = dir.File("t.csv");
  s.csv.label_column = "kind";
  auto d = testing::OpenOrDie(s);
  EXPECT_EQ(d->info().class_names, (std::vector<std::string>{"y", "z"}));
  Batch b = testing::BatchOrDie(*d, 0, 3);
  EXPECT_FLOAT_EQ(b.Input("input")->data<float>()[2], 3.0f);
  EXPECT_EQ(b.labels.data<int64_t>()[0], 1);
  EXPECT_EQ(b.labels.data<int64_t>()[1], 0);
  // Regression target.
  s.csv.label_column = "b";
  s.csv.label_is_class = false;
  testing::WriteFile(dir.File("r.csv"), "a,b\n1,2.5\n3,4.5\n");
  s.csv.path = dir.File("r.csv");
  auto r = testing::OpenOrDie(s);
  Batch rb = testing::BatchOrDie(*r, 0, 2);
  EXPECT_EQ(rb.labels.dtype(), DataType::kFloat32);
  EXPECT_FLOAT_EQ(rb.labels.data<float>()[1], 4.5f);
}

TEST(Csv, BadRowsNameFileAndLine) {
  TempDir dir = testing::MakeTempDir();
  DatasetSpec s;
  s.format = "csv";
  s.csv.path = dir.File("bad.csv");
  testing::WriteFile(s.csv.path, "1,2,0\n3,x,1\n");
  Expected<std::unique_ptr<Dataset>> d = OpenDataset(s);
  EXPECT_EQ(d.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(d.status().message().find("bad.csv' line 2"), std::string::npos)
      << d.status().ToString();
  testing::WriteFile(s.csv.path, "1,2,0\n3,1\n");
  d = OpenDataset(s);
  EXPECT_NE(d.status().message().find("line 2"), std::string::npos) << d.status().ToString();
  testing::WriteFile(s.csv.path, "5,2,a,b\n1,2,0\n");  // header claims 5 samples
  s.csv.header = "sklearn";
  EXPECT_EQ(OpenDataset(s).status().code(), StatusCode::kCorrupt);
  testing::WriteFile(dir.File("bad.csv.gz"), "not gzip");
  s.csv.path = dir.File("bad.csv.gz");
  EXPECT_EQ(OpenDataset(s).status().code(), StatusCode::kCorrupt);
}

TEST(Csv, RealSklearnFiles) {
  if (!std::filesystem::exists(kSk + "breast_cancer.csv")) GTEST_SKIP() << "no python3-sklearn";
  struct Case {
    std::string file;
    int64_t rows, features, classes;
  };
  for (const Case& c : std::vector<Case>{{"breast_cancer.csv", 569, 30, 2},
                                         {"iris.csv", 150, 4, 3},
                                         {"wine_data.csv", 178, 13, 3},
                                         {"digits.csv.gz", 1797, 64, 10}}) {
    DatasetSpec s;
    s.format = "csv";
    s.csv.path = kSk + c.file;
    auto d = testing::OpenOrDie(s);
    EXPECT_EQ(d->size(), c.rows) << c.file;
    EXPECT_EQ(d->info().input_shapes[0].second, (Shape{c.features})) << c.file;
    EXPECT_EQ(d->info().num_classes, c.classes) << c.file;
    Batch b = testing::BatchOrDie(*d, 0, d->size());
    for (int64_t i = 0; i < b.size(); ++i) {
      ASSERT_GE(b.labels.data<int64_t>()[i], 0);
      ASSERT_LT(b.labels.data<int64_t>()[i], c.classes);
    }
  }
}

}  // namespace
}  // namespace shrink::data
