#include "export/artifact_metadata.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/temp_dir.h"

namespace shrink::exporting {
namespace {

ArtifactMetadata Sample() {
  ArtifactMetadata m;
  m.runtime = "onnxruntime";
  m.opset = 17;
  m.compression.quantization = "int8_static_qdq_per_channel";
  m.compression.details = {{"method", "entropy"}};
  m.primary = {"top1", 0.912, 0.909, true};
  m.extra = {{"top5", 0.99, 0.99, true}};
  m.latency_ms_p50 = 1.5;
  m.latency_ms_p95 = 2.0;
  m.throughput_qps = 650;
  m.baseline_size_bytes = 4000;
  m.compression_ratio = 3.9;
  m.compatibility = {{"native", true, {}, {}}, {"onnxruntime", true, {}, {"slow op"}}};
  m.warnings = {"first conv kept in float"};
  m.lineage = {{"seeds", {{"search", 0}}}};
  return m;
}

TEST(ArtifactMetadata, RoundTripsThroughJsonFile) {
  Expected<TempDir> dir = TempDir::Create("meta");
  ASSERT_TRUE(dir.ok());
  const std::string model = dir->path() + "/model.int8.onnx";
  std::ofstream(model) << "abc";
  ArtifactMetadata m = Sample();
  ASSERT_TRUE(DescribeFile(model, m).ok());
  EXPECT_EQ(m.artifact_id, "art_ba7816bf8f01cfea");
  EXPECT_EQ(m.file, "model.int8.onnx");
  EXPECT_EQ(m.size_bytes, 3);
  ASSERT_TRUE(SaveMetadata(m, dir->path() + "/model.int8.json").ok());
  Expected<ArtifactMetadata> back = LoadMetadata(dir->path() + "/model.int8.json");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, m);
  // The layout users read: metrics.<primary>.{baseline, compressed}.
  const nlohmann::json j = m.ToJson();
  EXPECT_DOUBLE_EQ(j["metrics"]["top1"]["compressed"].get<double>(), 0.909);
  EXPECT_EQ(j["compatibility"][1]["warnings"][0], "slow op");
}

TEST(ArtifactMetadata, MalformedIsCorrupt) {
  Expected<TempDir> dir = TempDir::Create("meta");
  ASSERT_TRUE(dir.ok());
  const std::string path = dir->path() + "/m.json";
  nlohmann::json j = Sample().ToJson();
  j["metrics"].erase("latency_ms_p50");
  std::ofstream(path) << j.dump();
  Expected<ArtifactMetadata> m = LoadMetadata(path);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(m.status().message().find("latency_ms_p50"), std::string::npos);
  std::ofstream(path) << "{not json";
  EXPECT_EQ(LoadMetadata(path).status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(LoadMetadata(dir->path() + "/none.json").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace shrink::exporting
