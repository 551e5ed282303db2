// End to end: quantized files load and run in ONNX Runtime and agree with our reference
// executor's run of the same file.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "core/npy.h"
#include "core/temp_dir.h"
#include "onnx/export.h"
#include "onnx/import.h"
#include "quant/quantize.h"
#include "quant/report.h"
#include "quant_test_util.h"
#include "runtime/executor.h"
#include "runtime/random_inputs.h"
#include "runtimes/onnxruntime.h"

namespace shrink::quant {
namespace {

namespace fs = std::filesystem;

#define REQUIRE_ORT(runner_var)                        \
  auto runner_var = runtimes::OrtRunner::Find();       \
  if (!runner_var.ok()) {                              \
    if (std::getenv("SHRINK_ALLOW_NO_ORT") != nullptr) \
      GTEST_SKIP() << runner_var.status().ToString();  \
    FAIL() << runner_var.status().ToString();          \
  }

// Largest |a - b| over two tensors.
double MaxDiff(const Tensor& a, const Tensor& b) {
  double d = 0;
  for (int64_t i = 0; i < a.numel(); ++i)
    d = std::max(d, std::abs(a.GetAsDouble(i) - b.GetAsDouble(i)));
  return d;
}

const ActivationInfo* Activation(const QuantizeResult& r, const std::string& name) {
  for (const auto& a : r.activations)
    if (a.name == name) return &a;
  return nullptr;
}

// Quantizes `m` on random batches, saves it, runs ORT and our executor on `x`; returns the max
// difference in units of the output's quantization step.
void CheckAgainstOrt(ir::Model m, const QuantizeOptions& o, const Tensor& x,
                     const std::string& path, double max_steps) {
  REQUIRE_ORT(ort);
  auto src = MakeRandomCalibration(*m.graph, 2, 0, {{"N", x.dim(0)}});
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  // Where ORT's int8 kernels saturate (Int8PairSumsSaturateHere) full-range weights overflow: our
  // files drifted from ORT by 4.4-4.8 output steps on the small conv net and 14.4 on MobileNetV2
  // (AVX2-only AMD EPYC). 7-bit weights keep every pair sum in range: the bounds hold as on VNNI.
  QuantizeOptions options = o;
  options.policy.reduce_range = Int8PairSumsSaturateHere();
  auto r = QuantizeModel(m, src->get(), options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  if (o.format == QuantFormat::kQOperator) {
    ASSERT_TRUE(ToQOperator(m).ok());
  }
  ASSERT_TRUE(onnx_io::SaveModel(m, path).ok());
  auto loaded = onnx_io::LoadModel(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  auto ex = runtime::Executor::Create(*loaded);
  ASSERT_TRUE(ex.ok()) << ex.status().ToString();
  const std::string in = loaded->graph->inputs()[0]->name();
  auto ours = (*ex)->Run({{in, x}});
  ASSERT_TRUE(ours.ok()) << ours.status().ToString();
  auto theirs = ort->Run(path, {{in, x}});
  ASSERT_TRUE(theirs.ok()) << theirs.status().ToString();
  const std::string out = loaded->graph->outputs()[0]->name();
  const ActivationInfo* a = Activation(*r, out);
  ASSERT_NE(a, nullptr) << "output " << out << " was not quantized";
  const double steps = MaxDiff((*ours)[0], (*theirs)[0].second) / a->params.scale;
  std::cout << path << ": max |ours - ORT| = " << steps << " output steps\n";
  EXPECT_LE(steps, max_steps);
}

class QuantOrtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = TempDir::Create("quant-ort-test-");
    ASSERT_TRUE(d.ok());
    dir_ = std::make_unique<TempDir>(std::move(d).value());
  }
  std::unique_ptr<TempDir> dir_;
};

// ORT runs QDQ groups on integer kernels (requantizing between layers) while our reference runs
// them as float ops on dequantized values: a layer may round one step differently. The float
// logits (a graph output, only its consumers see the quantized copy) stay within 1 step.
TEST_F(QuantOrtTest, SmallConvNetQdqAgreesWithOrt) {
  QuantizeOptions o;
  o.policy.per_channel = true;
  o.policy.weight_symmetric = true;
  const Tensor x = runtime::RandomTensor(DataType::kFloat32, {2, 3, 8, 8}, 7);
  CheckAgainstOrt(testing::SmallConvNet(16), o, x, dir_->File("qdq.onnx"), 1);
}

TEST_F(QuantOrtTest, SmallConvNetQOperatorAgreesWithOrt) {
  QuantizeOptions o;
  o.policy.weight_symmetric = true;
  o.format = QuantFormat::kQOperator;
  const Tensor x = runtime::RandomTensor(DataType::kFloat32, {2, 3, 8, 8}, 8);
  CheckAgainstOrt(testing::SmallConvNet(16), o, x, dir_->File("qop.onnx"), 1);
}

// W4A8 (int4 weight codes, opset 21): ORT reads the int4 DequantizeLinear weights and agrees with
// our reference like the 8-bit file does.
TEST_F(QuantOrtTest, SmallConvNetW4A8AgreesWithOrt) {
  QuantizeOptions o;
  o.policy.per_channel = true;
  o.policy.int4_weights = {"*"};
  const Tensor x = runtime::RandomTensor(DataType::kFloat32, {2, 3, 8, 8}, 12);
  CheckAgainstOrt(testing::SmallConvNet(16), o, x, dir_->File("w4a8.onnx"), 1);
}

TEST_F(QuantOrtTest, DynamicRunsInOrt) {
  REQUIRE_ORT(ort);
  ir::Model m = testing::SmallConvNet(16);
  QuantizeOptions o;
  o.dynamic = true;
  ASSERT_TRUE(QuantizeModel(m, nullptr, o).ok());
  const std::string path = dir_->File("dyn.onnx");
  ASSERT_TRUE(onnx_io::SaveModel(m, path).ok());
  const Tensor x = runtime::RandomTensor(DataType::kFloat32, {2, 3, 8, 8}, 9);
  auto ex = runtime::Executor::Create(m);
  ASSERT_TRUE(ex.ok());
  auto ours = (*ex)->Run({{"x", x}});
  auto theirs = ort->Run(path, {{"x", x}});
  ASSERT_TRUE(ours.ok() && theirs.ok()) << theirs.status().ToString();
  // Same integer arithmetic on both sides: only float rounding of the final multiply differs.
  EXPECT_LE(MaxDiff((*ours)[0], (*theirs)[0].second), 1e-4);
}

// MobileNetV2 from the zoo: per-channel QDQ runs in ORT and stays close to our reference; the
// per-layer report measures every conv. ResNet-50 (weights dominate) shrinks >= 3.9x.
TEST_F(QuantOrtTest, ZooMobileNetV2AndResNet50) {
  const fs::path zoo = fs::path(SHRINK_SOURCE_DIR) / "zoo_cache";
  if (!fs::exists(zoo / "mobilenet_v2.onnx") || !fs::exists(zoo / "resnet50.onnx"))
    GTEST_SKIP() << "zoo models not fetched (run `shrink zoo fetch`)";
  auto m = onnx_io::LoadModel((zoo / "mobilenet_v2.onnx").string());
  ASSERT_TRUE(m.ok());
  QuantizeOptions o;
  o.policy.per_channel = true;
  o.policy.weight_symmetric = true;
  o.observer.method = CalibrationMethod::kPercentile;
  const Tensor x = runtime::RandomTensor(DataType::kFloat32, {1, 3, 224, 224}, 11);
  // 50+ layers of independent rounding (measured: ~1.2 steps): allow a few steps.
  CheckAgainstOrt(std::move(*m), o, x, dir_->File("mnv2.onnx"), 4);

  auto r50 = onnx_io::LoadModel((zoo / "resnet50.onnx").string());
  ASSERT_TRUE(r50.ok());
  auto src = MakeRandomCalibration(*r50->graph, 1, 0);
  ASSERT_TRUE(src.ok());
  auto res = QuantizeModel(*r50, src->get(), o);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  const std::string out = dir_->File("r50.onnx");
  ASSERT_TRUE(onnx_io::SaveModel(*r50, out).ok());
  const double ratio = static_cast<double>(fs::file_size(zoo / "resnet50.onnx")) /
                       static_cast<double>(fs::file_size(out));
  std::cout << "resnet50 size ratio " << ratio << "\n";
  EXPECT_GE(ratio, 3.9);
  EXPECT_EQ(res->stats.quantized_nodes, static_cast<int64_t>(res->nodes.size()));
}

TEST_F(QuantOrtTest, ReportMeasuresEveryQuantizedLayer) {
  ir::Model f = testing::SmallConvNet(16);
  ASSERT_TRUE(PrepareForQuantization(f).ok());
  ir::Model q = testing::SmallConvNet(16);
  auto src = MakeRandomCalibration(*q.graph, 2, 0, {{"N", 2}});
  ASSERT_TRUE(src.ok());
  auto r = QuantizeModel(q, src->get(), QuantizeOptions{});
  ASSERT_TRUE(r.ok());
  auto rep = MeasureLayers(f, q, *r, **src, 2);
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  ASSERT_EQ(rep->layers.size(), 3u);
  for (size_t i = 1; i < rep->layers.size(); ++i)
    EXPECT_LE(rep->layers[i - 1].sqnr_db, rep->layers[i].sqnr_db);  // worst first
  for (const auto& l : rep->layers) {
    EXPECT_GT(l.sqnr_db, 15) << l.node;
    EXPECT_LT(l.sqnr_db, kSqnrExact) << l.node;  // quantization does change outputs
  }
  const auto j = ReportJson(*r, *rep);
  EXPECT_EQ(j["layers"].size(), 3u);
  EXPECT_EQ(j["stats"]["quantized_nodes"], 3);
}

TEST_F(QuantOrtTest, BadCalibrationInputsGiveClearErrors) {
  ir::Model m = testing::SmallConvNet();
  auto missing = OpenTensorFileCalibration(dir_->File("nope.npy"), *m.graph, 2);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  // Wrong spatial size: [4, 3, 5, 5] for a model that declares [N, 3, 8, 8].
  const std::string bad = dir_->File("bad.npy");
  ASSERT_TRUE(WriteNpy(bad, runtime::RandomTensor(DataType::kFloat32, {4, 3, 5, 5}, 1)).ok());
  auto src = OpenTensorFileCalibration(bad, *m.graph, 2);
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  auto r = QuantizeModel(m, src->get(), QuantizeOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("calibration batch 0"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("'x'"), std::string::npos) << r.status().message();
  // A good file batches along axis 0.
  const std::string good = dir_->File("good.npy");
  ASSERT_TRUE(WriteNpy(good, runtime::RandomTensor(DataType::kFloat32, {5, 3, 8, 8}, 2)).ok());
  auto ok = OpenTensorFileCalibration(good, *m.graph, 2);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)->num_batches(), 3);
}

}  // namespace
}  // namespace shrink::quant
