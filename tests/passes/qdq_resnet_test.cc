// End to end int8: ResNet-50 made QDQ (per-channel int8 weights, uint8 activations calibrated
// min-max on one random input, tests/runtime_util/qdq_maker.h), lowered with LowerQdq (fuse_qdq,
// fuse_qdq_ops, dead code elimination) and run on the fast runtime's oneDNN int8 kernels, against
// the reference executor running the QDQ file itself. Set SHRINK_QDQ_OUT=path to keep the QDQ model
// (for `shrink bench`).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "onnx/export.h"
#include "onnx/import.h"
#include "pass_test_util.h"
#include "passes/dead_code_elimination.h"
#include "passes/fold_batchnorm_into_conv.h"
#include "passes/fuse_qdq_ops.h"
#include "passes/pass_manager.h"
#include "runtime/executor.h"
#include "runtime/fast/int8_exact.h"
#include "runtime/fast/session.h"
#include "runtime/random_inputs.h"
#include "runtime_util/op_test_util.h"
#include "runtime_util/qdq_maker.h"

namespace shrink::passes {
namespace {

int64_t Argmax(const Tensor& t) {
  int64_t best = 0;
  for (int64_t i = 1; i < t.numel(); ++i)
    if (t.data<float>()[i] > t.data<float>()[best]) best = i;
  return best;
}

TEST(QdqResnet50, Int8FastRunAgreesWithReferenceOnQdqFile) {
  const std::string path = std::string(SHRINK_SOURCE_DIR) + "/zoo_cache/resnet50.onnx";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " absent (run `shrink zoo fetch`)";
  auto loaded = onnx_io::LoadModel(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ir::Model model = std::move(loaded).value();
  PassManager fold;
  fold.Add(std::make_unique<FoldBatchNormIntoConv>());
  fold.Add(std::make_unique<DeadCodeElimination>());
  ASSERT_TRUE(fold.Run(model).ok());
  auto calib = runtime::MakeRandomFeeds(*model.graph, 7, {{"N", 1}});
  auto feeds = runtime::MakeRandomFeeds(*model.graph, 8, {{"N", 1}});
  ASSERT_TRUE(calib.ok() && feeds.ok());
  const std::vector<Tensor> fp32 = testing::RunModel(model, *feeds);
  auto inserted = shrink::testing::MakeQdq(model, *calib);
  ASSERT_TRUE(inserted.ok()) << inserted.status().ToString();
  EXPECT_GT(*inserted, 50);
  if (const char* out = std::getenv("SHRINK_QDQ_OUT")) {
    ASSERT_TRUE(onnx_io::SaveModel(model, out).ok());
  }
  // The reference executor runs the QDQ file as it is (float ops between Q/DQ pairs).
  const std::vector<Tensor> ref = testing::RunModel(model, *feeds);
  auto bytes = onnx_io::SerializeModel(model);
  ASSERT_TRUE(bytes.ok());
  auto lowered = onnx_io::ParseModel(bytes->data(), bytes->size());
  ASSERT_TRUE(lowered.ok()) << lowered.status().ToString();
  auto changed = LowerQdq(*lowered);
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_EQ(testing::CountOps(*lowered->graph, "QLinearConv"), 53);
  EXPECT_GE(testing::CountOps(*lowered->graph, "QLinearAdd"), 15);
  EXPECT_EQ(testing::CountOps(*lowered->graph, "Conv"), 0);
  runtime::fast::SessionOptions opt;
  opt.profile = true;
  auto session = runtime::fast::Session::Create(*lowered, opt);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  auto got = (*session)->Run(*feeds);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  // Later runs keep the int8 activations channels-last between kernels (runtime/fast/layout.h):
  // only the memory order changes, so the outputs stay bit-identical.
  auto again = (*session)->Run(*feeds);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  // Without VNNI the int8 convolutions run on the reference kernels, all values plain.
  const bool int8_kernels = runtime::fast::Int8DotExact();
  EXPECT_GE((*session)->stats().channels_last_values, int8_kernels ? 53 : 0);
  EXPECT_EQ(shrink::testing::MaxAbsDiff((*again)[0], (*got)[0]), 0.0);
  int int8_steps = 0;
  for (const auto& p : (*session)->Profile())
    if ((p.op_type == "QLinearConv" || p.op_type == "QLinearAdd") && p.backend != "reference")
      ++int8_steps;
  EXPECT_GE(int8_steps, int8_kernels ? 53 + 15 : 15);
  double max_ref = 0;
  for (int64_t i = 0; i < ref[0].numel(); ++i)
    max_ref = std::max(max_ref, std::abs(static_cast<double>(ref[0].data<float>()[i])));
  const double diff = shrink::testing::MaxAbsDiff((*got)[0], ref[0]);
  const double diff_fp32 = shrink::testing::MaxAbsDiff(ref[0], fp32[0]);
  std::printf(
      "resnet50 QDQ: %d Q/DQ pairs; int8 fast vs reference(QDQ): max|diff| %.4f (%.2f%% of "
      "max|logit| %.3f), top-1 %s; QDQ reference vs fp32: max|diff| %.4f, top-1 %s; %d int8 "
      "steps\n",
      *inserted, diff, 100.0 * diff / max_ref, max_ref,
      Argmax((*got)[0]) == Argmax(ref[0]) ? "same" : "differs", diff_fp32,
      Argmax(ref[0]) == Argmax(fp32[0]) ? "same" : "differs", int8_steps);
  // Requantization may round differently by one step per layer; over 50+ layers that stays a
  // small fraction of the logit range (measured ~1-3%).
  EXPECT_LE(diff, 0.1 * max_ref);
}

}  // namespace
}  // namespace shrink::passes
