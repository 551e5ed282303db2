// The ptq stage's accuracy options (cle, bias_correction, smoothquant, weight_rounding,
// quantize_outputs): parsed, explorable as search axes, and rejected with the field named when
// out of range.
#include <gtest/gtest.h>

#include <algorithm>

#include "pipeline/policy.h"
#include "pipeline/stages/configs.h"

namespace shrink::pipeline {
namespace {

TEST(PtqAccuracyOptions, ParsedAsSearchAxes) {
  Expected<Policy> p = ParsePolicy(
      "version: 1\nname: x\nstages:\n  - ptq: {cle: [false, true], bias_correction: true, "
      "smoothquant: [off, 0.5]}\n",
      "p.yaml");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const auto* ptq = dynamic_cast<const PtqConfig*>(p->Stage("ptq"));
  ASSERT_NE(ptq, nullptr);
  EXPECT_EQ(ptq->cle, (std::vector<bool>{false, true}));
  EXPECT_EQ(ptq->bias_correction, std::vector<bool>{true});
  EXPECT_EQ(ptq->smoothquant, (std::vector<double>{-1, 0.5}));
  const std::vector<Axis> axes = ptq->Axes();
  auto size_of = [&](const std::string& name) {
    auto it =
        std::find_if(axes.begin(), axes.end(), [&](const Axis& a) { return a.option == name; });
    return it == axes.end() ? -1 : it->size;
  };
  EXPECT_EQ(size_of("cle"), 2);
  EXPECT_EQ(size_of("bias_correction"), 1);
  EXPECT_EQ(size_of("smoothquant"), 2);
  EXPECT_EQ(ptq->ToJson()["smoothquant"][1], 0.5);
}

TEST(PtqAccuracyOptions, DefaultsOffAndBadAlphaRejected) {
  Expected<Policy> p = ParsePolicy("version: 1\nname: x\nstages: [{ptq: {}}]\n", "p.yaml");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const auto* ptq = dynamic_cast<const PtqConfig*>(p->Stage("ptq"));
  ASSERT_NE(ptq, nullptr);
  EXPECT_EQ(ptq->cle, std::vector<bool>{false});
  EXPECT_EQ(ptq->smoothquant, std::vector<double>{-1});
  Expected<Policy> bad =
      ParsePolicy("version: 1\nname: x\nstages:\n  - ptq: {smoothquant: 1.5}\n", "p.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("smoothquant"), std::string::npos)
      << bad.status().message();
}

TEST(PtqAccuracyOptions, WeightRoundingIsAnAxis) {
  Expected<Policy> p = ParsePolicy(
      "version: 1\nname: x\nstages:\n  - ptq: {weight_rounding: [rtn, gptq]}\n", "p.yaml");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const auto* ptq = dynamic_cast<const PtqConfig*>(p->Stage("ptq"));
  ASSERT_NE(ptq, nullptr);
  EXPECT_EQ(ptq->weight_rounding, (std::vector<std::string>{"rtn", "gptq"}));
  const std::vector<Axis> axes = ptq->Axes();
  EXPECT_TRUE(std::any_of(axes.begin(), axes.end(), [](const Axis& a) {
    return a.option == "weight_rounding" && a.size == 2;
  }));
  Expected<Policy> def = ParsePolicy("version: 1\nname: x\nstages: [{ptq: {}}]\n", "p.yaml");
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(dynamic_cast<const PtqConfig*>(def->Stage("ptq"))->weight_rounding,
            std::vector<std::string>{"rtn"});
  Expected<Policy> bad =
      ParsePolicy("version: 1\nname: x\nstages:\n  - ptq: {weight_rounding: foo}\n", "p.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST(PtqAccuracyOptions, QuantizeOutputsIsAnAxis) {
  Expected<Policy> p = ParsePolicy(
      "version: 1\nname: x\nstages:\n  - ptq: {quantize_outputs: [true, false]}\n", "p.yaml");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const auto* ptq = dynamic_cast<const PtqConfig*>(p->Stage("ptq"));
  ASSERT_NE(ptq, nullptr);
  EXPECT_EQ(ptq->quantize_outputs, (std::vector<bool>{true, false}));
  EXPECT_EQ(ptq->ToJson()["quantize_outputs"][1], false);
  const std::vector<Axis> axes = ptq->Axes();
  EXPECT_TRUE(std::any_of(axes.begin(), axes.end(), [](const Axis& a) {
    return a.option == "quantize_outputs" && a.size == 2;
  }));
  Expected<Policy> bad =
      ParsePolicy("version: 1\nname: x\nstages:\n  - ptq: {quantize_outputs: maybe}\n", "p.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("quantize_outputs"), std::string::npos)
      << bad.status().message();
}

}  // namespace
}  // namespace shrink::pipeline
