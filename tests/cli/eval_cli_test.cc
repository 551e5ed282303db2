// `shrink eval`: text and JSON results for a one-Gemm model on a tiny .npy task, and one-line
// errors with non-zero exits for a missing --task, a missing task file and a bad output name.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/npy.h"
#include "core/subprocess.h"
#include "core/temp_dir.h"
#include "ir/builder.h"
#include "onnx/export.h"

namespace shrink {
namespace {

// logits = x + [0, 1.5] (Gemm with the identity): predicted class per row and label
//   [2,1] l0 miss, [0,3] l1 hit, [5,1] l1 miss, [1,4] l0 miss, [2,3] l0 miss, [1,2] l1 hit
// -> top1 2/6; class 0: 0/3, class 1: 2/3.
class EvalCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = TempDir::Create("shrink_eval_cli_");
    ASSERT_TRUE(t.ok());
    dir_ = std::make_unique<TempDir>(std::move(t).value());
    ASSERT_TRUE(WriteNpy(dir_->File("x.npy"),
                         Tensor::FromVector<float>({6, 2}, {2, 1, 0, 3, 5, 1, 1, 4, 2, 3, 1, 2}))
                    .ok());
    ASSERT_TRUE(
        WriteNpy(dir_->File("y.npy"), Tensor::FromVector<int64_t>({6}, {0, 1, 1, 0, 0, 1})).ok());
    WriteTask("task.yaml", "logits");
    ir::Model m = ir::MakeModel(17);
    ir::GraphBuilder b(*m.graph);
    ir::Value* x = b.Input("features", DataType::kFloat32,
                           std::vector<ir::Dim>{ir::Dim::Symbol("N"), ir::Dim::Known(2)});
    ir::Value* w = b.Const("w", Tensor::FromVector<float>({2, 2}, {1, 0, 0, 1}));
    ir::Value* bias = b.Const("b", Tensor::FromVector<float>({2}, {0, 1.5f}));
    b.Output(b.Op("Gemm", {x, w, bias}), "logits");
    ASSERT_TRUE(onnx_io::SaveModel(m, dir_->File("m.onnx")).ok());
  }

  void WriteTask(const std::string& name, const std::string& output) {
    std::ofstream(dir_->File(name)) << "version: 1\nname: tiny\nbatch_size: 4\n"
                                    << "datasets:\n"
                                    << "  common: {format: npy, inputs: x.npy, labels: y.npy, "
                                       "split: all}\n"
                                    << "  calibration: {}\n  evaluation: {}\n"
                                    << "output: {mapping: argmax, name: " << output << "}\n"
                                    << "metric: top1\nextra_metrics: [f1]\n"
                                    << "cohorts: [{by: label}]\n";
  }

  ProcessResult Shrink(std::vector<std::string> args) {
    args.insert(args.begin(), {SHRINK_BIN, "eval"});
    ProcessOptions o;
    o.timeout_seconds = 120;
    auto r = RunProcess(args, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ProcessResult{};
  }

  std::unique_ptr<TempDir> dir_;
};

TEST_F(EvalCliTest, JsonAndText) {
  ProcessResult r = Shrink({dir_->File("m.onnx"), "--task", dir_->File("task.yaml"), "--json",
                            "--bootstrap", "100", "--runtime", "reference"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  const auto j = nlohmann::json::parse(r.stdout_data);
  EXPECT_EQ(j["runtime"], "reference");
  EXPECT_EQ(j["examples"], 6);
  EXPECT_NEAR(j["primary"]["value"].get<double>(), 2.0 / 6, 1e-12);
  EXPECT_LE(j["primary"]["ci_low"].get<double>(), 2.0 / 6);
  EXPECT_GE(j["primary"]["ci_high"].get<double>(), 2.0 / 6);
  EXPECT_EQ(j["extra"][0]["name"], "f1");
  EXPECT_EQ(j["cohorts"][1]["key"], "1");
  EXPECT_NEAR(j["cohorts"][1]["value"].get<double>(), 2.0 / 3, 1e-12);

  ProcessResult text =
      Shrink({dir_->File("m.onnx"), "--task", dir_->File("task.yaml"), "--limit", "2"});
  ASSERT_EQ(text.exit_code, 0) << text.stderr_data;
  // First two examples: [2,1] l0 miss, [0,3] l1 hit -> 0.5000.
  EXPECT_NE(text.stdout_data.find("top1"), std::string::npos) << text.stdout_data;
  EXPECT_NE(text.stdout_data.find("0.5000"), std::string::npos) << text.stdout_data;
  EXPECT_NE(text.stdout_data.find("cohort by_label"), std::string::npos) << text.stdout_data;
}

TEST_F(EvalCliTest, Robustness) {
  ProcessResult r = Shrink({dir_->File("m.onnx"), "--task", dir_->File("task.yaml"), "--json",
                            "--robustness", "--perturb", "noise=0,noise=2"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  const auto j = nlohmann::json::parse(r.stdout_data)["robustness"];
  EXPECT_EQ(j["metric"], "top1");
  EXPECT_NEAR(j["clean"].get<double>(), 2.0 / 6, 1e-12);
  ASSERT_EQ(j["checks"].size(), 2u);
  EXPECT_EQ(j["checks"][0]["value"], j["clean"]);  // noise 0 = the clean run
  EXPECT_EQ(j["checks"][1]["name"], "noise=2");
  EXPECT_EQ(j["clean_health"]["values"], 12);

  ProcessResult text =
      Shrink({dir_->File("m.onnx"), "--task", dir_->File("task.yaml"), "--robustness"});
  ASSERT_EQ(text.exit_code, 0) << text.stderr_data;
  EXPECT_NE(text.stdout_data.find("contrast=0.5"), std::string::npos) << text.stdout_data;

  ProcessResult bad = Shrink({dir_->File("m.onnx"), "--task", dir_->File("task.yaml"),
                              "--robustness", "--perturb", "blur=1"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.stderr_data.find("unknown perturbation 'blur'"), std::string::npos)
      << bad.stderr_data;
}

TEST_F(EvalCliTest, BadInputExitsNonZeroWithAClearMessage) {
  ProcessResult no_task = Shrink({dir_->File("m.onnx")});
  EXPECT_NE(no_task.exit_code, 0);
  EXPECT_NE(no_task.stderr_data.find("--task"), std::string::npos) << no_task.stderr_data;

  ProcessResult absent = Shrink({dir_->File("m.onnx"), "--task", dir_->File("nope.yaml")});
  EXPECT_EQ(absent.exit_code, 3) << absent.stderr_data;
  EXPECT_NE(absent.stderr_data.find("nope.yaml"), std::string::npos) << absent.stderr_data;

  WriteTask("wrong.yaml", "probs");
  ProcessResult wrong = Shrink({dir_->File("m.onnx"), "--task", dir_->File("wrong.yaml")});
  EXPECT_EQ(wrong.exit_code, 2) << wrong.stderr_data;
  EXPECT_EQ(std::count(wrong.stderr_data.begin(), wrong.stderr_data.end(), '\n'), 1)
      << wrong.stderr_data;
  EXPECT_NE(wrong.stderr_data.find("model output 'probs'"), std::string::npos) << wrong.stderr_data;

  ProcessResult runtime =
      Shrink({dir_->File("m.onnx"), "--task", dir_->File("task.yaml"), "--runtime", "tensorrt"});
  EXPECT_EQ(runtime.exit_code, 2) << runtime.stderr_data;
  EXPECT_NE(runtime.stderr_data.find("tensorrt"), std::string::npos);
}

}  // namespace
}  // namespace shrink
