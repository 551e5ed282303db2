#include "pipeline/search_space.h"

#include <gtest/gtest.h>

namespace shrink::pipeline {
namespace {

Policy Parse(const std::string& yaml) {
  Expected<Policy> p = ParsePolicy(yaml, "p.yaml");
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return std::move(*p);
}

TEST(SearchSpace, GenesFromListsOnly) {
  const Policy p = Parse(
      "version: 1\nname: x\nstages:\n  - fold: {}\n"
      "  - ptq: {method: [minmax, entropy, mse], per_channel: [true, false], symmetric: true}\n");
  const SearchSpace s = SearchSpace::Build(p, {{"conv1", "Conv", 9}, {"fc", "Gemm", 90}});
  ASSERT_EQ(s.genes().size(), 2u);  // no per-layer genes without search.per_layer
  EXPECT_EQ(s.genes()[0].name, "ptq.method");
  EXPECT_EQ(s.Cardinalities(), (std::vector<int>{3, 2}));
  EXPECT_EQ(s.Size(), 6);
  Expected<nlohmann::json> c = s.Decode({2, 1});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)["ptq"]["method"], "mse");
  EXPECT_EQ((*c)["ptq"]["per_channel"], false);
  EXPECT_EQ((*c)["ptq"]["symmetric"], true);  // fixed choice collapsed to its value
  EXPECT_EQ((*c)["ptq"]["format"], "qdq");
  EXPECT_TRUE((*c)["fold"].is_object());
  EXPECT_EQ(s.Describe({2, 1}), "ptq.method=mse ptq.per_channel=false");
  EXPECT_FALSE(s.Decode({3, 0}).ok());
  EXPECT_FALSE(s.Decode({0}).ok());
}

TEST(SearchSpace, PerLayerGenesDefaultToInt8) {
  const Policy p = Parse(
      "version: 1\nname: x\nstages:\n  - ptq: {method: minmax}\n"
      "  - search: {per_layer: true, layer_choices: [float, int8]}\n");
  const SearchSpace s = SearchSpace::Build(p, {{"conv1", "Conv", 9}, {"fc", "Gemm", 90}});
  ASSERT_EQ(s.genes().size(), 2u);
  EXPECT_EQ(s.genes()[1].name, "layer:fc");
  EXPECT_EQ(s.DefaultGenome(), (search::Genome{1, 1}));
  Expected<nlohmann::json> c = s.Decode({0, 1});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)["layers"]["conv1"], "float");
  EXPECT_EQ((*c)["layers"]["fc"], "int8");
  EXPECT_EQ(s.Describe({0, 1}), "layers: 1 float 1 int8");
}

TEST(SearchSpace, Int4OnlyWhereWeightOnlyAppliesAndSeededOnLargestLayers) {
  const Policy p = Parse(
      "version: 1\nname: x\nstages:\n  - ptq: {method: [minmax, percentile]}\n"
      "  - search: {per_layer: true, layer_choices: [int8, int4]}\n");
  // Weights: conv 10, fc1 600, fc2 300, fc3 90 (of 1000).
  const SearchSpace s = SearchSpace::Build(
      p, {{"conv", "Conv", 10}, {"fc1", "Gemm", 600}, {"fc2", "MatMul", 300}, {"fc3", "Gemm", 90}});
  ASSERT_EQ(s.genes().size(), 4u);  // the conv has one choice (int8): no gene
  EXPECT_EQ(s.LayerGeneNames(), (std::vector<std::string>{"fc1", "fc2", "fc3"}));
  EXPECT_EQ(s.DefaultGenome(), (search::Genome{0, 0, 0, 0}));
  // Largest alone; > 50% is fc1 alone too (dropped as a duplicate); > 90%: fc1 + fc2 + fc3.
  EXPECT_EQ(s.PrecisionSeeds(s.DefaultGenome(), "int4"),
            (std::vector<search::Genome>{{0, 1, 0, 0}, {0, 1, 1, 1}}));
  EXPECT_EQ(s.PrecisionSeeds({1, 0, 0, 0}, "int4"),
            (std::vector<search::Genome>{{1, 1, 0, 0}, {1, 1, 1, 1}}));
  EXPECT_TRUE(s.PrecisionSeeds(s.DefaultGenome(), "w4a8").empty());  // not offered
  EXPECT_EQ(s.OptionSeeds(2), (std::vector<search::Genome>{{0, 0, 0, 0}, {1, 0, 0, 0}}));
  EXPECT_TRUE(s.OptionSeeds(1).empty());
  Expected<nlohmann::json> c = s.Decode({0, 1, 0, 0});
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE((*c)["layers"].contains("conv"));
  EXPECT_EQ((*c)["layers"]["fc1"], "int4");
}

// W4A8 applies to every quantizable layer (the conv too); int4 weight-only to MatMul / Gemm only.
TEST(SearchSpace, W4A8OnEveryLayerAndSeededOnLargestLayers) {
  const Policy p = Parse(
      "version: 1\nname: x\nstages:\n  - ptq: {method: minmax}\n"
      "  - search: {per_layer: true, layer_choices: [int8, w4a8, int4]}\n");
  // Weights: conv 700, fc 300.
  const SearchSpace s = SearchSpace::Build(p, {{"conv", "Conv", 700}, {"fc", "Gemm", 300}});
  ASSERT_EQ(s.genes().size(), 2u);
  EXPECT_EQ(s.genes()[0].values, (std::vector<nlohmann::json>{"int8", "w4a8"}));
  EXPECT_EQ(s.genes()[1].values, (std::vector<nlohmann::json>{"int8", "w4a8", "int4"}));
  // Largest alone (also > 50%); > 90%: both.
  EXPECT_EQ(s.PrecisionSeeds(s.DefaultGenome(), "w4a8"),
            (std::vector<search::Genome>{{1, 0}, {1, 1}}));
  EXPECT_EQ(s.PrecisionSeeds(s.DefaultGenome(), "int4"), (std::vector<search::Genome>{{0, 2}}));
  Expected<nlohmann::json> c = s.Decode({1, 2});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)["layers"]["conv"], "w4a8");
  EXPECT_EQ((*c)["layers"]["fc"], "int4");
}

TEST(SearchSpace, SingleNonDefaultLayerChoiceIsFixed) {
  const Policy p = Parse(
      "version: 1\nname: x\nstages:\n  - ptq: {method: minmax}\n"
      "  - search: {per_layer: true, layer_choices: [float, int4]}\n");
  const SearchSpace s = SearchSpace::Build(p, {{"conv", "Conv", 10}, {"fc", "Gemm", 90}});
  ASSERT_EQ(s.genes().size(), 1u);
  Expected<nlohmann::json> c = s.Decode({1});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)["layers"]["conv"], "float");  // its only choice, in every configuration
  EXPECT_EQ((*c)["layers"]["fc"], "int4");
}

}  // namespace
}  // namespace shrink::pipeline
