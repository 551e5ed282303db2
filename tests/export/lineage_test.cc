#include "export/lineage.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/temp_dir.h"
#include "core/version.h"

namespace shrink::exporting {
namespace {

void Write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST(Lineage, RecordsProcessAndMachine) {
  Lineage l = Lineage::ForThisProcess();
  EXPECT_EQ(l.shrink_version, Version());
  EXPECT_FALSE(l.git_revision.empty());
  EXPECT_GT(l.machine.logical_cpus, 0);
  EXPECT_GT(l.machine.memory_bytes, 0);
  EXPECT_EQ(l.started_at.size(), 20u);  // 2026-11-27T09:00:00Z
  const nlohmann::json j = l.ToJson();
  EXPECT_EQ(j["machine"]["logical_cpus"], l.machine.logical_cpus);
  EXPECT_EQ(j["reproducibility_key"].get<std::string>().size(), 64u);
}

TEST(Lineage, HashesFilesAndFoldersAndKeysOnContent) {
  Expected<TempDir> dir = TempDir::Create("lineage");
  ASSERT_TRUE(dir.ok());
  const std::string d = dir->path();
  Write(d + "/model.onnx", "abc");
  std::filesystem::create_directories(d + "/images/cat");
  Write(d + "/images/cat/1.png", "x");
  Lineage a;
  ASSERT_TRUE(a.AddInput("model", d + "/model.onnx").ok());
  ASSERT_TRUE(a.AddInput("dataset:evaluation", d + "/images").ok());
  // SHA-256("abc"), the standard test vector.
  EXPECT_EQ(a.inputs[0].sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(a.inputs[0].bytes, 3);
  EXPECT_EQ(a.inputs[1].bytes, 1);
  a.seeds["search"] = 0;

  Lineage same = a;
  same.machine.cpu_model = "another machine";  // not part of the key
  same.stages.push_back({"ptq", 3.0});
  EXPECT_EQ(a.ReproducibilityKey(), same.ReproducibilityKey());

  Lineage other_seed = a;
  other_seed.seeds["search"] = 1;
  EXPECT_NE(a.ReproducibilityKey(), other_seed.ReproducibilityKey());

  Write(d + "/images/cat/1.png", "y");  // an edited dataset file changes the folder hash
  Lineage edited;
  ASSERT_TRUE(edited.AddInput("model", d + "/model.onnx").ok());
  ASSERT_TRUE(edited.AddInput("dataset:evaluation", d + "/images").ok());
  EXPECT_NE(edited.inputs[1].sha256, a.inputs[1].sha256);
}

TEST(Lineage, MissingInputNamesRole) {
  Lineage l;
  const Status s = l.AddInput("policy", "/nonexistent/p.yaml");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("policy"), std::string::npos);
}

TEST(MachineInfo, SummaryMentionsCpusAndMemory) {
  const MachineInfo m = ReadMachineInfo();
  const std::string s = m.Summary();
  EXPECT_NE(s.find(std::to_string(m.logical_cpus) + " CPUs"), std::string::npos) << s;
  EXPECT_NE(s.find("GiB"), std::string::npos);
}

}  // namespace
}  // namespace shrink::exporting
