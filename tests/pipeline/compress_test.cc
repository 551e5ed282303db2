// End to end: a small linear classifier on synthetic data, compressed with real PTQ, measured on
// the native runtime; resume after an interrupted trial log; bad jobs fail clearly.
#include "pipeline/compress.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "core/npy.h"
#include "core/temp_dir.h"
#include "export/artifact_metadata.h"
#include "ir/builder.h"
#include "onnx/export.h"
#include "search/trial_log.h"

namespace shrink::pipeline {
namespace {
namespace fs = std::filesystem;

constexpr int kClasses = 3, kFeatures = 1024, kExamples = 300;

class CompressJob : public ::testing::Test {
 protected:
  void SetUp() override {
    Expected<TempDir> d = TempDir::Create("compress");
    ASSERT_TRUE(d.ok());
    dir_ = std::make_unique<TempDir>(std::move(*d));
    // Class k's examples scatter around centre c_k; logits = x . c_k (a dot-product classifier).
    std::mt19937 rng(1);
    std::normal_distribution<float> noise(0, 0.6f);
    std::vector<float> centres(kClasses * kFeatures), x(kExamples * kFeatures), bias(kClasses, 0);
    for (float& c : centres) c = noise(rng) * 2;
    std::vector<int64_t> y(kExamples);
    for (int i = 0; i < kExamples; ++i) {
      y[i] = i % kClasses;
      for (int f = 0; f < kFeatures; ++f)
        x[i * kFeatures + f] = centres[y[i] * kFeatures + f] + noise(rng);
    }
    std::vector<float> w(kFeatures * kClasses);  // [F, C]
    for (int f = 0; f < kFeatures; ++f)
      for (int c = 0; c < kClasses; ++c) w[f * kClasses + c] = centres[c * kFeatures + f];
    ASSERT_TRUE(WriteNpy(Path("x.npy"), Tensor::FromVector<float>({kExamples, kFeatures}, x)).ok());
    ASSERT_TRUE(WriteNpy(Path("y.npy"), Tensor::FromVector<int64_t>({kExamples}, y)).ok());
    ir::Model m = ir::MakeModel(17);
    ir::GraphBuilder b(*m.graph);
    ir::Value* in = b.Input("input", DataType::kFloat32,
                            std::vector<ir::Dim>{ir::Dim::Symbol("N"), ir::Dim::Known(kFeatures)});
    ir::Value* logits = b.Op("Gemm",
                             {in, b.Const("w", Tensor::FromVector<float>({kFeatures, kClasses}, w)),
                              b.Const("b", Tensor::FromVector<float>({kClasses}, bias))},
                             {}, "fc");
    b.Output(logits, "logits");
    ASSERT_TRUE(onnx_io::SaveModel(m, Path("model.onnx")).ok());
    std::ofstream(Path("task.yaml")) << "version: 1\nname: blobs\nbatch_size: 50\n"
                                        "datasets:\n  common: {format: npy, inputs: x.npy, "
                                        "labels: y.npy, split: {train_fraction: 0.0, "
                                        "calibration_fraction: 0.3}}\n"
                                        "  calibration: {}\n  evaluation: {}\n"
                                        "output: {mapping: argmax}\nmetric: top1\n"
                                        "cohorts: [{by: label}]\n";
    WritePolicy("policy.yaml", "max_metric_drop_pct: 5");
  }
  std::string Path(const std::string& f) const { return dir_->path() + "/" + f; }
  void WritePolicy(const std::string& name, const std::string& constraint,
                   const std::string& extra_stage = "") {
    std::ofstream(Path(name)) << "version: 1\nname: t\ntarget_runtimes: [native]\n"
                                 "constraints: {"
                              << constraint
                              << "}\nbudget: {trials: 2, max_minutes: 10}\nstages:\n"
                                 "  - fold: {}\n  - ptq: {method: [minmax, entropy]}\n"
                              << extra_stage << "  - search: {algorithm: grid}\n";
  }
  CompressOptions Options(const std::string& policy, const std::string& out) {
    CompressOptions o;
    o.model_path = Path("model.onnx");
    o.task_path = Path("task.yaml");
    o.policy_path = Path(policy);
    o.out_dir = Path(out);
    o.threads = 1;
    o.pdf = false;
    o.progress = [](const std::string&) {};
    return o;
  }
  std::unique_ptr<TempDir> dir_;
};

TEST_F(CompressJob, RunsTrialsAndWritesArtifactsReportAndMetadata) {
  Expected<CompressSummary> s = RunCompression(Options("policy.yaml", "job"));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->trials_run, 2);
  EXPECT_EQ(s->report.candidates.size(), 2u);
  EXPECT_GT(s->report.baseline.metric, 0.8);  // the classifier works
  for (const char* f :
       {"job.json", "baseline.json", "trials.jsonl", "report.json", "report.html",
        "candidates/trial-0.onnx", "candidates/trial-1.onnx", "candidates/trial-0.json"})
    EXPECT_TRUE(fs::exists(Path(std::string("job/") + f))) << f;
  Expected<exporting::ArtifactMetadata> trial_meta =
      exporting::LoadMetadata(Path("job/candidates/trial-1.json"));
  ASSERT_TRUE(trial_meta.ok()) << trial_meta.status().ToString();
  EXPECT_EQ(trial_meta->runtime, "native");
  EXPECT_EQ(trial_meta->primary.name, "top1");
  EXPECT_GT(trial_meta->latency_ms_p50, 0);
  // int8 weights: ~4x smaller than the float weights (12 KiB), minus the QDQ graph overhead.
  EXPECT_GT(s->report.candidates[0].compression_ratio, 2.5);
  if (s->met_constraints) {
    Expected<exporting::ArtifactMetadata> meta =
        exporting::LoadMetadata(Path("job/best/model.json"));
    ASSERT_TRUE(meta.ok()) << meta.status().ToString();
    EXPECT_NE(meta->compression.quantization.find("int8_static_qdq"), std::string::npos);
    EXPECT_TRUE(meta->compatibility.at(0).operators_validated);
    EXPECT_EQ(meta->lineage["inputs"][0]["role"], "model");
  } else {
    EXPECT_FALSE(s->explanation.empty());
  }
}

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

TEST_F(CompressJob, SameLineageReproducesTheSameArtifactBytes) {
  Expected<CompressSummary> a = RunCompression(Options("policy.yaml", "run_a"));
  Expected<CompressSummary> b = RunCompression(Options("policy.yaml", "run_b"));
  ASSERT_TRUE(a.ok() && b.ok());
  for (const char* f : {"candidates/trial-0.onnx", "candidates/trial-1.onnx"}) {
    const std::string x = ReadAll(Path(std::string("run_a/") + f));
    ASSERT_FALSE(x.empty()) << f;
    EXPECT_EQ(x, ReadAll(Path(std::string("run_b/") + f))) << f;
  }
  // The reproducibility key in both jobs' lineage is the same.
  EXPECT_EQ(a->report.lineage["reproducibility_key"], b->report.lineage["reproducibility_key"]);
}

TEST_F(CompressJob, ResumesWithoutRepeatingFinishedTrials) {
  ASSERT_TRUE(RunCompression(Options("policy.yaml", "job")).ok());
  // Simulate a kill during trial 2: keep trial 1's record and a half-written second line.
  const std::string log = Path("job/trials.jsonl");
  std::ifstream in(log);
  std::string first;
  std::getline(in, first);
  in.close();
  std::ofstream(log, std::ios::trunc) << first << "\n{\"index\": 1, \"gen";
  Expected<CompressSummary> s = RunCompression(Options("policy.yaml", "job"));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->trials_run, 1);
  EXPECT_EQ(s->trials_total, 2);
  Expected<search::TrialLog> reread = search::TrialLog::Open(log);
  ASSERT_TRUE(reread.ok());
  EXPECT_EQ(reread->records().size(), 2u);
}

TEST_F(CompressJob, RefusesAFolderHoldingAnotherJob) {
  ASSERT_TRUE(RunCompression(Options("policy.yaml", "job")).ok());
  WritePolicy("other.yaml", "max_metric_drop_pct: 2");
  Expected<CompressSummary> s = RunCompression(Options("other.yaml", "job"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("another job"), std::string::npos);
}

TEST_F(CompressJob, ImpossibleConstraintsKeepClosestAndSayWhy) {
  WritePolicy("strict.yaml", "min_compression_ratio: 100");
  Expected<CompressSummary> s = RunCompression(Options("strict.yaml", "strict"));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FALSE(s->met_constraints);
  EXPECT_NE(s->explanation.find("min_compression_ratio"), std::string::npos) << s->explanation;
  EXPECT_FALSE(fs::exists(Path("strict/best/model.onnx")));
  EXPECT_TRUE(fs::exists(Path("strict/report.html")));
}

TEST_F(CompressJob, PerLayerSearchMeasuresSensitivityOnceAndExhaustsTheSpace) {
  std::ofstream(Path("layers.yaml"))
      << "version: 1\nname: t\nbudget: {trials: 5}\nstages:\n  - ptq: {method: minmax}\n"
         "  - search: {algorithm: nsga2, per_layer: true, layer_choices: [float, int8], "
         "population: 4, sensitivity_samples: 60}\n";
  Expected<CompressSummary> s = RunCompression(Options("layers.yaml", "layers"));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->trials_total, 2);  // one layer, two precisions: the whole space
  EXPECT_TRUE(fs::exists(Path("layers/sensitivity.json")));
  bool has_float = false;
  for (const auto& c : s->report.candidates) has_float |= c.description == "layers: 1 float";
  EXPECT_TRUE(has_float);
  // A resumed run reuses the cached sensitivity and runs nothing new.
  Expected<CompressSummary> again = RunCompression(Options("layers.yaml", "layers"));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->trials_run, 0);
}

// Whether any candidate's metadata names `scheme` in its quantization.
bool SomeTrialUses(const std::string& dir, int trials, const std::string& scheme) {
  for (int i = 0; i < trials; ++i) {
    Expected<exporting::ArtifactMetadata> m =
        exporting::LoadMetadata(dir + "/candidates/trial-" + std::to_string(i) + ".json");
    if (m.ok() && m->compression.quantization.find(scheme) != std::string::npos) return true;
  }
  return false;
}

TEST_F(CompressJob, WeightOnlyStageRunsRtnAndGptq) {
  std::ofstream(Path("wo.yaml"))
      << "version: 1\nname: t\ntarget_runtimes: [native]\nbudget: {trials: 2}\nstages:\n"
         "  - fold: {}\n  - weight_only: {bits: 4, block_size: 128, method: [rtn, gptq]}\n"
         "  - search: {algorithm: grid}\n";
  Expected<CompressSummary> s = RunCompression(Options("wo.yaml", "wo"));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->trials_run, 2);
  EXPECT_TRUE(SomeTrialUses(Path("wo"), 2, "weight-only int4 block128 rtn"));
  EXPECT_TRUE(SomeTrialUses(Path("wo"), 2, "weight-only int4 block128 gptq"));
  for (const auto& c : s->report.candidates) {
    EXPECT_GT(c.compression_ratio, 5);  // 4-bit codes + one float scale per 128 weights
    EXPECT_GT(c.metric, 0.8);           // the classifier still works
  }
}

TEST_F(CompressJob, PerLayerInt4ChoiceQuantizesThatLayerWeightOnly) {
  std::ofstream(Path("mixed.yaml"))
      << "version: 1\nname: t\nbudget: {trials: 2}\nstages:\n  - ptq: {method: minmax}\n"
         "  - search: {algorithm: nsga2, per_layer: true, layer_choices: [int8, int4], "
         "population: 4, sensitivity_samples: 60}\n";
  Expected<CompressSummary> s = RunCompression(Options("mixed.yaml", "mixed"));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->trials_total, 2);
  EXPECT_TRUE(SomeTrialUses(Path("mixed"), 2, "weight-only int4 block32 rtn"));
}

// With a weight_only stage listed (the default policy's form: it configures the int4 layers), an
// all-int8 candidate has nothing left in float for it, and its description says nothing of it.
TEST_F(CompressJob, WeightOnlyStageNamedOnlyWhereItQuantizedSomething) {
  std::ofstream(Path("wo_listed.yaml"))
      << "version: 1\nname: t\nbudget: {trials: 2}\nstages:\n  - ptq: {method: minmax}\n"
         "  - weight_only: {bits: 4, block_size: 32, method: rtn}\n"
         "  - search: {algorithm: nsga2, per_layer: true, layer_choices: [int8, int4], "
         "population: 4, sensitivity_samples: 0}\n";
  Expected<CompressSummary> s = RunCompression(Options("wo_listed.yaml", "wo_listed"));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->trials_total, 2);
  Expected<exporting::ArtifactMetadata> all_int8 =
      exporting::LoadMetadata(Path("wo_listed") + "/candidates/trial-0.json");
  ASSERT_TRUE(all_int8.ok()) << all_int8.status().ToString();
  EXPECT_EQ(all_int8->compression.quantization.find("weight-only"), std::string::npos)
      << all_int8->compression.quantization;
  EXPECT_TRUE(SomeTrialUses(Path("wo_listed"), 2, "weight-only int4 block32 rtn"));
}

// The fixture's model has one quantizable layer: the two trials are it at int8 and at W4A8.
TEST_F(CompressJob, PerLayerW4A8ChoiceGivesThatLayerInt4Codes) {
  std::ofstream(Path("w4.yaml"))
      << "version: 1\nname: t\nbudget: {trials: 2}\nstages:\n  - ptq: {method: minmax}\n"
         "  - search: {algorithm: nsga2, per_layer: true, layer_choices: [int8, w4a8], "
         "population: 4, sensitivity_samples: 0}\n";
  Expected<CompressSummary> s = RunCompression(Options("w4.yaml", "w4"));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->trials_total, 2);
  EXPECT_TRUE(SomeTrialUses(Path("w4"), 2, "_int4_weights_1"));
  double int8_ratio = 0, w4_ratio = 0;
  for (const auto& c : s->report.candidates)
    (c.description.find("w4a8") != std::string::npos ? w4_ratio : int8_ratio) = c.compression_ratio;
  EXPECT_GT(w4_ratio, 1.5 * int8_ratio) << int8_ratio;
}

TEST_F(CompressJob, WeightOnlyBeforePtqFailsBeforeAnyTrial) {
  std::ofstream(Path("order.yaml")) << "version: 1\nname: t\nstages:\n  - weight_only: {}\n"
                                       "  - ptq: {}\n  - search: {algorithm: grid}\n";
  Expected<CompressSummary> s = RunCompression(Options("order.yaml", "order"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("before `weight_only`"), std::string::npos);
  EXPECT_FALSE(fs::exists(Path("order/trials.jsonl")));
}

TEST_F(CompressJob, MissingInputsAreNotFound) {
  CompressOptions o = Options("policy.yaml", "job");
  o.model_path = Path("nope.onnx");
  EXPECT_EQ(RunCompression(o).status().code(), StatusCode::kNotFound);
  o = Options("nope.yaml", "job");
  EXPECT_EQ(RunCompression(o).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace shrink::pipeline
