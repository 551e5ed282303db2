// PTQ accuracy on the trained zoo models (NEEDS_ZOO: skipped when zoo_cache/ or the datasets are
// missing). Bounded: 256 calibration images, a fixed 1000-image evaluation subset.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "data/task.h"
#include "onnx/import.h"
#include "quant/cross_layer_equalization.h"
#include "quant/probe.h"
#include "quant/quantize.h"
#include "runtime/executor.h"
#include "runtime/random_inputs.h"
#include "runtimes/evaluate.h"

namespace shrink::quant {
namespace {

ir::Model Copy(const ir::Model& m) {
  auto c = CloneModel(m);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return std::move(*c);
}

namespace fs = std::filesystem;

const fs::path kRoot = SHRINK_SOURCE_DIR;

struct Zoo {
  ir::Model model;
  data::TaskSpec task;
};

// Loads zoo_cache/<name>.onnx and its task; nullopt (the caller skips) when either is missing.
std::optional<Zoo> LoadZoo(const std::string& name, const std::string& task_file) {
  const fs::path model = kRoot / "zoo_cache" / (name + ".onnx");
  if (!fs::exists(model)) return std::nullopt;
  auto m = onnx_io::LoadModel(model.string());
  auto t = data::LoadTask((kRoot / "tasks" / task_file).string());
  if (!m.ok() || !t.ok()) return std::nullopt;
  return Zoo{std::move(*m), std::move(*t)};
}

double Top1(const ir::Model& m, const data::TaskSpec& task) {
  runtimes::EvaluateOptions o;
  o.eval.bootstrap_samples = 0;
  o.eval.limit = 1000;
  o.eval.progress_bar = false;
  auto r = runtimes::EvaluateModel(m, task, o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r->primary.value : 0;
}

TEST(PtqZooTest, DepthwiseCnnCleStaysEquivalent) {
  auto zoo = LoadZoo("depthwise_cnn", "fashion_mnist.yaml");
  if (!zoo) GTEST_SKIP() << "zoo_cache/depthwise_cnn.onnx not fetched";
  ASSERT_TRUE(PrepareForQuantization(zoo->model).ok());
  ir::Model equalized = Copy(zoo->model);
  CleOptions o;
  o.through_clip = true;  // every pair of this ReLU6 network crosses a Clip(0, 6)
  auto s = EqualizeCrossLayers(equalized, o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_GE(s->pairs, 8);  // expand -> depthwise -> project in every block
  const Tensor x = runtime::RandomTensor(DataType::kFloat32, {4, 1, 28, 28}, 3);
  auto run = [&](const ir::Model& m) {
    auto ex = runtime::Executor::Create(m);
    EXPECT_TRUE(ex.ok());
    auto out = (*ex)->Run({{"input", x}});
    EXPECT_TRUE(out.ok());
    return (*out)[0];
  };
  const Tensor a = run(zoo->model), b = run(equalized);
  double diff = 0, scale = 0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    scale = std::max(scale, std::abs(a.GetAsDouble(i)));
    diff = std::max(diff, std::abs(a.GetAsDouble(i) - b.GetAsDouble(i)));
  }
  EXPECT_LT(diff / scale, 1e-4);
}

// Issue 5 target: W8A8 static with CLE + bias correction loses at most 1% (relative) top-1.
TEST(PtqZooTest, DepthwiseCnnDropWithCleAndBiasCorrection) {
  auto zoo = LoadZoo("depthwise_cnn", "fashion_mnist.yaml");
  if (!zoo) GTEST_SKIP() << "zoo_cache/depthwise_cnn.onnx not fetched";
  auto source = OpenTaskCalibration(zoo->task, *zoo->model.graph, 4);
  if (!source.ok()) GTEST_SKIP() << source.status().ToString();
  const double f = Top1(zoo->model, zoo->task);
  ir::Model q = Copy(zoo->model);
  QuantizeOptions o;
  o.policy.per_channel = true;
  o.cle = true;
  o.bias_correction = true;
  auto r = QuantizeModel(q, source->get(), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GT(r->bias_correction.corrected, 10);
  const double i8 = Top1(q, zoo->task);
  std::printf("depthwise_cnn top-1 on 1000 images: float %.4f, int8 (CLE + BC) %.4f\n", f, i8);
  EXPECT_GT(f, 0.85);
  EXPECT_LE((f - i8) / f, 0.01) << "float " << f << " int8 " << i8;
}

}  // namespace
}  // namespace shrink::quant
