// `shrink quantize`: happy paths (random, tensor-file and task calibration, report, QOperator)
// and clear one-line errors for bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/npy.h"
#include "ir/builder.h"
#include "onnx/export.h"
#include "onnx/import.h"
#include "quant/policy.h"
#include "quantize_cli_fixture.h"

namespace shrink {
namespace {

class QuantizeCliTest : public testing::QuantizeCliFixture {
 protected:
  // x[N, 1, 28, 28] -> Conv(32, 3x3) -> Relu -> Conv(32, 3x3) -> Relu -> GAP -> Gemm(10): the
  // Fashion-MNIST shape, untrained (weights dominate the file).
  std::string SaveConvNet(const std::string& name) {
    ir::Model m = ir::MakeModel(17);
    ir::GraphBuilder b(*m.graph);
    auto* x =
        b.Input("x", DataType::kFloat32,
                {ir::Dim::Symbol("N"), ir::Dim::Known(1), ir::Dim::Known(28), ir::Dim::Known(28)});
    auto* c1 = b.Op("Relu", {b.Op("Conv", {x, b.Const("w1", Random({32, 1, 3, 3}, 0.3f, 1)),
                                           b.Const("b1", Random({32}, 0.1f, 2))})});
    auto* c2 = b.Op("Relu", {b.Op("Conv", {c1, b.Const("w2", Random({32, 32, 3, 3}, 0.1f, 3)),
                                           b.Const("b2", Random({32}, 0.1f, 4))})});
    auto* flat = b.Op("Flatten", {b.Op("GlobalAveragePool", {c2})});
    b.Output(
        b.Op("Gemm",
             {flat, b.Const("w3", Random({10, 32}, 0.3f, 5)), b.Const("b3", Random({10}, 0.1f, 6))},
             {ir::MakeAttr("transB", 1)}),
        "logits");
    EXPECT_TRUE(onnx_io::SaveModel(m, Path(name)).ok());
    return Path(name);
  }
};

TEST_F(QuantizeCliTest, RandomCalibrationWithReportAndQOperator) {
  const std::string model = SaveConvNet("m.onnx");
  ProcessResult r = Shrink({"quantize", model, "--calib-random", "2", "--method", "entropy",
                            "--per-channel", "--symmetric", "--format", "qoperator", "--report",
                            Path("rep.json"), "--json", "-o", Path("q.onnx")});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  auto j = nlohmann::json::parse(r.stdout_data);
  EXPECT_EQ(j["quantized_nodes"], 3);
  EXPECT_EQ(j["calibration_batches"], 2);
  EXPECT_GT(j["ratio"].get<double>(), 3.0);
  EXPECT_EQ(j["bytes_after"].get<uint64_t>(), std::filesystem::file_size(Path("q.onnx")));
  std::ifstream f(Path("rep.json"));
  auto rep = nlohmann::json::parse(f);
  ASSERT_EQ(rep["layers"].size(), 3u);
  EXPECT_LE(rep["layers"][0]["sqnr_db"].get<double>(), rep["layers"][2]["sqnr_db"].get<double>());
  ProcessResult inspect = Shrink({"inspect", Path("q.onnx"), "--json"});
  ASSERT_EQ(inspect.exit_code, 0);
  EXPECT_NE(inspect.stdout_data.find("QLinearConv"), std::string::npos);
}

// --reduce-range: the int8 weight codes of the file span 7 bits ([-64, 64]), full-range without.
TEST_F(QuantizeCliTest, ReduceRangeWritesSevenBitWeights) {
  const std::string model = SaveConvNet("m.onnx");
  auto max_code = [&](const std::string& out) {
    auto m = onnx_io::LoadModel(out);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    double top = 0;
    for (const ir::Value* v : m.ok() ? m->graph->initializers() : std::vector<ir::Value*>{})
      if (v->data().dtype() == DataType::kInt8)
        for (int64_t i = 0; i < v->data().numel(); ++i)
          top = std::max(top, std::abs(v->data().GetAsDouble(i)));
    return top;
  };
  for (bool reduce : {false, true}) {
    std::vector<std::string> args = {"quantize",      model, "--calib-random", "1",
                                     "--per-channel", "-o",  Path("r.onnx")};
    if (reduce) args.push_back("--reduce-range");
    ProcessResult r = Shrink(args);
    ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
    EXPECT_EQ(max_code(Path("r.onnx")), reduce ? 64 : 127);
    // Full-range weights on a CPU whose ORT kernels saturate them: a warning naming the flag.
    EXPECT_EQ(r.stderr_data.find("warning: this CPU has no VNNI") != std::string::npos,
              quant::Int8PairSumsSaturateHere() && !reduce)
        << r.stderr_data;
  }
}

TEST_F(QuantizeCliTest, TensorFileAndTaskCalibration) {
  const std::string model = SaveConvNet("m.onnx");
  ASSERT_TRUE(WriteNpy(Path("calib.npy"), Random({6, 1, 28, 28}, 1, 7)).ok());
  ProcessResult r = Shrink({"quantize", model, "--calib", Path("calib.npy"), "--batch-size", "4",
                            "--json", "-o", Path("q.onnx")});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(nlohmann::json::parse(r.stdout_data)["calibration_batches"], 2);  // 4 + 2 examples

  const std::string task = std::string(SHRINK_SOURCE_DIR) + "/tasks/fashion_mnist.yaml";
  if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "Fashion-MNIST not installed";
  r = Shrink({"quantize", model, "--task", task, "--batches", "2", "--eval-limit", "256", "--json",
              "-o", Path("qt.onnx")});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  auto j = nlohmann::json::parse(r.stdout_data);
  EXPECT_EQ(j["calibration_batches"], 2);
  EXPECT_EQ(j["metric"]["name"], "top1");
  for (const char* k : {"float", "quantized"}) {
    EXPECT_GE(j["metric"][k].get<double>(), 0.0);
    EXPECT_LE(j["metric"][k].get<double>(), 1.0);
  }
  // The artifact metadata beside the output holds the same metric pair, the paired latency and
  // both runtimes' verdicts.
  EXPECT_EQ(j["metadata"], Path("qt.json"));
  std::ifstream f(Path("qt.json"));
  const auto meta = nlohmann::json::parse(f);
  EXPECT_EQ(meta["artifact_id"].get<std::string>().rfind("art_", 0), 0u);
  EXPECT_EQ(meta["metrics"]["top1"]["baseline"], j["metric"]["float"]);
  EXPECT_EQ(meta["metrics"]["top1"]["compressed"], j["metric"]["quantized"]);
  EXPECT_NEAR(meta["metrics"]["compression_ratio"].get<double>(), j["ratio"].get<double>(), 1e-9);
  EXPECT_GT(j["ratio"].get<double>(), 2.5);
  EXPECT_GT(meta["metrics"]["latency_ms_p50"].get<double>(), 0.0);
  EXPECT_EQ(meta["metrics"]["latency_ms_p50"], j["latency_ms_p50"]["quantized"]);
  EXPECT_EQ(meta["compression"]["quantization"].get<std::string>().rfind("int8_static_qdq", 0), 0u);
  ASSERT_EQ(meta["compatibility"].size(), 2u);
  EXPECT_TRUE(meta["compatibility"][0]["operators_validated"].get<bool>());
  EXPECT_EQ(meta["lineage"]["inputs"][0]["role"], "model");
}

// --job: the configuration runs as a one-trial compress job with a report; a rerun resumes, a
// different configuration in the same folder is refused, and bad combinations fail clearly.
TEST_F(QuantizeCliTest, JobFolder) {
  const std::string model = SaveConvNet("m.onnx");
  const std::string task = std::string(SHRINK_SOURCE_DIR) + "/tasks/fashion_mnist.yaml";
  ExpectOneLineError(Shrink({"quantize", model, "--calib-random", "1", "--job", Path("j")}), 2,
                     "--job needs --task");
  ExpectOneLineError(
      Shrink({"quantize", model, "--task", task, "--job", Path("j"), "-o", Path("q.onnx")}), 2,
      "one of them");
  ExpectOneLineError(Shrink({"quantize", model, "--task", task}), 2, "-o OUT.onnx or --job DIR");
  if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "Fashion-MNIST not installed";
  const std::vector<std::string> job = {
      "quantize",     model, "--task",     task,  "--method", "percentile", "--batches", "2",
      "--eval-limit", "128", "--max-drop", "100", "--no-pdf", "--json",     "--job",     Path("j")};
  ProcessResult r = Shrink(job);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  auto j = nlohmann::json::parse(r.stdout_data);
  // Whether best/ is filled depends on measured latency (a candidate slower than the baseline is
  // never recommended), so the test checks the candidate itself.
  EXPECT_EQ(j["trials_run"], 1);
  for (const char* f : {"policy.yaml", "job.json", "trials.jsonl", "report.html", "report.json",
                        "candidates/trial-0.onnx", "candidates/trial-0.json"})
    EXPECT_TRUE(std::filesystem::exists(Path(std::string("j/") + f))) << f;
  EXPECT_EQ(std::filesystem::exists(Path("j/best/model.onnx")), j["met_constraints"].get<bool>());
  std::ifstream meta_file(Path("j/candidates/trial-0.json"));
  const auto meta = nlohmann::json::parse(meta_file);
  EXPECT_NE(meta["compression"]["quantization"].get<std::string>().find("percentile"),
            std::string::npos);
  r = Shrink(job);  // resumes: nothing left to run
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(nlohmann::json::parse(r.stdout_data)["trials_run"], 0);
  std::vector<std::string> other = job;
  other[5] = "minmax";
  ExpectOneLineError(Shrink(other), 2, "holds another job");
  EXPECT_TRUE(std::filesystem::exists(Path("j/candidates/trial-0.onnx")));
}

TEST_F(QuantizeCliTest, BadInputGivesOneLineErrors) {
  const std::string model = SaveConvNet("m.onnx");
  ExpectOneLineError(
      Shrink({"quantize", model, "--calib-random", "1", "--method", "kl", "-o", Path("q.onnx")}), 2,
      "unknown calibration method 'kl'");
  ExpectOneLineError(
      Shrink({"quantize", model, "--calib", Path("missing.npy"), "-o", Path("q.onnx")}), 3,
      "missing.npy");
  ExpectOneLineError(Shrink({"quantize", model, "-o", Path("q.onnx")}), 2,
                     "calibration data needed");
  ASSERT_TRUE(WriteNpy(Path("bad.npy"), Random({2, 1, 14, 14}, 1, 8)).ok());
  ExpectOneLineError(Shrink({"quantize", model, "--calib", Path("bad.npy"), "-o", Path("q.onnx")}),
                     2, "input 'x' expects");
  ExpectOneLineError(Shrink({"quantize", model, "--calib-random", "1", "--activations", "u4", "-o",
                             Path("q.onnx")}),
                     2, "--activations");
  EXPECT_FALSE(std::filesystem::exists(Path("q.onnx")));
}

TEST_F(QuantizeCliTest, WeightOnlyRtnGptqAndBadOptions) {
  const std::string model = SaveConvNet("m.onnx");  // one Gemm; the Convs are not weight-only
  ProcessResult r = Shrink({"quantize", model, "--weight-only", "int4", "--block-size", "16",
                            "--json", "-o", Path("wo.onnx")});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  auto j = nlohmann::json::parse(r.stdout_data);
  EXPECT_EQ(j["scheme"], "weight-only int4 block16 rtn");
  EXPECT_EQ(j["quantized_nodes"], 1);
  EXPECT_EQ(j["bytes_after"].get<uint64_t>(), std::filesystem::file_size(Path("wo.onnx")));
  r = Shrink({"quantize", model, "--weight-only", "int8", "--wo-method", "gptq", "--calib-random",
              "2", "--json", "-o", Path("gptq.onnx")});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  j = nlohmann::json::parse(r.stdout_data);
  EXPECT_EQ(j["calibration_batches"], 2);
  EXPECT_GE(j["layers"][0]["output_rel_error"].get<double>(), 0.0);

  ExpectOneLineError(Shrink({"quantize", model, "--weight-only", "int3", "-o", Path("q.onnx")}), 2,
                     "int4 or int8");
  ExpectOneLineError(Shrink({"quantize", model, "--weight-only", "int4", "--block-size", "48", "-o",
                             Path("q.onnx")}),
                     2, "power of two");
  ExpectOneLineError(Shrink({"quantize", model, "--weight-only", "int4", "--wo-method", "gptq",
                             "-o", Path("q.onnx")}),
                     2, "needs calibration data");
  ExpectOneLineError(
      Shrink({"quantize", model, "--weight-only", "int4", "--dynamic", "-o", Path("q.onnx")}), 2,
      "does not combine");
  ExpectOneLineError(
      Shrink({"quantize", Path("wo.onnx"), "--weight-only", "int4", "-o", Path("q.onnx")}), 2,
      "already quantized");
  EXPECT_FALSE(std::filesystem::exists(Path("q.onnx")));
}

}  // namespace
}  // namespace shrink
