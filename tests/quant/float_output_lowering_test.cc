// End to end: a model quantized with float outputs (QuantPolicy::quantize_outputs = false, what
// `shrink quantize --no-output-quant` does) lowered for the fast runtime with and without
// passes::FuseQdqFloatOutput. With the pass its Conv / MatMul run as oneDNN int8 kernels with a
// float32 output (com.shrink QConvFloat / QMatMulFloat) instead of float kernels on dequantized
// tensors; the outputs must agree within kRelTol of the largest output magnitude. Both compute
// the same products of the same 8-bit values, so they differ by float32 rounding only, plus the
// rare activation whose next QuantizeLinear rounds a near-tie the other way (one step of that
// activation's scale, diluted by the layers after it).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "ir/builder.h"
#include "passes/dead_code_elimination.h"
#include "passes/fuse_qdq.h"
#include "passes/fuse_qdq_gemm.h"
#include "passes/fuse_qdq_ops.h"
#include "passes/pass_manager.h"
#include "quant/calibration.h"
#include "quant/probe.h"
#include "quant/quantize.h"
#include "quant_test_util.h"
#include "runtime/fast/int8_exact.h"
#include "runtime/fast/session.h"
#include "runtime/random_inputs.h"

namespace shrink::quant {
namespace {

constexpr double kRelTol = 1e-3;

// x[2, 5, 16] -> MatMul(16 x 12) -> Relu -> MatMul(12 x 4): MatMul with a rank-3 A.
ir::Model SmallMlp() {
  ir::Model m = ir::MakeModel(17);
  ir::GraphBuilder b(*m.graph);
  auto* x = b.Input("x", DataType::kFloat32, Shape{2, 5, 16});
  auto* h =
      b.Op("MatMul", {x, b.Const("w1", testing::RandomFloats({16, 12}, 0.3f, 11))}, {}, "mm1");
  auto* r = b.Op("Relu", {h}, {}, "relu");
  b.Output(b.Op("MatMul", {r, b.Const("w2", testing::RandomFloats({12, 4}, 0.3f, 12))}, {}, "mm2"),
           "y");
  return m;
}

struct Run {
  Tensor y;
  int int8_float_steps = 0;  // QConvFloat / QMatMulFloat steps on oneDNN
};

Run RunFast(const ir::Model& qdq, bool with_pass, const runtime::Feeds& feeds) {
  auto copy = CloneModel(qdq);
  EXPECT_TRUE(copy.ok()) << copy.status().ToString();
  if (!copy.ok()) return {};
  ir::Model m = std::move(*copy);
  if (with_pass) {
    EXPECT_TRUE(passes::LowerQdq(m).ok());
  } else {  // LowerQdq as it was before fuse_qdq_float_output
    passes::PassManager pm;
    pm.Add(std::make_unique<passes::FuseQdq>());
    pm.Add(std::make_unique<passes::FuseQdqGemm>());
    pm.Add(std::make_unique<passes::FuseQdqOps>());
    pm.Add(std::make_unique<passes::DeadCodeElimination>());
    EXPECT_TRUE(pm.Run(m).ok());
  }
  runtime::fast::SessionOptions opt;
  opt.profile = true;
  auto s = runtime::fast::Session::Create(m, opt);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  if (!s.ok()) return {};
  auto out = (*s)->Run(feeds);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  if (!out.ok()) return {};
  Run r{(*out)[0]};
  for (const auto& p : (*s)->Profile())
    if (p.backend == "onednn" &&
        (p.op_type.rfind("QConvFloat", 0) == 0 || p.op_type.rfind("QMatMulFloat", 0) == 0))
      ++r.int8_float_steps;
  return r;
}

void ExpectSameWithAndWithoutPass(ir::Model model, const Shape& x_shape, int want_steps) {
  QuantizeOptions o;
  o.policy.per_channel = true;
  o.policy.quantize_outputs = false;
  auto calib = MakeRandomCalibration(*model.graph, 4, 1, {{"N", x_shape[0]}});
  ASSERT_TRUE(calib.ok()) << calib.status().ToString();
  auto q = QuantizeModel(model, calib->get(), o);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  const runtime::Feeds feeds = {
      {model.graph->inputs()[0]->name(), runtime::RandomTensor(DataType::kFloat32, x_shape, 9)}};
  const Run before = RunFast(model, false, feeds), after = RunFast(model, true, feeds);
  EXPECT_EQ(before.int8_float_steps, 0);
  // Without VNNI the int8 products run on the reference kernels.
  EXPECT_EQ(after.int8_float_steps, runtime::fast::Int8DotExact() ? want_steps : 0);
  ASSERT_EQ(after.y.shape(), before.y.shape());
  double max_abs = 0, max_diff = 0;
  for (int64_t i = 0; i < before.y.numel(); ++i) {
    max_abs = std::max(max_abs, std::fabs(before.y.GetAsDouble(i)));
    max_diff = std::max(max_diff, std::fabs(before.y.GetAsDouble(i) - after.y.GetAsDouble(i)));
  }
  EXPECT_GT(max_abs, 0.0);
  EXPECT_LE(max_diff, kRelTol * max_abs);
}

// The first layer's output feeds the second quantized layer (its Relu folded into that input's
// QuantizeLinear), so it stays QLinearConv / QLinearMatMul; the last one has a float output.
TEST(FloatOutputLowering, ConvNetAgreesWithAndWithoutPass) {
  ExpectSameWithAndWithoutPass(testing::SmallConvNet(8), {2, 3, 8, 8}, 1);
}

TEST(FloatOutputLowering, MlpAgreesWithAndWithoutPass) {
  ExpectSameWithAndWithoutPass(SmallMlp(), {2, 5, 16}, 1);
}

}  // namespace
}  // namespace shrink::quant
