// runtimes::EvaluateModel on a one-Gemm classifier over a six-example .npy dataset, through every
// runtime: the same numbers everywhere, input binding by position, and named errors.
#include "runtimes/evaluate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <optional>

#include "core/npy.h"
#include "core/temp_dir.h"
#include "data/dataset.h"
#include "eval/robustness.h"
#include "ir/builder.h"
#include "onnx/export.h"
#include "runtimes/onnxruntime.h"

namespace shrink::runtimes {
namespace {

// logits = x @ I + [0, 1.5]; rows x and labels:
//   [2,1] l0 -> [2, 2.5] class 1 miss     [0,3] l1 -> [0, 4.5] class 1 hit
//   [5,1] l1 -> [5, 2.5] class 0 miss     [1,4] l0 -> [1, 5.5] class 1 miss
//   [2,3] l0 -> [2, 4.5] class 1 miss     [1,2] l1 -> [1, 3.5] class 1 hit
// top1 = 2/6; by label: class 0 0/3, class 1 2/3.
class EvaluateModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = TempDir::Create("shrink_evaluate_test_");
    ASSERT_TRUE(t.ok());
    dir_ = std::make_unique<TempDir>(std::move(t).value());
    ASSERT_TRUE(WriteNpy(dir_->File("x.npy"),
                         Tensor::FromVector<float>({6, 2}, {2, 1, 0, 3, 5, 1, 1, 4, 2, 3, 1, 2}))
                    .ok());
    ASSERT_TRUE(
        WriteNpy(dir_->File("y.npy"), Tensor::FromVector<int64_t>({6}, {0, 1, 1, 0, 0, 1})).ok());
    auto task = data::ParseTask(R"(version: 1
name: tiny
batch_size: 4
datasets:
  common: {format: npy, inputs: x.npy, labels: y.npy, split: all}
  calibration: {}
  evaluation: {}
output: {mapping: argmax, name: logits}
metric: top1
cohorts: [{by: label}]
)",
                                "tiny.yaml", dir_->path());
    ASSERT_TRUE(task.ok()) << task.status().ToString();
    task_ = *task;
    ir::GraphBuilder b(*model_.graph);
    ir::Value* x = b.Input("features", DataType::kFloat32,
                           std::vector<ir::Dim>{ir::Dim::Symbol("N"), ir::Dim::Known(2)});
    ir::Value* w = b.Const("w", Tensor::FromVector<float>({2, 2}, {1, 0, 0, 1}));
    ir::Value* bias = b.Const("b", Tensor::FromVector<float>({2}, {0, 1.5f}));
    b.Output(b.Op("Gemm", {x, w, bias}), "logits");
  }

  void ExpectScores(const Expected<eval::EvalResult>& r) {
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->examples, 6);
    EXPECT_NEAR(r->primary.value, 2.0 / 6, 1e-12);
    ASSERT_EQ(r->cohorts.size(), 2u);
    EXPECT_EQ(r->cohorts[0].value, 0.0);
    EXPECT_NEAR(r->cohorts[1].value, 2.0 / 3, 1e-12);
  }

  EvaluateOptions Options(RuntimeKind kind) {
    EvaluateOptions o;
    o.runtime = kind;
    o.eval.bootstrap_samples = 50;
    o.eval.progress_bar = false;
    return o;
  }

  std::unique_ptr<TempDir> dir_;
  data::TaskSpec task_;
  ir::Model model_ = ir::MakeModel(17);
};

TEST_F(EvaluateModelTest, NativeAndReferenceAgree) {
  const auto native = EvaluateModel(model_, task_, Options(RuntimeKind::kNative));
  ExpectScores(native);
  const auto reference = EvaluateModel(model_, task_, Options(RuntimeKind::kReference));
  ExpectScores(reference);
  EXPECT_EQ(native->primary.ci_low, reference->primary.ci_low);  // same seed, same records
}

TEST_F(EvaluateModelTest, OnnxRuntimeFromMemoryAndFromFile) {
  if (!OrtRunner::Find().ok() && std::getenv("SHRINK_ALLOW_NO_ORT") != nullptr)
    GTEST_SKIP() << OrtRunner::Find().status().ToString();
  ExpectScores(EvaluateModel(model_, task_, Options(RuntimeKind::kOnnxRuntime)));
  ASSERT_TRUE(onnx_io::SaveModel(model_, dir_->File("m.onnx")).ok());
  ExpectScores(EvaluateModelFile(dir_->File("m.onnx"), task_, Options(RuntimeKind::kOnnxRuntime)));
}

TEST_F(EvaluateModelTest, ParseRuntimeNames) {
  EXPECT_EQ(*ParseRuntime("native"), RuntimeKind::kNative);
  EXPECT_EQ(*ParseRuntime("reference"), RuntimeKind::kReference);
  EXPECT_EQ(*ParseRuntime("onnxruntime"), RuntimeKind::kOnnxRuntime);
  EXPECT_EQ(ParseRuntime("tpu").status().code(), StatusCode::kInvalidArgument);
  EXPECT_STREQ(RuntimeName(RuntimeKind::kOnnxRuntime), "onnxruntime");
}

TEST_F(EvaluateModelTest, ErrorsNameWhatIsMissing) {
  // A second model input cannot be bound by position: the error names it.
  ir::Model two = ir::MakeModel(17);
  ir::GraphBuilder b(*two.graph);
  ir::Value* x = b.Input("features", DataType::kFloat32, Shape{4, 2});
  ir::Value* z = b.Input("extra", DataType::kFloat32, Shape{4, 2});
  b.Output(b.Op("Add", {x, z}), "logits");
  auto r = EvaluateModel(two, task_, Options(RuntimeKind::kReference));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("'features'"), std::string::npos) << r.status().message();
  // The task names an output the model lacks.
  data::TaskSpec wrong = task_;
  wrong.output.output = "probabilities";
  auto w = EvaluateModel(model_, wrong, Options(RuntimeKind::kNative));
  EXPECT_EQ(w.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(w.status().message().find("'probabilities'"), std::string::npos);
  EXPECT_EQ(EvaluateModelFile(dir_->File("absent.onnx"), task_).status().code(),
            StatusCode::kNotFound);
}

// Robustness checks run through any runtime's runner: noise 0 reproduces the clean top1, and
// log(x - 1) on the six rows yields one NaN (x = 0 -> log(-1)) and four -Inf (x = 1 -> log(0)).
TEST_F(EvaluateModelTest, RobustnessThroughEveryRunner) {
  eval::RobustnessOptions ro;
  ro.perturbations = {{eval::PerturbationKind::kNoise, 0.0}, {eval::PerturbationKind::kNoise, 3.0}};
  ir::Model logm = ir::MakeModel(17);
  {
    ir::GraphBuilder b(*logm.graph);
    ir::Value* x = b.Input("features", DataType::kFloat32,
                           std::vector<ir::Dim>{ir::Dim::Symbol("N"), ir::Dim::Known(2)});
    ir::Value* one = b.Const("one", Tensor::FromVector<float>({1}, {1.0f}));
    b.Output(b.Op("Log", {b.Op("Sub", {x, one})}), "logits");
  }
  for (RuntimeKind kind : {RuntimeKind::kNative, RuntimeKind::kReference}) {
    SCOPED_TRACE(RuntimeName(kind));
    const EvaluateOptions o = Options(kind);
    std::optional<eval::RobustnessReport> report;
    const Status s = WithModelRunner(model_, o, [&](const eval::BatchRunner& run) -> Status {
      SHRINK_ASSIGN_OR_RETURN(auto r, eval::EvaluateRobustness(task_, run, o.eval, ro));
      report.emplace(std::move(r));
      return Status::Ok();
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_NEAR(report->clean.primary.value, 2.0 / 6, 1e-12);
    EXPECT_EQ(report->checks[0].value, report->clean.primary.value);
    EXPECT_TRUE(report->checks[1].applied);
    EXPECT_EQ(report->clean_health.nan + report->clean_health.inf, 0);

    eval::OutputHealth health;
    const Status h = WithModelRunner(logm, o, [&](const eval::BatchRunner& run) -> Status {
      eval::EvalOptions eo = o.eval;
      eo.bootstrap_samples = 0;
      return eval::Evaluate(task_, eval::PerturbedRunner(run, nullptr, 0, &health, nullptr), eo)
          .status();
    });
    ASSERT_TRUE(h.ok()) << h.ToString();
    EXPECT_EQ(health.values, 12);
    EXPECT_EQ(health.nan, 1);
    EXPECT_EQ(health.inf, 4);
  }
}

// Language model: logits = W[token] with W = ln(3) * I over the V-symbol vocabulary. On "abcabc..."
// the next symbol never equals the current one, so every target has probability
// 1 / (3 + (V - 1)) = 1 / (V + 2): perplexity V + 2, cross-entropy ln(V + 2), and the argmax
// (the current symbol) is never right: accuracy 0.
TEST_F(EvaluateModelTest, NextTokenPerplexityThroughTheReferenceRuntime) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "abc";
  std::ofstream(dir_->File("corpus.txt")) << text;
  auto task = data::ParseTask(R"(version: 1
name: lm
batch_size: 3
datasets:
  common: {format: text, paths: [corpus.txt], record_format: raw, seq_len: 8, split: all}
  calibration: {}
  evaluation: {}
output: {mapping: next_token}
metric: perplexity
extra_metrics: [cross_entropy, accuracy]
)",
                              "lm.yaml", dir_->path());
  ASSERT_TRUE(task.ok()) << task.status().ToString();
  auto ds = data::OpenDataset(task->evaluation);
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  const auto v = static_cast<int64_t>((*ds)->info().vocabulary.size());
  ASSERT_GE(v, 4);  // <unk>, a, b, c (+ whatever else the reader adds)
  std::vector<float> w(static_cast<size_t>(v * v), 0.0f);
  for (int64_t i = 0; i < v; ++i) w[static_cast<size_t>(i * v + i)] = std::log(3.0f);
  ir::Model lm = ir::MakeModel(17);
  ir::GraphBuilder b(*lm.graph);
  ir::Value* ids = b.Input("ids", DataType::kInt64,
                           std::vector<ir::Dim>{ir::Dim::Symbol("N"), ir::Dim::Symbol("L")});
  b.Output(b.Op("Gather", {b.Const("w", Tensor::FromVector<float>({v, v}, w)), ids}), "logits");
  auto r = EvaluateModel(lm, *task, Options(RuntimeKind::kReference));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GT(r->examples, 1);
  EXPECT_NEAR(r->primary.value, static_cast<double>(v + 2), 1e-4);
  EXPECT_NEAR(r->primary.ci_low, static_cast<double>(v + 2), 1e-4);  // every sequence alike
  ASSERT_EQ(r->extra.size(), 2u);
  EXPECT_NEAR(r->extra[0].value, std::log(static_cast<double>(v + 2)), 1e-6);
  EXPECT_EQ(r->extra[1].value, 0.0);
}

}  // namespace
}  // namespace shrink::runtimes
