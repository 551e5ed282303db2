// ThreadTuner (runtime/fast/thread_tuner.h): the measuring protocol on synthetic run times, and a
// fast Session that tunes its threads: kernels rebuilt on the thread count chosen, outputs equal to
// an untuned session's throughout.
#include "runtime/fast/thread_tuner.h"

#include <gtest/gtest.h>

#include "runtime_util/fast_test_util.h"

namespace shrink::testing {
namespace {

using runtime::fast::ThreadTuner;

// Drives `t` with `ms(threads)` per Run until it decides (at most `limit` Runs); returns the Runs
// made and counts the rebuilds requested.
int Drive(ThreadTuner& t, double (*ms)(int), int& rebuilds, int limit = 1000) {
  int runs = 0;
  for (; !t.decided() && runs < limit; ++runs) {
    rebuilds += t.rebuild() ? 1 : 0;
    t.Record(ms(t.threads()));
  }
  return runs;
}

// Untimed Runs of `ms` at the start of a block: at least kSkip, until they sum to kSkipMs, at most
// kMaxSkip.
int Skipped(double ms) {
  int n = 0;
  double sum = 0;
  while (n + 1 <= ThreadTuner::kSkip ||
         (sum < ThreadTuner::kSkipMs && n + 1 <= ThreadTuner::kMaxSkip)) {
    sum += ms;
    ++n;
  }
  return n;
}

TEST(ThreadTuner, OneThreadWinsWhenClearlyFaster) {
  ThreadTuner t(4);
  EXPECT_FALSE(t.decided());
  EXPECT_EQ(t.threads(), 4);
  EXPECT_FALSE(t.rebuild());
  int rebuilds = 0;
  const int runs = Drive(
      t, [](int n) { return n == 1 ? 0.8 : 1.0; }, rebuilds);
  EXPECT_TRUE(t.decided());
  EXPECT_EQ(t.threads(), 1);
  EXPECT_EQ(rebuilds, 1);  // built once on 4 threads, rebuilt once on 1, kept
  // Blocks skip their first kSkipMs (5 Runs of 1 ms, 7 of 0.8) and end at kBlockMs.
  EXPECT_EQ(runs, 2 * ThreadTuner::kWarmRuns + Skipped(1.0) + 10 + Skipped(0.8) +
                      static_cast<int>(10 / 0.8 + 0.999));
  EXPECT_EQ(Skipped(1.0), 5);
  EXPECT_EQ(Skipped(0.8), 7);
}

TEST(ThreadTuner, NoiseKeepsTheRequestedCountAndRebuildsForIt) {
  ThreadTuner t(2);
  int rebuilds = 0;
  Drive(
      t, [](int n) { return n == 1 ? 0.97 : 1.0; }, rebuilds);  // within kMargin
  EXPECT_TRUE(t.decided());
  EXPECT_EQ(t.threads(), 2);
  EXPECT_EQ(rebuilds, 2);  // on 1 thread to measure, then back on 2
}

TEST(ThreadTuner, LongRunsDecideAtOnceAndTinyRunsAreBounded) {
  ThreadTuner t(2);
  int rebuilds = 0;
  const int runs = Drive(
      t, [](int) { return 50.0; }, rebuilds);
  EXPECT_EQ(t.threads(), 2);
  EXPECT_EQ(rebuilds, 0);
  EXPECT_EQ(runs, ThreadTuner::kWarmRuns + 1);  // the first Run after the warm ones decides
  ThreadTuner tiny(2);
  const int tiny_runs = Drive(
      tiny, [](int n) { return n == 1 ? 0.001 : 0.002; }, rebuilds, 10000);
  EXPECT_EQ(tiny.threads(), 1);
  EXPECT_LE(tiny_runs,
            3 * ThreadTuner::kWarmRuns + 2 * (ThreadTuner::kMaxSkip + ThreadTuner::kMaxSamples));
}

TEST(ThreadTuner, OneThreadAllowedMeansNothingToMeasure) {
  ThreadTuner t(1);
  EXPECT_TRUE(t.decided());
  EXPECT_EQ(t.threads(), 1);
  EXPECT_FALSE(t.rebuild());
}

// A small int8-free CNN: Conv -> Relu -> MaxPool -> Conv -> Flatten -> Gemm.
ir::Model TinyCnn() {
  ir::Model m = ir::MakeModel(17);
  ir::Graph& g = *m.graph;
  ir::Value* x = g.AddInput("x", ir::TypeInfo::Tensor(DataType::kFloat32, {1, 3, 12, 12}));
  auto c1 = g.AddNode("Conv", {x, g.AddInitializer("w1", RandomTensor({8, 3, 3, 3}, 1))}, {"c1"},
                      {ir::MakeAttr("pads", Shape{1, 1, 1, 1})});
  auto r1 = g.AddNode("Relu", {c1->output(0)}, {"r1"});
  auto p1 =
      g.AddNode("MaxPool", {r1->output(0)}, {"p1"},
                {ir::MakeAttr("kernel_shape", Shape{2, 2}), ir::MakeAttr("strides", Shape{2, 2})});
  auto c2 = g.AddNode(
      "Conv", {p1->output(0), g.AddInitializer("w2", RandomTensor({4, 8, 3, 3}, 2))}, {"c2"});
  auto f = g.AddNode("Flatten", {c2->output(0)}, {"f"});
  auto y =
      g.AddNode("Gemm", {f->output(0), g.AddInitializer("wg", RandomTensor({64, 5}, 3))}, {"y"});
  g.AddOutput(y->output(0));
  return m;
}

TEST(ThreadTuner, SessionSettlesItsThreadsWithSteadyOutputs) {
  const ir::Model m = TinyCnn();
  runtime::fast::SessionOptions fixed, tuned;
  fixed.threads = tuned.threads = 2;
  fixed.tune_threads = false;
  auto a = runtime::fast::Session::Create(m, fixed);
  auto b = runtime::fast::Session::Create(m, tuned);
  ASSERT_TRUE(a.ok() && b.ok());
  const runtime::Feeds feeds{{"x", RandomTensor({1, 3, 12, 12}, 9)}};
  auto want = (*a)->Run(feeds);
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  EXPECT_EQ((*a)->stats().threads, 2);
  EXPECT_EQ((*b)->stats().threads, 0);  // measuring
  int runs = 0;
  for (; (*b)->stats().threads == 0 && runs < 2000; ++runs) {
    auto got = (*b)->Run(feeds);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    // Rebuilt kernels on either thread count compute the same values.
    EXPECT_LE(MaxAbsDiff((*got)[0], (*want)[0]), 1e-5) << "run " << runs;
  }
  const int64_t chosen = (*b)->stats().threads;
  EXPECT_TRUE(chosen == 1 || chosen == 2) << chosen;
  EXPECT_GT(runs, ThreadTuner::kWarmRuns);
  EXPECT_EQ((*b)->stats().fast_steps, (*a)->stats().fast_steps);  // every kernel came back
  auto after = (*b)->Run(feeds);
  ASSERT_TRUE(after.ok());
  EXPECT_LE(MaxAbsDiff((*after)[0], (*want)[0]), 1e-5);
  EXPECT_EQ((*b)->stats().threads, chosen);  // decided once
}

}  // namespace
}  // namespace shrink::testing
