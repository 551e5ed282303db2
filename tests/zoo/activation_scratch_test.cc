#include <gtest/gtest.h>
#include <chrono>
#include <cmath>
#include "runtime/executor.h"
#include "runtime/random_inputs.h"
#include "zoo/builders.h"

namespace shrink::zoo {
namespace {
void Stats(const char* name, runtime::DimValues dims) {
  auto m = FindBuilder(name)->build({});
  ASSERT_TRUE(m.ok());
  auto ex = runtime::Executor::Create(*m);
  ASSERT_TRUE(ex.ok()) << ex.status().ToString();
  auto feeds = runtime::MakeRandomFeeds(*m->graph, 1, dims);
  ASSERT_TRUE(feeds.ok());
  for (auto& [n, t] : *feeds) if (n == "attention_mask") { for (int64_t i = 0; i < t.numel(); ++i) t.SetFromDouble(i, 1); }
  auto t0 = std::chrono::steady_clock::now();
  auto all = (*ex)->RunAll(*feeds);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  printf("%s: %.2fs\n", name, secs);
  // walk nodes in order
  for (const auto& node : m->graph->nodes()) {
    const ir::Value* v = node->output(0);
    auto it = all->find(v->name());
    if (it == all->end() || !IsFloat(it->second.dtype())) continue;
    const Tensor& t = it->second;
    double s = 0, s2 = 0, mx = 0;
    for (int64_t i = 0; i < t.numel(); ++i) { double x = t.GetAsDouble(i); s += x; s2 += x*x; mx = std::max(mx, std::fabs(x)); }
    double mean = s / t.numel(), rms = std::sqrt(s2 / t.numel());
    const std::string& op = node->op_type();
    if (op == "Add" || op == "Relu" || op == "Clip" || op == "LayerNormalization" || op == "BatchNormalization" || op=="Gemm" || op=="Softmax" || node.get() == m->graph->nodes().back().get() || op=="MatMul")
      printf("  %-22s %-40s mean %8.3f rms %8.3f max %8.3f\n", op.c_str(), node->name().c_str(), mean, rms, mx);
  }
}
TEST(Scratch, MobileNet) { Stats("mobilenet_v2", {{"N", 1}}); }
TEST(Scratch, ResNet) { Stats("resnet50", {{"N", 1}}); }
TEST(Scratch, Conformer) { Stats("conformer_s", {{"N", 1}, {"T", 100}}); }
TEST(Scratch, Bert) { Stats("bert_base", {{"N", 1}, {"S", 16}}); }
TEST(Scratch, Gpt2) { Stats("gpt2_small", {{"N", 1}, {"S", 16}}); }
}
}
