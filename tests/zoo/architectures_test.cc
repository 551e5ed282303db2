// Untrained small architectures (fashion_cnn, mnist_mlp, tabular_mlp, depthwise_cnn,
// char_transformer): they build,
// verify, have the documented input/output names and run through the reference executor with
// the right output shape and finite values; registry lookups; determinism per seed.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "ir/verifier.h"
#include "runtime/executor.h"
#include "zoo/builders.h"
#include "zoo/builders/common.h"

namespace shrink::zoo {
namespace {

struct Case {
  std::string name;
  Shape input;   // with batch 3
  Shape output;  // expected
};

const std::vector<Case>& Cases() {
  static const std::vector<Case> kCases = {
      {"fashion_cnn", {3, 1, 28, 28}, {3, 10}},
      {"mnist_mlp", {3, 784}, {3, 10}},
      {"tabular_mlp", {3, 30}, {3, 1}},
      {"depthwise_cnn", {3, 1, 28, 28}, {3, 10}},
  };
  return kCases;
}

int CountOps(const ir::Graph& g, const std::string& op) {
  int n = 0;
  for (const auto& node : g.nodes()) n += node->op_type() == op;
  return n;
}

TEST(ZooArchitectures, BuildVerifyAndRun) {
  for (const Case& k : Cases()) {
    SCOPED_TRACE(k.name);
    const BuilderInfo* info = FindArchitecture(k.name);
    ASSERT_NE(info, nullptr);
    Expected<ir::Model> m = info->build(BuildOptions{.seed = 5});
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    ASSERT_TRUE(ir::Verify(*m).ok());
    ASSERT_EQ(m->graph->inputs().size(), 1u);
    EXPECT_EQ(m->graph->inputs()[0]->name(), "input");
    ASSERT_EQ(m->graph->outputs().size(), 1u);
    EXPECT_EQ(m->graph->outputs()[0]->name(), "logits");
    EXPECT_GT(CountParameters(*m->graph), 0);

    detail::WeightGen gen(11);
    Tensor x = gen.Uniform(k.input, -1.0f, 1.0f);
    Expected<std::unique_ptr<runtime::Executor>> ex = runtime::Executor::Create(*m);
    ASSERT_TRUE(ex.ok()) << ex.status().ToString();
    Expected<std::vector<Tensor>> out = (*ex)->Run({{"input", x}});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    ASSERT_EQ(out->size(), 1u);
    const Tensor& y = (*out)[0];
    EXPECT_EQ(y.shape(), k.output);
    ASSERT_EQ(y.dtype(), DataType::kFloat32);
    double sum_sq = 0;
    for (int64_t i = 0; i < y.numel(); ++i) {
      const float v = y.data<float>()[i];
      ASSERT_TRUE(std::isfinite(v));
      sum_sq += double{v} * v;
    }
    EXPECT_GT(sum_sq, 0.0);  // not all zero
    // Different examples give different outputs (the net is not constant).
    const int64_t per = y.numel() / 3;
    bool differs = false;
    for (int64_t i = 0; i < per; ++i) differs |= y.data<float>()[i] != y.data<float>()[per + i];
    EXPECT_TRUE(differs);
  }
}

TEST(ZooArchitectures, Structure) {
  Expected<ir::Model> fc = BuildFashionCnn();
  ASSERT_TRUE(fc.ok());
  EXPECT_EQ(CountOps(*fc->graph, "Conv"), 2);
  EXPECT_EQ(CountOps(*fc->graph, "BatchNormalization"), 2);
  EXPECT_EQ(CountOps(*fc->graph, "MaxPool"), 2);
  EXPECT_EQ(CountOps(*fc->graph, "Dropout"), 1);
  EXPECT_EQ(CountOps(*fc->graph, "Gemm"), 2);
  // conv1 1*32*9, conv2 32*64*9, fc 3136*128+128, fc 128*10+10, BN 4 * (32 + 64).
  EXPECT_EQ(CountParameters(*fc->graph),
            32 * 9 + 32 * 64 * 9 + 3136 * 128 + 128 + 128 * 10 + 10 + 4 * (32 + 64));

  Expected<ir::Model> mlp = BuildMnistMlp();
  ASSERT_TRUE(mlp.ok());
  EXPECT_EQ(CountParameters(*mlp->graph), 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
  Expected<ir::Model> tab = BuildTabularMlp();
  ASSERT_TRUE(tab.ok());
  EXPECT_EQ(CountParameters(*tab->graph), 30 * 32 + 32 + 32 * 16 + 16 + 16 + 1);

  Expected<ir::Model> dw = BuildDepthwiseCnn();
  ASSERT_TRUE(dw.ok());
  int depthwise = 0, clips = 0;
  for (const auto& n : dw->graph->nodes()) {
    if (n->op_type() == "Conv" && n->GetInt("group", 1) > 1) {
      ++depthwise;
      EXPECT_EQ(n->GetInt("group", 1), n->input(1)->data().shape()[0]);  // group == channels
      EXPECT_EQ(n->input(1)->data().shape()[1], 1);
    }
    clips += n->op_type() == "Clip";
  }
  EXPECT_GE(depthwise, 3);
  EXPECT_GT(clips, depthwise);
  EXPECT_GE(CountOps(*dw->graph, "Add"), 1);  // at least one residual
}

TEST(ZooArchitectures, RegistryAndDeterminism) {
  std::set<std::string> names;
  for (const BuilderInfo& b : ArchitectureBuilders()) {
    EXPECT_TRUE(names.insert(b.name).second) << b.name;
    EXPECT_EQ(FindArchitecture(b.name), &b);
    EXPECT_EQ(FindBuilder(b.name), nullptr) << "architectures are not catalog builders";
  }
  EXPECT_EQ(names.size(), 5u);
  EXPECT_EQ(FindArchitecture("resnet50"), nullptr);

  auto weight = [](uint64_t seed) {
    Expected<ir::Model> m = BuildMnistMlp(BuildOptions{.seed = seed});
    EXPECT_TRUE(m.ok());
    for (const ir::Value* v : m->graph->initializers())
      if (v->name() == "fc1.weight")
        return std::vector<float>(v->data().data<float>(), v->data().data<float>() + 16);
    return std::vector<float>{};
  };
  ASSERT_EQ(weight(1).size(), 16u);
  EXPECT_EQ(weight(1), weight(1));
  EXPECT_NE(weight(1), weight(2));
}

// char_transformer: token input, [N,S,V] logits with V from the options, causal (changing a
// later token leaves earlier positions' logits unchanged), parameter count, bad vocabulary.
TEST(ZooArchitectures, CharTransformer) {
  const int64_t vocab = 37, n = 2, seq = 12;
  Expected<ir::Model> m = BuildCharTransformer(BuildOptions{.seed = 3, .vocab_size = vocab});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_TRUE(ir::Verify(*m).ok());
  ASSERT_EQ(m->graph->inputs().size(), 1u);
  EXPECT_EQ(m->graph->inputs()[0]->name(), "tokens");
  EXPECT_EQ(m->graph->inputs()[0]->type().dtype, DataType::kInt64);
  EXPECT_EQ(m->graph->outputs()[0]->name(), "logits");
  EXPECT_EQ(CountOps(*m->graph, "LayerNormalization"), 5);  // 2 per block + final
  EXPECT_EQ(CountOps(*m->graph, "Softmax"), 2);
  EXPECT_EQ(CountOps(*m->graph, "Erf"), 2);
  const int64_t d = 128, per_block = 4 * d + 3 * d * d + 3 * d + d * d + d + 2 * 4 * d * d + 5 * d;
  EXPECT_EQ(CountParameters(*m->graph),
            vocab * d + kCharTransformerContext * d + 2 * per_block + 2 * d + d * vocab);

  std::vector<int64_t> ids(n * seq);
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int64_t>((i * 7 + 3) % vocab);
  Expected<std::unique_ptr<runtime::Executor>> ex = runtime::Executor::Create(*m);
  ASSERT_TRUE(ex.ok()) << ex.status().ToString();
  Expected<std::vector<Tensor>> a =
      (*ex)->Run({{"tokens", Tensor::FromVector<int64_t>({n, seq}, ids)}});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ((*a)[0].shape(), (Shape{n, seq, vocab}));
  ids[seq - 1] = (ids[seq - 1] + 1) % vocab;  // last token of the first sequence
  Expected<std::vector<Tensor>> b =
      (*ex)->Run({{"tokens", Tensor::FromVector<int64_t>({n, seq}, ids)}});
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  const float* pa = (*a)[0].data<float>();
  const float* pb = (*b)[0].data<float>();
  for (int64_t i = 0; i < (seq - 1) * vocab; ++i) ASSERT_EQ(pa[i], pb[i]) << i;  // earlier steps
  bool last_changed = false;
  for (int64_t i = (seq - 1) * vocab; i < seq * vocab; ++i) last_changed |= pa[i] != pb[i];
  EXPECT_TRUE(last_changed);

  EXPECT_EQ(BuildCharTransformer(BuildOptions{.vocab_size = 1}).status().code(),
            StatusCode::kInvalidArgument);
  Expected<ir::Model> dflt = FindArchitecture("char_transformer")->build(BuildOptions{});
  ASSERT_TRUE(dflt.ok());
  const ir::Value* head = nullptr;
  for (const ir::Value* v : dflt->graph->initializers()) {
    if (v->name() == "lm_head.weight") head = v;
  }
  ASSERT_NE(head, nullptr);
  EXPECT_EQ(head->data().shape(), (Shape{128, kCharTransformerVocab}));
}

}  // namespace
}  // namespace shrink::zoo
