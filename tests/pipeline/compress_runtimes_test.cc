// The confirmation on the other target runtimes: the search gates on the first one only, so the
// chosen artifact is measured on the others paired with the baseline there, and a runtime that
// runs it slower is named in the summary and in best/model.json. W4A8 on the trained MNIST MLP:
// shrink runs it on int8 kernels (faster than fp32), ONNX Runtime dequantizes its int4 weights at
// every run (measured 14x slower than fp32 there).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/temp_dir.h"
#include "export/artifact_metadata.h"
#include "pipeline/compress.h"
#include "runtimes/onnxruntime.h"

namespace shrink::pipeline {
namespace {
namespace fs = std::filesystem;

TEST(CompressRuntimes, W4A8ArtifactSaysOnnxRuntimeRunsItSlower) {
  const fs::path root(SHRINK_SOURCE_DIR);
  const fs::path model = root / "zoo_cache" / "mnist_mlp.onnx";
  if (!fs::exists(model)) GTEST_SKIP() << model << " absent (run `shrink zoo fetch`)";
  if (auto ort = runtimes::OrtRunner::Find(); !ort.ok()) {
    if (std::getenv("SHRINK_ALLOW_NO_ORT")) GTEST_SKIP() << ort.status().ToString();
    FAIL() << ort.status().ToString();
  }
  Expected<TempDir> dir = TempDir::Create("compress-runtimes");
  ASSERT_TRUE(dir.ok());
  const std::string policy = dir->File("w4a8.yaml");
  // Every layer W4A8 (the only choice besides float, and the first: the default genome).
  std::ofstream(policy) << "version: 1\nname: t\ntarget_runtimes: [native, onnxruntime]\n"
                           "budget: {trials: 1}\nstages:\n"
                           "  - ptq: {method: minmax, per_channel: true}\n"
                           "  - search: {algorithm: grid, per_layer: true, "
                           "layer_choices: [w4a8, float]}\n";
  CompressOptions o;
  o.model_path = model.string();
  o.task_path = (root / "tasks" / "mnist.yaml").string();
  o.policy_path = policy;
  o.out_dir = dir->File("job");
  o.eval_limit = 300;
  o.pdf = false;
  o.progress = [](const std::string&) {};
  Expected<CompressSummary> s = RunCompression(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_TRUE(s->met_constraints) << s->explanation;
  ASSERT_EQ(s->warnings.size(), 1u);
  EXPECT_NE(s->warnings[0].find("onnxruntime runs the artifact slower than the baseline"),
            std::string::npos)
      << s->warnings[0];
  Expected<exporting::ArtifactMetadata> meta =
      exporting::LoadMetadata(dir->File("job/best/model.json"));
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  EXPECT_EQ(meta->warnings, s->warnings);
  ASSERT_EQ(meta->compatibility.size(), 2u);
  EXPECT_TRUE(meta->compatibility[0].warnings.empty());  // native, the gate
  EXPECT_EQ(meta->compatibility[1].warnings, s->warnings);
}

}  // namespace
}  // namespace shrink::pipeline
