#include "eval/evaluator.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/npy.h"
#include "core/temp_dir.h"

namespace shrink::eval {
namespace {

// Six examples of two features; the "model" returns the features as logits, so the predicted
// class is the larger feature:
//   [2,1] l0 hit, [0,3] l1 hit, [5,1] l1 miss, [1,4] l0 miss, [2,3] l0 miss, [1,2] l1 hit
// top1 = 3/6; by label: class 0 (ex 0, 3, 4) 1/3, class 1 (ex 1, 2, 5) 2/3.
class EvaluatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = TempDir::Create("shrink_eval_test_");
    ASSERT_TRUE(t.ok());
    dir_ = std::make_unique<TempDir>(std::move(t).value());
    ASSERT_TRUE(WriteNpy(dir_->File("x.npy"),
                         Tensor::FromVector<float>({6, 2}, {2, 1, 0, 3, 5, 1, 1, 4, 2, 3, 1, 2}))
                    .ok());
    ASSERT_TRUE(
        WriteNpy(dir_->File("y.npy"), Tensor::FromVector<int64_t>({6}, {0, 1, 1, 0, 0, 1})).ok());
  }

  data::TaskSpec Task(const std::string& output_name = "logits") {
    const std::string yaml = R"(version: 1
name: tiny
batch_size: 4
datasets:
  common: {format: npy, inputs: x.npy, labels: y.npy, split: all}
  calibration: {}
  evaluation: {}
output: {mapping: argmax, name: )" +
                             output_name + R"(}
metric: top1
extra_metrics: [log_loss]
cohorts: [{by: label}]
)";
    auto task = data::ParseTask(yaml, "tiny.yaml", dir_->path());
    EXPECT_TRUE(task.ok()) << task.status().ToString();
    return task.ok() ? *task : data::TaskSpec{};
  }

  static Expected<NamedTensors> Identity(const NamedTensors& in) {
    return NamedTensors{{"logits", in.at(0).second}};
  }

  std::unique_ptr<TempDir> dir_;
};

TEST_F(EvaluatorTest, PrimaryExtraAndCohorts) {
  EvalOptions o;
  o.bootstrap_samples = 200;
  int64_t last_done = 0, calls = 0;
  o.progress = [&](int64_t done, int64_t total) {
    last_done = done;
    EXPECT_EQ(total, 6);
    ++calls;
  };
  auto r = Evaluate(Task(), Identity, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->examples, 6);
  EXPECT_EQ(calls, 2);  // batch_size 4: batches of 4 and 2
  EXPECT_EQ(last_done, 6);
  EXPECT_EQ(r->primary.name, "top1");
  EXPECT_DOUBLE_EQ(r->primary.value, 0.5);
  EXPECT_LE(r->primary.ci_low, 0.5);
  EXPECT_GE(r->primary.ci_high, 0.5);
  EXPECT_LT(r->primary.ci_low, r->primary.ci_high);
  ASSERT_EQ(r->extra.size(), 1u);
  EXPECT_FALSE(r->extra[0].higher_is_better);
  ASSERT_EQ(r->cohorts.size(), 2u);
  EXPECT_EQ(r->cohorts[0].key, "0");
  EXPECT_EQ(r->cohorts[0].examples, 3);
  EXPECT_NEAR(r->cohorts[0].value, 1.0 / 3, 1e-12);
  EXPECT_NEAR(r->cohorts[1].value, 2.0 / 3, 1e-12);
  const auto j = r->ToJson();
  EXPECT_EQ(j["primary"]["value"], 0.5);
  EXPECT_EQ(j["cohorts"][1]["cohort"], "by_label");
}

TEST_F(EvaluatorTest, LimitAndBatchSizeDoNotChangeScores) {
  EvalOptions o;
  o.bootstrap_samples = 0;
  o.batch_size = 1;
  auto all = Evaluate(Task(), Identity, o);
  ASSERT_TRUE(all.ok());
  EXPECT_DOUBLE_EQ(all->primary.value, 0.5);
  EXPECT_EQ(all->primary.ci_low, all->primary.value);  // no interval asked for
  o.limit = 2;                                         // first two examples: both hits
  auto two = Evaluate(Task(), Identity, o);
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->examples, 2);
  EXPECT_DOUBLE_EQ(two->primary.value, 1.0);
}

TEST_F(EvaluatorTest, BadInputsAreNamed) {
  auto missing = Evaluate(Task("probs"), Identity, {});
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("'probs'"), std::string::npos);
  EXPECT_NE(missing.status().message().find("logits"), std::string::npos);
  // A runner failure comes back unchanged.
  auto failing = Evaluate(
      Task(), [](const NamedTensors&) -> Expected<NamedTensors> { return Internal("boom"); }, {});
  EXPECT_EQ(failing.status().message(), "boom");
  // Wrong output shape: one value per example for argmax.
  auto flat = Evaluate(
      Task(),
      [](const NamedTensors& in) -> Expected<NamedTensors> {
        return NamedTensors{{"logits", Tensor(DataType::kFloat32, {in.at(0).second.dim(0)})}};
      },
      {});
  EXPECT_EQ(flat.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(flat.status().message().find("logits"), std::string::npos);
}

}  // namespace
}  // namespace shrink::eval
