#include "pipeline/policy.h"

#include <gtest/gtest.h>

#include "pipeline/stages/configs.h"

namespace shrink::pipeline {
namespace {

const std::string kDir = std::string(SHRINK_SOURCE_DIR) + "/policies/";

TEST(Policy, ShippedPoliciesParse) {
  for (const char* name : {"default", "ptq_int8", "weight_only_int4", "mixed_precision_latency"}) {
    Expected<Policy> p = LoadPolicy(kDir + name + ".yaml");
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_EQ(p->name, name);
    EXPECT_EQ(p->stages.front()->kind(), "fold");
    EXPECT_EQ(p->stages.back()->kind(), "search");
  }
}

TEST(Policy, ReadsStagesConstraintsAndAxes) {
  Expected<Policy> p = LoadPolicy(kDir + "ptq_int8.yaml");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->target_runtimes, (std::vector<std::string>{"native", "onnxruntime"}));
  EXPECT_EQ(p->constraints.max_metric_drop_pct, 1.0);
  EXPECT_FALSE(p->constraints.max_latency_ms_p50.has_value());
  EXPECT_EQ(p->budget.trials, 8);
  const auto* ptq = dynamic_cast<const PtqConfig*>(p->Stage("ptq"));
  ASSERT_NE(ptq, nullptr);
  EXPECT_EQ(ptq->methods.size(), 4u);
  const std::vector<Axis> axes = ptq->Axes();
  ASSERT_EQ(axes.size(), 13u);  // every choice option, fixed ones with size 1
  EXPECT_EQ(axes[0].option, "method");
  EXPECT_EQ(axes[0].size, 4);
  EXPECT_EQ(axes[1].option, "per_channel");
  EXPECT_EQ(axes[1].size, 2);
  EXPECT_EQ(axes[2].size, 1);
  EXPECT_EQ(axes[3].option, "reduce_range");  // 7-bit weights: one choice unless asked
  EXPECT_EQ(axes[3].size, 1);
  EXPECT_EQ(p->ToJson()["stages"][1]["ptq"]["method"][2], "entropy");
}

TEST(Policy, DefaultsForEmptyStages) {
  Expected<Policy> p =
      ParsePolicy("version: 1\nname: x\nstages: [{fold: }, {ptq: {}}]\n", "p.yaml");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const auto* ptq = dynamic_cast<const PtqConfig*>(p->Stage("ptq"));
  ASSERT_NE(ptq, nullptr);
  EXPECT_EQ(ptq->format, "qdq");
  // 7-bit weights by default only where int8 pair sums saturate (x86 without VNNI).
  EXPECT_EQ(ptq->reduce_range, std::vector<bool>{quant::Int8PairSumsSaturateHere()});
  EXPECT_EQ(p->ToJson()["stages"][1]["ptq"]["reduce_range"][0], quant::Int8PairSumsSaturateHere());
  EXPECT_EQ(p->target_runtimes, std::vector<std::string>{"native"});
  EXPECT_EQ(p->cohort_tolerance_pct, 2.0);
  Expected<Policy> q = ParsePolicy(
      "version: 1\nname: x\nreport: {cohort_tolerance_pct: 0.5}\nstages: [{fold: }]\n", "p.yaml");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->cohort_tolerance_pct, 0.5);
  EXPECT_EQ(q->ToJson()["report"]["cohort_tolerance_pct"], 0.5);
}

// Each bad policy must fail with a message holding every listed fragment.
struct Bad {
  const char* yaml;
  std::vector<std::string> fragments;
};

TEST(Policy, BadPoliciesNameFileLineAndField) {
  const std::vector<Bad> cases = {
      {"version: 1\nname: x\nstages:\n  - ptqq: {}\n",
       {"p.yaml:4:", "unknown stage kind", "did you mean 'ptq'"}},
      {"version: 1\nname: x\nstages:\n  - ptq: {method: kl}\n",
       {"p.yaml:4:", "stages[0].ptq.method", "minmax"}},
      {"version: 1\nname: x\nstages:\n  - ptq: {per_chanel: true}\n",
       {"p.yaml:4:", "per_chanel", "did you mean 'per_channel'"}},
      {"version: 1\nname: x\nstages: [{fold: {}}, {fold: {}}]\n", {"appears twice"}},
      {"version: 1\nname: x\nstages: [{search: {}}, {ptq: {}}]\n", {"must be the last stage"}},
      {"version: 1\nname: x\nstages: [{search: {constraints: {}}}]\n", {"top level"}},
      {"version: 2\nname: x\nstages: [{fold: {}}]\n", {"p.yaml:1:", "version 2"}},
      {"version: 1\nname: x\nconstraints: {max_latency_ms_p50: -3}\nstages: [{fold: {}}]\n",
       {"p.yaml:3:", "constraints.max_latency_ms_p50"}},
      {"version: 1\nname: x\nbudget: {trials: 0}\nstages: [{fold: {}}]\n", {"budget.trials"}},
      {"version: 1\nname: x\nstages: []\n", {"at least one stage"}},
      {"version: 1\nname: x\nreport: {cohort_tolerance: 1}\nstages: [{fold: {}}]\n",
       {"p.yaml:3:", "did you mean 'cohort_tolerance_pct'"}},
      {"version: 1\nname: x\nstages: [{fold: {}, ptq: {}}]\n", {"one-key mapping"}},
      {"version: 1\nname: x\nstages: [{weight_only: {bits: 5}}]\n", {"4 or 8"}},
      {"version: 1\nname: x\nstages: [{fold: {}}]\nconstrains: {}\n",
       {"did you mean 'constraints'"}},
      {"version: 1\nname: x\nstages: [fold\n", {"p.yaml:", "malformed YAML"}},
  };
  for (const Bad& c : cases) {
    Expected<Policy> p = ParsePolicy(c.yaml, "p.yaml");
    ASSERT_FALSE(p.ok()) << c.yaml;
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument) << c.yaml;
    for (const std::string& f : c.fragments)
      EXPECT_NE(p.status().message().find(f), std::string::npos)
          << "'" << f << "' not in: " << p.status().message();
  }
}

TEST(Policy, MissingFileIsNotFound) {
  Expected<Policy> p = LoadPolicy(kDir + "no_such_policy.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace shrink::pipeline
