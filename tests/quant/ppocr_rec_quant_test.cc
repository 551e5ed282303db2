// W8A8 static quantization of the PaddleOCR recogniser (zoo ppocr_v4_rec, opset 9: upgraded to
// 14 by PrepareForQuantization, for the HardSwish that fuse_hardswish makes of its decomposed
// ones) on rendered text lines (tasks/ppocr_rec.yaml), NEEDS_ZOO.
// Bounded: 32 calibration lines, 64 evaluation lines, on the native runtime.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "data/task.h"
#include "onnx/import.h"
#include "quant/probe.h"
#include "quant/quantize.h"
#include "runtimes/evaluate.h"

namespace shrink::quant {
namespace {

namespace fs = std::filesystem;

double Cer(const ir::Model& m, const data::TaskSpec& task) {
  runtimes::EvaluateOptions o;
  o.threads = 2;
  o.eval.bootstrap_samples = 0;
  o.eval.limit = 64;
  o.eval.progress_bar = false;
  auto r = runtimes::EvaluateModel(m, task, o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r->primary.value : 1.0;
}

// Issue 7 target: CER rises by at most 0.5 points. Per-channel weights, percentile activation
// ranges on the inputs of the quantized nodes only: the Conv outputs of PP-LCNetV3 feed float
// affine + hardswish ops, and a per-tensor quantizer there costs ~1.3 CER points (300 lines:
// float 1.74%, minmax with outputs 2.99%, this configuration 1.38%). Minmax with outputs plus
// bias correction also meets it (1.83%) but takes minutes, too long for this test.
TEST(PpocrRecQuant, PercentileInputsOnlyKeepsCer) {
  const fs::path root = SHRINK_SOURCE_DIR;
  const fs::path model_path = root / "zoo_cache" / "ppocr_v4_rec.onnx";
  if (!fs::exists(model_path)) GTEST_SKIP() << model_path << " absent (run `shrink zoo fetch`)";
  auto model = onnx_io::LoadModel(model_path.string());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto task = data::LoadTask((root / "tasks" / "ppocr_rec.yaml").string());
  ASSERT_TRUE(task.ok()) << task.status().ToString();
  task->calibration.limit = 32;
  ASSERT_EQ(model->OpsetFor(""), 9);

  auto source = OpenTaskCalibration(*task, *model->graph);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  auto quantized = CloneModel(*model);
  ASSERT_TRUE(quantized.ok());
  QuantizeOptions o;
  o.policy.per_channel = true;
  o.policy.quantize_outputs = false;
  o.observer.method = CalibrationMethod::kPercentile;
  auto r = QuantizeModel(*quantized, source->get(), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(quantized->OpsetFor(""), 14);
  EXPECT_GE(r->stats.quantized_nodes, 45);  // 38 Conv + 13 MatMul

  const double f = Cer(*model, *task);
  const double q = Cer(*quantized, *task);
  RecordProperty("float_cer", std::to_string(f));
  RecordProperty("int8_cer", std::to_string(q));
  EXPECT_LT(f, 0.05);
  EXPECT_LE(q - f, 0.005) << "float CER " << f << ", int8 CER " << q;
}

}  // namespace
}  // namespace shrink::quant
