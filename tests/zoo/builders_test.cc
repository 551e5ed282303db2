// Zoo builders: verifiable graphs, parameter counts (computed from the graph, compared with the
// published figures / an independent formula), determinism per seed.
#include "zoo/builders.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "ir/verifier.h"
#include "model_checks.h"
#include "zoo/catalog.h"

namespace shrink::zoo {
namespace {

using testing::ExpectActivationsBounded;
using testing::ExpectSamplesMatchGraph;
using testing::SamplesWithDims;

// The catalog's sample inputs fit the graph, and a run on them (optionally with smaller dims)
// keeps activations bounded.
void CheckRuns(const ir::Model& m, const std::string& name,
               const std::vector<std::pair<int, int64_t>>& smaller_dims = {}) {
  // ONNX Runtime refuses duplicate node names.
  std::set<std::string> node_names;
  for (const auto& n : m.graph->nodes()) {
    EXPECT_FALSE(n->name().empty());
    EXPECT_TRUE(node_names.insert(n->name()).second) << "duplicate node name " << n->name();
  }
  ExpectSamplesMatchGraph(FindCatalogEntry(name)->sample_inputs, *m.graph);
  Expected<std::vector<std::pair<std::string, Tensor>>> feeds =
      MakeSampleInputs(SamplesWithDims(name, smaller_dims), 3);
  ASSERT_TRUE(feeds.ok()) << feeds.status().ToString();
  ExpectActivationsBounded(m, *feeds);
}

ir::Model BuildOrDie(const BuilderInfo& b, uint64_t seed) {
  Expected<ir::Model> m = b.build(BuildOptions{.seed = seed});
  EXPECT_TRUE(m.ok()) << b.name << ": " << m.status().ToString();
  if (!m.ok()) return ir::Model{};
  return std::move(m).value();
}

std::set<std::string> OpTypes(const ir::Graph& g) {
  std::set<std::string> ops;
  for (const auto& n : g.nodes()) ops.insert(n->op_type());
  return ops;
}

const ir::Value* FindInitializer(const ir::Graph& g, const std::string& name) {
  for (const ir::Value* v : g.initializers())
    if (v->name() == name) return v;
  return nullptr;
}

// Published counts (torchvision / HF), which exclude BatchNorm running statistics; ours include
// them, so allow that much on top.
void ExpectParams(const ir::Model& m, int64_t published, int64_t bn_running_stats) {
  const int64_t n = CountParameters(*m.graph);
  EXPECT_EQ(n, published + bn_running_stats);
}

int64_t BatchNormChannels(const ir::Graph& g) {
  int64_t total = 0;
  for (const auto& n : g.nodes())
    if (n->op_type() == "BatchNormalization") total += n->input(1)->data().numel();
  return total;
}

TEST(ZooBuilders, ResNet50) {
  ir::Model m = BuildOrDie(*FindBuilder("resnet50"), 1);
  ASSERT_TRUE(ir::Verify(m).ok());
  EXPECT_EQ(m.OpsetFor(""), 17);
  // torchvision resnet50: 25,557,032 parameters; 53 conv + BN (incl. 4 downsample) layers.
  int convs = 0;
  for (const auto& n : m.graph->nodes()) convs += n->op_type() == "Conv";
  EXPECT_EQ(convs, 53);
  ExpectParams(m, 25557032, 2 * BatchNormChannels(*m.graph));
  ASSERT_EQ(m.graph->inputs().size(), 1u);
  const auto& in = m.graph->inputs()[0]->type();
  ASSERT_TRUE(in.shape.has_value());
  EXPECT_EQ((*in.shape)[0].param, "N");
  EXPECT_EQ((*in.shape)[1].value, 3);
  EXPECT_EQ((*in.shape)[3].value, 224);
  const ir::Value* fc = FindInitializer(*m.graph, "fc.weight");
  ASSERT_NE(fc, nullptr);
  EXPECT_EQ(fc->data().shape(), (Shape{1000, 2048}));
  CheckRuns(m, "resnet50");
}

TEST(ZooBuilders, MobileNetV2) {
  ir::Model m = BuildOrDie(*FindBuilder("mobilenet_v2"), 1);
  ASSERT_TRUE(ir::Verify(m).ok());
  ExpectParams(m, 3504872, 2 * BatchNormChannels(*m.graph));  // torchvision mobilenet_v2
  int depthwise = 0, clips = 0;
  for (const auto& n : m.graph->nodes()) {
    if (n->op_type() == "Conv" && n->GetInt("group", 1) > 1) {
      ++depthwise;
      EXPECT_EQ(n->GetInt("group", 1), n->input(1)->data().dim(0)) << n->Describe();
    }
    clips += n->op_type() == "Clip";
  }
  EXPECT_EQ(depthwise, 17);
  EXPECT_EQ(clips, 35);  // stem + 16 expansions + 17 depthwise + last conv
  EXPECT_EQ(OpTypes(*m.graph).count("Relu"), 0u);
  CheckRuns(m, "mobilenet_v2");
}

TEST(ZooBuilders, BertBase) {
  ir::Model m = BuildOrDie(*FindBuilder("bert_base"), 1);
  ASSERT_TRUE(ir::Verify(m).ok());
  // bert-base-uncased incl. embeddings and pooler: 109,482,240.
  ExpectParams(m, 109482240, 0);
  std::set<std::string> ops = OpTypes(*m.graph);
  for (const char* op : {"Erf", "LayerNormalization", "Softmax", "MatMul", "Gather", "Reshape"})
    EXPECT_EQ(ops.count(op), 1u) << op;
  int ln = 0;
  for (const auto& n : m.graph->nodes()) ln += n->op_type() == "LayerNormalization";
  EXPECT_EQ(ln, 1 + 2 * 12);
  ASSERT_EQ(m.graph->inputs().size(), 2u);
  EXPECT_EQ(m.graph->inputs()[0]->name(), "input_ids");
  EXPECT_EQ(m.graph->inputs()[1]->name(), "attention_mask");
  EXPECT_EQ(m.graph->inputs()[1]->type().dtype, DataType::kInt64);
  ASSERT_GE(m.graph->outputs().size(), 1u);
  EXPECT_EQ(m.graph->outputs()[0]->name(), "last_hidden_state");
  CheckRuns(m, "bert_base", {{1, 16}});
}

TEST(ZooBuilders, Gpt2Small) {
  ir::Model m = BuildOrDie(*FindBuilder("gpt2_small"), 1);
  ASSERT_TRUE(ir::Verify(m).ok());
  ExpectParams(m, 124439808, 0);  // gpt2 (tied head counted once)
  // Tied head: the token embedding feeds both the Gather and the output projection.
  const ir::Value* wte = FindInitializer(*m.graph, "transformer.wte.weight");
  ASSERT_NE(wte, nullptr);
  std::set<std::string> users;
  for (const ir::Use& u : wte->uses()) users.insert(u.node->op_type());
  EXPECT_EQ(users, (std::set<std::string>{"Gather", "Transpose"}));
  EXPECT_EQ(OpTypes(*m.graph).count("Where"), 1u);
  ASSERT_EQ(m.graph->outputs().size(), 1u);
  EXPECT_EQ(m.graph->outputs()[0]->name(), "logits");
  CheckRuns(m, "gpt2_small", {{1, 16}});
}

TEST(ZooBuilders, ConformerS) {
  ir::Model m = BuildOrDie(*FindBuilder("conformer_s"), 1);
  ASSERT_TRUE(ir::Verify(m).ok());
  // Independent count from the architecture: d=144, ffn 576, 16 blocks, k=31, 80 mels.
  const int64_t d = 144, f = 576, k = 31, freq = 19;
  const int64_t ln = 2 * d, lin_dd = d * d + d;
  const int64_t subsample = (9 * d + d) + (9 * d * d + d) + (freq * d * d + d);
  const int64_t ffn = ln + (d * f + f) + (f * d + d);
  const int64_t mhsa = ln + 4 * lin_dd;
  const int64_t conv = ln + (d * 2 * d + 2 * d) + (d * k + d) + 4 * d + lin_dd;
  const int64_t block = 2 * ffn + mhsa + conv + ln;
  EXPECT_EQ(CountParameters(*m.graph), subsample + 16 * block + ln);
  int depthwise = 0;
  for (const auto& n : m.graph->nodes())
    if (n->op_type() == "Conv" && n->GetInt("group", 1) == d) {
      ++depthwise;
      EXPECT_EQ(n->GetInts("kernel_shape"), (std::vector<int64_t>{31}));
    }
  EXPECT_EQ(depthwise, 16);
  for (const char* op : {"BatchNormalization", "Sigmoid", "Split", "Softmax"})
    EXPECT_EQ(OpTypes(*m.graph).count(op), 1u) << op;
  CheckRuns(m, "conformer_s", {{1, 100}});
}

TEST(ZooBuilders, SameSeedSameWeightsOtherSeedDiffers) {
  const BuilderInfo& b = *FindBuilder("mobilenet_v2");
  ir::Model a = BuildOrDie(b, 7), a2 = BuildOrDie(b, 7), c = BuildOrDie(b, 8);
  const auto& ia = a.graph->initializers();
  const auto& ia2 = a2.graph->initializers();
  const auto& ic = c.graph->initializers();
  ASSERT_EQ(ia.size(), ia2.size());
  ASSERT_EQ(ia.size(), ic.size());
  int differing = 0, float_inits = 0;
  for (size_t i = 0; i < ia.size(); ++i) {
    EXPECT_EQ(ia[i]->name(), ia2[i]->name());
    EXPECT_TRUE(ia[i]->data().BitwiseEqual(ia2[i]->data())) << ia[i]->name();
    if (IsFloat(ia[i]->data().dtype()) && ia[i]->data().rank() > 0) {
      ++float_inits;
      differing += !ia[i]->data().BitwiseEqual(ic[i]->data());
    }
  }
  EXPECT_EQ(differing, float_inits);
}

TEST(ZooBuilders, RejectsUnsupportedOpset) {
  Expected<ir::Model> m = BuildMobileNetV2(BuildOptions{.seed = 0, .opset = 13});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kUnimplemented);
}

TEST(ZooBuilders, RegistryNamesAreUnique) {
  std::set<std::string> names;
  for (const BuilderInfo& b : AllBuilders()) {
    EXPECT_TRUE(names.insert(b.name).second) << b.name;
    EXPECT_EQ(FindBuilder(b.name), &b);
  }
  EXPECT_EQ(names.size(), 5u);
  EXPECT_EQ(FindBuilder("nope"), nullptr);
}

}  // namespace
}  // namespace shrink::zoo
