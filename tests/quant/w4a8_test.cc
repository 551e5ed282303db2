// W4A8: int4 weight codes with 8-bit activations (QuantPolicy::int4_weights). The file holds
// int4 DequantizeLinear weights (opset 21) per output channel on the symmetric [-7, 7] grid;
// layers are picked by name globs; GPTQ rounds on the 4-bit grid; shrink's fast runtime widens
// the codes (passes::WidenInt4Weights) and runs the 8-bit kernels, agreeing with the reference
// executor's run of the same file; dynamic and QOperator requests are refused.
#include <gtest/gtest.h>

#include <cmath>

#include "ir/builder.h"
#include "passes/fuse_qdq_ops.h"
#include "passes/pattern_util.h"
#include "quant/probe.h"
#include "quant/quantize.h"
#include "quant_test_util.h"
#include "runtime/executor.h"
#include "runtime/fast/session.h"
#include "runtime/random_inputs.h"

namespace shrink::quant {
namespace {

using testing::HeldOutRelError;
using testing::MatMulModel;

QuantizeResult Quantize(ir::Model& m, std::vector<std::string> int4, bool gptq = false) {
  QuantizeOptions o;
  o.policy.per_channel = true;
  o.policy.int4_weights = std::move(int4);
  if (gptq) o.weight_rounding = WeightRounding::kGptq;
  auto src = MakeRandomCalibration(*m.graph, 6, 0, {{"N", 16}});
  EXPECT_TRUE(src.ok());
  auto r = QuantizeModel(m, src->get(), o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : QuantizeResult{};
}

// The code tensor of the weight DequantizeLinear feeding `node` (nullptr when there is none).
const Tensor* WeightCodes(const ir::Model& m, const std::string& node) {
  for (const auto& n : m.graph->nodes())
    if (n->name() == node) {
      const ir::Node* dq = passes::ProducerIs(n->input(1), "DequantizeLinear");
      return dq ? passes::ConstantOf(dq->input(0)) : nullptr;
    }
  return nullptr;
}

TEST(W4A8, Int4PerChannelCodesAtOpset21AndCoarserThanInt8) {
  const ir::Model reference = MatMulModel();
  ir::Model w4 = MatMulModel(), w8 = MatMulModel();
  const QuantizeResult r = Quantize(w4, {"*"});
  Quantize(w8, {});
  EXPECT_EQ(r.stats.quantized_weights, 3);
  EXPECT_GE(w4.OpsetFor(""), 21);
  EXPECT_EQ(w8.OpsetFor(""), 17);
  for (const char* node : {"mix", "layer", "fc"}) {
    const Tensor* q = WeightCodes(w4, node);
    ASSERT_NE(q, nullptr) << node;
    EXPECT_EQ(q->dtype(), DataType::kInt4) << node;
    double lo = 0, hi = 0;
    for (int64_t i = 0; i < q->numel(); ++i) {
      lo = std::min(lo, q->GetAsDouble(i));
      hi = std::max(hi, q->GetAsDouble(i));
    }
    EXPECT_GE(lo, -7) << node;
    EXPECT_EQ(std::max(-lo, hi), 7) << node;  // each channel's largest weight takes the top code
    ASSERT_NE(WeightCodes(w8, node), nullptr);
    EXPECT_EQ(WeightCodes(w8, node)->dtype(), DataType::kInt8) << node;
  }
  const double e4 = HeldOutRelError(w4, reference), e8 = HeldOutRelError(w8, reference);
  std::cout << "held-out relative error: W8A8 " << e8 << ", W4A8 " << e4 << "\n";
  EXPECT_GT(e4, e8);
  EXPECT_LT(e4, 0.05);
}

TEST(W4A8, GlobsPickTheLayers) {
  ir::Model m = MatMulModel();
  Quantize(m, {"la*"});
  ASSERT_NE(WeightCodes(m, "layer"), nullptr);
  EXPECT_EQ(WeightCodes(m, "layer")->dtype(), DataType::kInt4);
  EXPECT_EQ(WeightCodes(m, "mix")->dtype(), DataType::kInt8);
  EXPECT_EQ(WeightCodes(m, "fc")->dtype(), DataType::kInt8);
}

TEST(W4A8, GptqRoundsOnTheFourBitGrid) {
  const ir::Model reference = MatMulModel();
  ir::Model rtn = MatMulModel(), gptq = MatMulModel();
  Quantize(rtn, {"*"});
  const QuantizeResult g = Quantize(gptq, {"*"}, true);
  ASSERT_EQ(g.gptq.layers.size(), 3u);
  for (const char* node : {"mix", "layer", "fc"})
    EXPECT_EQ(WeightCodes(gptq, node)->dtype(), DataType::kInt4) << node;
  const double e_rtn = HeldOutRelError(rtn, reference), e_gptq = HeldOutRelError(gptq, reference);
  std::cout << "W4A8 held-out relative error: rtn " << e_rtn << ", gptq " << e_gptq << "\n";
  EXPECT_LT(e_gptq, e_rtn);
}

// The fast runtime lowers every W4A8 unit to an 8-bit kernel (no int4 DequantizeLinear is left)
// and agrees with the reference executor's run of the file within two output steps (the
// reference requantizes nothing between the units; the kernels round each output once).
TEST(W4A8, FastRuntimeRunsTheEightBitKernels) {
  ir::Model m = testing::SmallConvNet(8);
  const QuantizeResult r = Quantize(m, {"*"});
  EXPECT_EQ(r.stats.quantized_weights, 3);
  const runtime::Feeds feeds = {{"x", runtime::RandomTensor(DataType::kFloat32, {2, 3, 8, 8}, 21)}};
  auto ex = runtime::Executor::Create(m);
  ASSERT_TRUE(ex.ok());
  auto ref = (*ex)->Run(feeds);
  ASSERT_TRUE(ref.ok()) << ref.status().ToString();
  auto lowered = CloneModel(m);
  ASSERT_TRUE(lowered.ok());
  ASSERT_TRUE(passes::LowerQdq(*lowered).ok());
  for (const auto& n : lowered->graph->nodes())
    if (n->op_type() == "DequantizeLinear") {
      const Tensor* q = passes::ConstantOf(n->input(0));
      EXPECT_TRUE(!q || q->dtype() != DataType::kInt4) << n->Describe();
    }
  runtime::fast::SessionOptions opt;
  opt.profile = true;
  auto s = runtime::fast::Session::Create(*lowered, opt);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto fast = (*s)->Run(feeds);
  ASSERT_TRUE(fast.ok()) << fast.status().ToString();
  int int8_steps = 0;
  for (const auto& p : (*s)->Profile())
    int8_steps += p.backend != "reference" &&
                  (p.op_type.rfind("QLinearConv", 0) == 0 || p.op_type.rfind("QGemm", 0) == 0);
  // 4-bit codes are within 7 bits: exact on the int8 kernels without VNNI too (int8_exact.h).
  EXPECT_EQ(int8_steps, 3);
  double step = 0;
  for (const auto& a : r.activations)
    if (a.name == "logits") step = a.params.scale;
  ASSERT_GT(step, 0);
  double diff = 0;
  for (int64_t i = 0; i < (*ref)[0].numel(); ++i)
    diff = std::max(diff, std::fabs((*ref)[0].GetAsDouble(i) - (*fast)[0].GetAsDouble(i)));
  EXPECT_LE(diff / step, 2.0);
}

TEST(W4A8, DynamicAndQOperatorAreRefused) {
  for (bool dynamic : {true, false}) {
    ir::Model m = MatMulModel();
    QuantizeOptions o;
    o.policy.int4_weights = {"*"};
    o.dynamic = dynamic;
    if (!dynamic) o.format = QuantFormat::kQOperator;
    auto src = MakeRandomCalibration(*m.graph, 2, 0, {{"N", 4}});
    ASSERT_TRUE(src.ok());
    auto r = QuantizeModel(m, src->get(), o);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("QDQ"), std::string::npos) << r.status().ToString();
  }
}

}  // namespace
}  // namespace shrink::quant
