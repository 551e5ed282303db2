// runtimes::MeasureLatency: timing statistics and the peak memory of every runtime.
#include "runtimes/latency.h"

#include <gtest/gtest.h>

#include "core/process_memory.h"
#include "core/temp_dir.h"
#include "ir/builder.h"
#include "onnx/export.h"
#include "runtimes/onnxruntime.h"

namespace shrink::runtimes {
namespace {

constexpr int64_t kMiB = 1024 * 1024;

// y = x @ W with W [1024, 4096] float: 16 MiB of weights that every runtime has to hold.
ir::Model BigMatMul() {
  ir::Model m = ir::MakeModel(17);
  ir::GraphBuilder b(*m.graph);
  ir::Value* x = b.Input("x", DataType::kFloat32,
                         std::vector<ir::Dim>{ir::Dim::Symbol("N"), ir::Dim::Known(1024)});
  std::vector<float> w(1024 * 4096);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>(i % 7) * 0.01f;
  b.Output(b.Op("MatMul", {x, b.Const("w", Tensor::FromVector<float>({1024, 4096}, w))}), "y");
  return m;
}

TEST(ProcessMemory, PeakScopeSeesAnAllocationTouchedInside) {
  const PeakRssScope scope;
  if (scope.AddedBytes() < 0) GTEST_SKIP() << "this kernel does not reset the RSS peak";
  {
    std::vector<char> block(64 * kMiB, 1);  // touched pages become resident
    ASSERT_EQ(block[12345], 1);
  }
  EXPECT_GE(scope.AddedBytes(), 60 * kMiB);
  EXPECT_GT(CurrentRssBytes(), 0);
}

class LatencyTest : public ::testing::TestWithParam<RuntimeKind> {};

TEST_P(LatencyTest, StatisticsAndPeakMemory) {
  if (GetParam() == RuntimeKind::kOnnxRuntime && !OrtRunner::Find().ok())
    GTEST_SKIP() << OrtRunner::Find().status().ToString();
  const ir::Model model = BigMatMul();
  auto dir = TempDir::Create("shrink_latency_test_");
  ASSERT_TRUE(dir.ok());
  const std::string path = dir->File("m.onnx");
  ASSERT_TRUE(onnx_io::SaveModel(model, path).ok());
  LatencyOptions o;
  o.runtime = GetParam();
  o.batch = 4;
  o.runs = 5;
  o.min_seconds = 0;
  Expected<LatencyResult> r = MeasureLatency(model, path, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GE(r->runs, 5);
  EXPECT_GT(r->p50_ms, 0);
  EXPECT_LE(r->p50_ms, r->p95_ms);
  EXPECT_NEAR(r->throughput_per_s, 4 * 1000 / r->mean_ms, 1e-6 * r->throughput_per_s);
  if (r->peak_memory_bytes < 0) GTEST_SKIP() << "this kernel does not reset the RSS peak";
  // The session holds (at least) its own copy of the 16 MiB of weights; far below 1 GiB.
  EXPECT_GE(r->peak_memory_bytes, 12 * kMiB);
  EXPECT_LT(r->peak_memory_bytes, 1024 * kMiB);
}

INSTANTIATE_TEST_SUITE_P(Runtimes, LatencyTest,
                         ::testing::Values(RuntimeKind::kNative, RuntimeKind::kOnnxRuntime),
                         [](const auto& info) {
                           return info.param == RuntimeKind::kNative ? std::string("native")
                                                                     : std::string("onnxruntime");
                         });

}  // namespace
}  // namespace shrink::runtimes
