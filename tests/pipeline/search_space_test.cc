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
  const SearchSpace s = SearchSpace::Build(p, {"conv1", "fc"});
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
  const SearchSpace s = SearchSpace::Build(p, {"conv1", "fc"});
  ASSERT_EQ(s.genes().size(), 2u);
  EXPECT_EQ(s.genes()[1].name, "layer:fc");
  EXPECT_EQ(s.DefaultGenome(), (search::Genome{1, 1}));
  Expected<nlohmann::json> c = s.Decode({0, 1});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)["layers"]["conv1"], "float");
  EXPECT_EQ((*c)["layers"]["fc"], "int8");
  EXPECT_EQ(s.Describe({0, 1}), "layers: 1 float 1 int8");
}

}  // namespace
}  // namespace shrink::pipeline
