// End to end int8 with layout propagation (runtime/fast/layout.h): the zoo MobileNetV2 quantized
// here like the int8 benchmark file (per-channel min-max on seeded random batches, QDQ), lowered
// with LowerQdq, runs its depthwise / pointwise
// QLinearConv chains and residual QLinearAdds channels-last from the second Run on. The outputs
// must equal those of the same plan with propagation off, bit for bit (only the memory order
// differs), and stay close to the reference executor on the QDQ file.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "onnx/export.h"
#include "onnx/import.h"
#include "passes/fuse_qdq_ops.h"
#include "quant/quantize.h"
#include "quant_test_util.h"
#include "runtime/executor.h"
#include "runtime/fast/int8_exact.h"
#include "runtime/fast/session.h"
#include "runtime/random_inputs.h"
#include "runtime_util/op_test_util.h"

namespace shrink::quant {
namespace {

TEST(QdqMobilenetLayout, ChannelsLastRunsEqualPlainRuns) {
  const std::string path = std::string(SHRINK_SOURCE_DIR) + "/zoo_cache/mobilenet_v2.onnx";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not fetched";
  auto loaded = onnx_io::LoadModel(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ir::Model model = std::move(loaded).value();
  auto source = MakeRandomCalibration(*model.graph, 2, 0, {{"N", 1}});
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  QuantizeOptions qo;
  qo.policy.per_channel = true;
  auto q = QuantizeModel(model, source->get(), qo);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  std::vector<runtime::Feeds> feeds;
  for (uint64_t seed : {8, 9}) {
    auto f = runtime::MakeRandomFeeds(*model.graph, seed, {{"N", 1}});
    ASSERT_TRUE(f.ok());
    feeds.push_back(*f);
  }
  auto executor = runtime::Executor::Create(model);
  ASSERT_TRUE(executor.ok()) << executor.status().ToString();
  auto ran = (*executor)->Run(feeds[1]);
  ASSERT_TRUE(ran.ok()) << ran.status().ToString();
  const std::vector<Tensor> ref = *ran;
  auto bytes = onnx_io::SerializeModel(model);
  ASSERT_TRUE(bytes.ok());
  auto lowered = onnx_io::ParseModel(bytes->data(), bytes->size());
  ASSERT_TRUE(lowered.ok()) << lowered.status().ToString();
  ASSERT_TRUE(passes::LowerQdq(*lowered).ok());
  EXPECT_GE(testing::CountOps(*lowered->graph, "QLinearConv"), 50);
  std::vector<std::vector<Tensor>> outs[2];
  int64_t channels_last_values[2] = {0, 0};
  for (int on = 0; on < 2; ++on) {
    runtime::fast::SessionOptions opt;
    opt.channels_last = on == 1;
    auto session = runtime::fast::Session::Create(*lowered, opt);
    ASSERT_TRUE(session.ok()) << session.status().ToString();
    for (const auto& f : feeds) {  // the first Run decides the layouts, the second uses them
      auto got = (*session)->Run(f);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      outs[on].push_back(*got);
    }
    channels_last_values[on] = (*session)->stats().channels_last_values;
  }
  EXPECT_EQ(channels_last_values[0], 0);
  // Without VNNI the int8 convolutions run on the reference kernels, all values plain.
  if (runtime::fast::Int8DotExact()) EXPECT_GE(channels_last_values[1], 50);
  ASSERT_EQ(outs[1][1].size(), 1u);
  EXPECT_EQ(shrink::testing::MaxAbsDiff(outs[1][1][0], outs[0][1][0]), 0.0);
  double max_ref = 0;
  for (int64_t i = 0; i < ref[0].numel(); ++i)
    max_ref = std::max(max_ref, std::abs(static_cast<double>(ref[0].data<float>()[i])));
  // As in qdq_resnet_test: one requantization step per layer at most, a small share of the logits.
  EXPECT_LE(shrink::testing::MaxAbsDiff(outs[1][1][0], ref[0]), 0.1 * max_ref);
}

}  // namespace
}  // namespace shrink::quant
