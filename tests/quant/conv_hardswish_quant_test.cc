// End to end: a float model with Conv + decomposed hard-swish (x * Clip(x + 3, 0, 6) / 6, after a
// constant scale / shift as PaddleOCR exports it) quantized statically (per-channel weights,
// activations on random calibration batches), then lowered for the fast runtime.
// Checks: the quantized file stays standard ONNX (opset 14 HardSwish, QuantizeLinear on the
// HardSwish outputs, none on the Conv outputs they read); the lowered plan runs each Conv +
// HardSwish as one oneDNN int8 step (com.shrink QLinearConvAct); its output agrees with the QDQ
// model on the reference executor within a few output quantization steps (bias rounding and ties
// differ by one step per layer), and with the float model within 5% of the output range (8-bit
// activations over three layers).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "ir/builder.h"
#include "passes/fuse_qdq_ops.h"
#include "passes/pattern_util.h"
#include "quant/calibration.h"
#include "quant/probe.h"
#include "quant/quantize.h"
#include "quant_test_util.h"
#include "runtime/executor.h"
#include "runtime/fast/int8_exact.h"
#include "runtime/fast/session.h"
#include "runtime/random_inputs.h"

namespace shrink::quant {
namespace {

using ir::MakeAttr;
using ir::Value;

Value* F(ir::GraphBuilder& b, float v) { return b.Const("", Tensor::Scalar<float>(v)); }

// Paddle's x * Clip(x + 3, 0, 6) / 6 (opset 13: Clip bounds as inputs).
Value* HardSwish(ir::GraphBuilder& b, Value* x) {
  Value* c = b.Op("Clip", {b.Op("Add", {x, F(b, 3.0f)}), F(b, 0.0f), F(b, 6.0f)});
  return b.Op("Div", {b.Op("Mul", {x, c}), F(b, 6.0f)});
}

// x[1, 3, 10, 10] -> Conv 3x3 -> *1.3 + 0.2 -> hswish -> Conv 1x1 -> hswish -> Conv 1x1 -> y.
ir::Model ConvHardSwishNet() {
  ir::Model m = ir::MakeModel(13);
  ir::GraphBuilder b(*m.graph);
  Value* x = b.Input("x", DataType::kFloat32, Shape{1, 3, 10, 10});
  Value* c1 = b.Op("Conv",
                   {x, b.Const("w1", testing::RandomFloats({8, 3, 3, 3}, 0.4f, 1)),
                    b.Const("b1", testing::RandomFloats({8}, 0.2f, 2))},
                   {MakeAttr("pads", std::vector<int64_t>{1, 1, 1, 1})}, "conv1");
  Value* a1 = b.Op("Add", {b.Op("Mul", {F(b, 1.3f), c1}), F(b, 0.2f)});
  Value* h1 = HardSwish(b, a1);
  Value* c2 = b.Op("Conv",
                   {h1, b.Const("w2", testing::RandomFloats({16, 8, 1, 1}, 0.4f, 3)),
                    b.Const("b2", testing::RandomFloats({16}, 0.2f, 4))},
                   {}, "conv2");
  Value* h2 = HardSwish(b, c2);
  Value* y =
      b.Op("Conv", {h2, b.Const("w3", testing::RandomFloats({4, 16, 1, 1}, 0.3f, 5))}, {}, "conv3");
  b.Output(y, "y");
  return m;
}

Tensor RunReference(const ir::Model& m, const runtime::Feeds& feeds) {
  auto exec = runtime::Executor::Create(m);
  EXPECT_TRUE(exec.ok()) << exec.status().ToString();
  if (!exec.ok()) return {};
  auto out = (*exec)->Run(feeds);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? (*out)[0] : Tensor();
}

double MaxAbs(const Tensor& t) {
  double v = 0;
  for (int64_t i = 0; i < t.numel(); ++i) v = std::max(v, std::fabs(t.GetAsDouble(i)));
  return v;
}
double MaxDiff(const Tensor& a, const Tensor& b) {
  double v = 0;
  for (int64_t i = 0; i < a.numel(); ++i)
    v = std::max(v, std::fabs(a.GetAsDouble(i) - b.GetAsDouble(i)));
  return v;
}

// ConvHardSwishNet quantized statically (per-channel weights, random calibration).
Expected<ir::Model> Quantized(bool fold_hardswish) {
  SHRINK_ASSIGN_OR_RETURN(ir::Model q, CloneModel(ConvHardSwishNet()));
  QuantizeOptions o;
  o.policy.per_channel = true;
  o.policy.fold_hardswish = fold_hardswish;
  SHRINK_ASSIGN_OR_RETURN(auto calib, MakeRandomCalibration(*q.graph, 8, 1));
  SHRINK_RETURN_IF_ERROR(QuantizeModel(q, calib.get(), o).status());
  return q;
}

// QuantizeLinear nodes reading a HardSwish output / a Conv output (conv3, the last, aside).
struct Quantizers {
  int after_act = 0, conv_out = 0;
};
Quantizers CountQuantizers(const ir::Model& q) {
  Quantizers c;
  for (const auto& n : q.graph->nodes()) {
    if (n->op_type() != "QuantizeLinear") continue;
    const ir::Node* p = n->input(0)->producer();
    c.after_act += passes::IsOp(p, "HardSwish");
    c.conv_out += passes::IsOp(p, "Conv") && p->name() != "conv3";
  }
  return c;
}

// The largest output quantization step of `q` (bounds how far the int8 plan may drift from it).
double MaxStep(const ir::Model& q) {
  double step = 0;
  for (const auto& n : q.graph->nodes())
    if (n->op_type() == "QuantizeLinear")
      step = std::max(step, passes::ConstantOf(n->input(1))->GetAsDouble(0));
  return step;
}

// `q` lowered for the fast runtime (passes::LowerQdq) and run once with profiling.
struct LoweredRun {
  Tensor y;
  std::vector<runtime::fast::StepProfile> profile;
};
Expected<LoweredRun> RunLowered(const ir::Model& q, const runtime::Feeds& feeds) {
  SHRINK_ASSIGN_OR_RETURN(ir::Model lowered, CloneModel(q));
  SHRINK_RETURN_IF_ERROR(passes::LowerQdq(lowered).status());
  runtime::fast::SessionOptions so;
  so.profile = true;
  SHRINK_ASSIGN_OR_RETURN(auto s, runtime::fast::Session::Create(lowered, so));
  SHRINK_ASSIGN_OR_RETURN(std::vector<Tensor> out, s->Run(feeds));
  return LoweredRun{out[0], s->Profile()};
}

const runtime::Feeds kFeeds = {
    {"x", runtime::RandomTensor(DataType::kFloat32, Shape{1, 3, 10, 10}, 9)}};

TEST(ConvHardSwishQuant, QuantizesHardSwishOutputsAndRunsFused) {
  Expected<ir::Model> q = Quantized(true);
  ASSERT_TRUE(q.ok()) << q.status().ToString();

  // Standard ONNX: HardSwish at opset 14, quantized after the activation, not between.
  EXPECT_EQ(q->OpsetFor(""), 14);
  int hardswish = 0;
  for (const auto& n : q->graph->nodes()) {
    EXPECT_TRUE(n->domain().empty()) << n->Describe();
    hardswish += n->op_type() == "HardSwish";
  }
  EXPECT_EQ(hardswish, 2);
  const Quantizers c = CountQuantizers(*q);
  EXPECT_EQ(c.after_act, 2);
  EXPECT_EQ(c.conv_out, 0);

  const Tensor y_float = RunReference(ConvHardSwishNet(), kFeeds);
  const Tensor y_qdq = RunReference(*q, kFeeds);
  Expected<LoweredRun> fast = RunLowered(*q, kFeeds);
  ASSERT_TRUE(fast.ok()) << fast.status().ToString();
  const Tensor& y_fast = fast->y;
  int fused = 0;
  for (const auto& p : fast->profile)
    fused += p.backend != "reference" && p.op_type.rfind("QLinearConvAct", 0) == 0;
  EXPECT_EQ(fused, runtime::fast::Int8DotExact() ? 2 : 0);  // without VNNI: reference kernels

  ASSERT_EQ(y_fast.shape(), y_float.shape());
  ASSERT_EQ(y_qdq.shape(), y_float.shape());
  // Output quantization step of y (conv3's output, quantized when the policy quantizes outputs;
  // otherwise the step of its input h2 bounds the difference the same way).
  const double step = MaxStep(*q);
  ASSERT_GT(step, 0.0);
  EXPECT_LE(MaxDiff(y_fast, y_qdq), 4 * step);
  const double range = MaxAbs(y_float);
  EXPECT_GT(range, 0.0);
  EXPECT_LE(MaxDiff(y_fast, y_float), 0.05 * range);
}

// fold_hardswish = false: each Conv output is quantized too (DQ -> Conv -> Q, the form ONNX Runtime
// fuses into QLinearConv), the HardSwish runs between DQ and Q, and the lowered plan runs the convs
// as plain QLinearConv; the result still agrees with the QDQ model.
TEST(ConvHardSwishQuant, UnfoldedQuantizesConvOutputsForOnnxRuntime) {
  Expected<ir::Model> q = Quantized(false);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  const Quantizers c = CountQuantizers(*q);
  EXPECT_EQ(c.after_act, 2);
  EXPECT_EQ(c.conv_out, 2);

  const Tensor y_qdq = RunReference(*q, kFeeds);
  Expected<LoweredRun> fast = RunLowered(*q, kFeeds);
  ASSERT_TRUE(fast.ok()) << fast.status().ToString();
  int qlinear = 0;
  for (const auto& p : fast->profile) qlinear += p.op_type == "QLinearConv";
  EXPECT_GE(qlinear, 2);
  const double step = MaxStep(*q);
  ASSERT_GT(step, 0.0);
  EXPECT_LE(MaxDiff(fast->y, y_qdq), 4 * step);
}

}  // namespace
}  // namespace shrink::quant
