// UpgradeOpset on real zoo models: the PaddleOCR models (opset 9 / 11) upgraded to 13 and 21, and
// small opset 13-17 models upgraded to 21, give the same outputs as the originals on the
// reference executor, and the upgraded files load and agree in ONNX Runtime.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "core/temp_dir.h"
#include "ir/verifier.h"
#include "onnx/export.h"
#include "onnx/import.h"
#include "pass_test_util.h"
#include "passes/upgrade_opset.h"
#include "runtime/random_inputs.h"
#include "runtime_util/op_test_util.h"
#include "runtimes/agreement.h"
#include "runtimes/onnxruntime.h"

namespace shrink::passes {
namespace {

std::string ZooPath(const std::string& name) {
  return std::string(SHRINK_SOURCE_DIR) + "/zoo_cache/" + name + ".onnx";
}

// Upgrades `name` to `opset`, compares reference outputs with the original's (max |diff| <= tol)
// and runs the saved upgraded model in ONNX Runtime. Returns the upgraded model.
ir::Model CheckUpgrade(const std::string& name, int64_t opset, const runtime::DimValues& dims,
                       double tol = 1e-5) {
  const std::string path = ZooPath(name);
  if (!std::filesystem::exists(path)) {
    ADD_FAILURE() << path << " absent (run `shrink zoo fetch`)";
    return {};
  }
  auto loaded = onnx_io::LoadModel(path);
  EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
  if (!loaded.ok()) return {};
  ir::Model model = std::move(loaded).value();
  auto feeds = runtime::MakeRandomFeeds(*model.graph, 11, dims);
  EXPECT_TRUE(feeds.ok()) << feeds.status().ToString();
  if (!feeds.ok()) return {};
  const std::vector<Tensor> want = testing::RunModel(model, *feeds);

  const Status s = UpgradeOpset(model, opset);
  EXPECT_TRUE(s.ok()) << name << ": " << s.ToString();
  EXPECT_EQ(model.OpsetFor(""), opset);
  const Status v = ir::Verify(model);
  EXPECT_TRUE(v.ok()) << v.ToString();
  const std::vector<Tensor> got = testing::RunModel(model, *feeds);
  EXPECT_FALSE(want.empty());
  EXPECT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size() && i < got.size(); ++i) {
    EXPECT_EQ(want[i].shape(), got[i].shape()) << name << " output " << i;
    EXPECT_LE(shrink::testing::MaxAbsDiff(want[i], got[i]), tol) << name << " output " << i;
  }

  auto runner = runtimes::OrtRunner::Find();
  if (!runner.ok()) {
    if (std::getenv("SHRINK_ALLOW_NO_ORT") == nullptr) ADD_FAILURE() << runner.status().ToString();
    return model;
  }
  auto dir = TempDir::Create("upgrade-opset-");
  EXPECT_TRUE(dir.ok());
  if (!dir.ok()) return model;
  const std::string file = dir->File(name + "_" + std::to_string(opset) + ".onnx");
  const Status saved = onnx_io::SaveModel(model, file);
  EXPECT_TRUE(saved.ok()) << saved.ToString();
  auto ort = runner->Run(file, *feeds);
  EXPECT_TRUE(ort.ok()) << name << " in ORT: " << ort.status().ToString();
  if (!ort.ok()) return model;
  EXPECT_EQ(ort->size(), want.size());
  for (size_t i = 0; i < want.size() && i < ort->size(); ++i) {
    const runtimes::OutputAgreement a =
        runtimes::CompareOutputs((*ort)[i].first, want[i], (*ort)[i].second);
    EXPECT_TRUE(a.ok) << name << " output " << i << ": " << a.detail;
  }
  return model;
}

int Count(const ir::Model& m, const std::string& op) { return testing::CountOps(*m.graph, op); }

const runtime::DimValues kRecDims = {{"p2o.DynamicDimension.0", 1},
                                     {"p2o.DynamicDimension.1", 160}};

TEST(UpgradeOpsetZoo, PaddleOcrRecognizer) {
  for (int64_t opset : {13, 21}) {
    ir::Model m = CheckUpgrade("ppocr_v4_rec", opset, kRecDims);
    // Every Softmax of the recognizer works on the last axis: no 2-D coercion nodes.
    EXPECT_EQ(Count(m, "Flatten"), 0) << opset;
  }
}

TEST(UpgradeOpsetZoo, PaddleOcrDetector) {
  for (int64_t opset : {13, 21})
    CheckUpgrade("ppocr_v4_det", opset,
                 {{"p2o.DynamicDimension.0", 1},
                  {"p2o.DynamicDimension.1", 96},
                  {"p2o.DynamicDimension.2", 64}});
}

TEST(UpgradeOpsetZoo, PaddleOcrClassifier) {
  for (int64_t opset : {13, 21})
    CheckUpgrade("ppocr_mobile_v2_cls", opset,
                 {{"p2o.DynamicDimension.0", 2},
                  {"p2o.DynamicDimension.1", 48},
                  {"p2o.DynamicDimension.2", 192}});
}

TEST(UpgradeOpsetZoo, ReduceAxesAndSplit) {
  // oww_melspectrogram: opset 13 with ReduceMax; char_transformer: opset 17 with Split.
  CheckUpgrade("oww_melspectrogram", 21, {{"batch_size", 1}, {"samples", 1600}});
  CheckUpgrade("char_transformer", 21, {{"N", 2}, {"S", 16}});
}

}  // namespace
}  // namespace shrink::passes
