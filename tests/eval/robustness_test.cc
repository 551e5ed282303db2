#include "eval/robustness.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/npy.h"
#include "core/temp_dir.h"

namespace shrink::eval {
namespace {

// 200 well-separated examples of two features: class 0 near (1, 0), class 1 near (0, 1). The
// "model" returns the features as logits (a trained linear classifier with identity weights), so
// the clean top1 is 1.
class RobustnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = TempDir::Create("shrink_robust_test_");
    ASSERT_TRUE(t.ok());
    dir_ = std::make_unique<TempDir>(std::move(t).value());
    std::vector<float> x;
    std::vector<int64_t> y;
    for (int i = 0; i < 200; ++i) {
      const float jitter = 0.01f * static_cast<float>(i % 10);
      const int label = i % 2;
      x.push_back(label == 0 ? 1.0f : jitter);
      x.push_back(label == 0 ? jitter : 1.0f);
      y.push_back(label);
    }
    ASSERT_TRUE(WriteNpy(dir_->File("x.npy"), Tensor::FromVector<float>({200, 2}, x)).ok());
    ASSERT_TRUE(WriteNpy(dir_->File("y.npy"), Tensor::FromVector<int64_t>({200}, y)).ok());
    const std::string yaml = R"(version: 1
name: blobs
batch_size: 64
datasets:
  common: {format: npy, inputs: x.npy, labels: y.npy, split: all}
  calibration: {}
  evaluation: {}
output: {mapping: argmax, name: logits}
metric: top1
)";
    auto task = data::ParseTask(yaml, "blobs.yaml", dir_->path());
    ASSERT_TRUE(task.ok()) << task.status().ToString();
    task_ = *task;
    eval_.bootstrap_samples = 0;
    eval_.progress_bar = false;
  }

  static Expected<NamedTensors> Linear(const NamedTensors& in) {
    return NamedTensors{{"logits", in.at(0).second}};
  }

  std::unique_ptr<TempDir> dir_;
  data::TaskSpec task_;
  EvalOptions eval_;
};

TEST_F(RobustnessTest, ZeroNoiseIsCleanAndLargeNoiseHurts) {
  RobustnessOptions o;
  o.perturbations = {{PerturbationKind::kNoise, 0.0}, {PerturbationKind::kNoise, 5.0}};
  auto r = EvaluateRobustness(task_, Linear, eval_, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->clean.primary.value, 1.0);
  ASSERT_EQ(r->checks.size(), 2u);
  EXPECT_EQ(r->checks[0].value, r->clean.primary.value);
  EXPECT_EQ(r->checks[0].delta, 0.0);
  EXPECT_FALSE(r->checks[0].applied);
  EXPECT_TRUE(r->checks[1].applied);
  EXPECT_LT(r->checks[1].value, 0.9);
  EXPECT_LT(r->checks[1].delta, -0.1);
  EXPECT_EQ(r->clean_health.values, 400);
  EXPECT_EQ(r->clean_health.nan + r->clean_health.inf, 0);
  // Brightness, contrast and length find no image or sequence input here.
  o.perturbations = {{PerturbationKind::kBrightness, 1.0}, {PerturbationKind::kLength, 0.5}};
  auto none = EvaluateRobustness(task_, Linear, eval_, o);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->checks[0].applied);
  EXPECT_EQ(none->checks[1].value, 1.0);
  EXPECT_NE(none->ToTable().find("no input it applies to"), std::string::npos);
  // Seeded: the same noise twice gives the same value.
  o.perturbations = {{PerturbationKind::kNoise, 5.0}};
  auto again = EvaluateRobustness(task_, Linear, eval_, o);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->checks[0].value, r->checks[1].value);
}

TEST_F(RobustnessTest, CountsNonFiniteOutputs) {
  // A second output holds one NaN and one Inf per example.
  const BatchRunner broken = [](const NamedTensors& in) -> Expected<NamedTensors> {
    const int64_t n = in.at(0).second.dim(0);
    std::vector<float> aux;
    for (int64_t i = 0; i < n; ++i) {
      aux.push_back(std::numeric_limits<float>::quiet_NaN());
      aux.push_back(std::numeric_limits<float>::infinity());
    }
    return NamedTensors{{"logits", in.at(0).second},
                        {"aux", Tensor::FromVector<float>({n, 2}, aux)}};
  };
  RobustnessOptions o;
  o.perturbations = {{PerturbationKind::kNoise, 0.1}};
  auto r = EvaluateRobustness(task_, broken, eval_, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->clean_health.nan, 200);
  EXPECT_EQ(r->clean_health.inf, 200);
  EXPECT_EQ(r->clean_health.values, 800);
  EXPECT_EQ(r->checks[0].health.nan, 200);
  const auto j = r->ToJson();
  EXPECT_EQ(j["clean_health"]["nan"], 200);
  EXPECT_EQ(j["checks"][0]["name"], "noise=0.1");
}

TEST(Perturbations, ImagesAndSequences) {
  // One 1x1x2x2 image [0, 2, 4, 6]: mean 3, std sqrt(5).
  NamedTensors img = {{"x", Tensor::FromVector<float>({1, 1, 2, 2}, {0, 2, 4, 6})}};
  NamedTensors bright = img, contrast = img;
  EXPECT_EQ(ApplyPerturbation({PerturbationKind::kBrightness, 1.0}, 0, &bright), 1);
  EXPECT_NEAR(bright[0].second.data<float>()[0], std::sqrt(5.0), 1e-6);
  EXPECT_EQ(ApplyPerturbation({PerturbationKind::kContrast, 0.5}, 0, &contrast), 1);
  EXPECT_FLOAT_EQ(contrast[0].second.data<float>()[0], 1.5f);  // 3 + 0.5 * (0 - 3)
  EXPECT_FLOAT_EQ(contrast[0].second.data<float>()[3], 4.5f);
  EXPECT_FLOAT_EQ(img[0].second.data<float>()[0], 0.0f);  // the original is untouched
  // length=0.5 keeps ceil(0.5 * W) columns and repeats the last one over the rest.
  NamedTensors wide = {{"x", Tensor::FromVector<float>({1, 1, 1, 4}, {1, 2, 3, 9})}};
  ApplyPerturbation({PerturbationKind::kLength, 0.5}, 0, &wide);
  EXPECT_EQ(std::vector<float>(wide[0].second.data<float>(), wide[0].second.data<float>() + 4),
            (std::vector<float>{1, 2, 9, 9}));
  // Token ids: positions from ceil(0.5 * 4) on become 0; noise leaves integers alone.
  NamedTensors tokens = {{"ids", Tensor::FromVector<int64_t>({1, 4}, {5, 6, 7, 8})}};
  EXPECT_EQ(ApplyPerturbation({PerturbationKind::kNoise, 1.0}, 0, &tokens), 0);
  EXPECT_EQ(ApplyPerturbation({PerturbationKind::kLength, 0.5}, 0, &tokens), 1);
  EXPECT_EQ(
      std::vector<int64_t>(tokens[0].second.data<int64_t>(), tokens[0].second.data<int64_t>() + 4),
      (std::vector<int64_t>{5, 6, 0, 0}));
}

TEST(Perturbations, Parse) {
  auto p = ParsePerturbations("noise=0.25,length=0.5");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->size(), 2u);
  EXPECT_EQ((*p)[0].kind, PerturbationKind::kNoise);
  EXPECT_EQ((*p)[1].Name(), "length=0.5");
  for (const char* bad : {"blur=1", "noise", "noise=abc", "noise=-1", "length=0", "length=2", ""})
    EXPECT_EQ(ParsePerturbations(bad).status().code(), StatusCode::kInvalidArgument) << bad;
}

}  // namespace
}  // namespace shrink::eval
