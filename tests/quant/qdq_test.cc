#include "quant/qdq.h"

#include <gtest/gtest.h>

#include <cmath>

#include "onnx/export.h"
#include "passes/pattern_util.h"
#include "quant/dynamic.h"
#include "quant/quantize.h"
#include "quant_test_util.h"
#include "runtime/executor.h"
#include "runtime/random_inputs.h"

namespace shrink::quant {
namespace {

using testing::CountOps;
using testing::FindNode;
using testing::SmallConvNet;

double Sqnr(const Tensor& f, const Tensor& q) {
  double s = 0, n = 0;
  for (int64_t i = 0; i < f.numel(); ++i) {
    s += f.GetAsDouble(i) * f.GetAsDouble(i);
    n += std::pow(f.GetAsDouble(i) - q.GetAsDouble(i), 2);
  }
  return 10 * std::log10(s / n);
}

// Inputs like the calibration batches (runtime::MakeRandomFeeds: uniform in [-1, 1)).
Tensor Input(uint64_t seed) {
  return runtime::RandomTensor(DataType::kFloat32, {2, 3, 8, 8}, seed);
}

Tensor RunRef(const ir::Model& m, const Tensor& x) {
  auto ex = runtime::Executor::Create(m);
  EXPECT_TRUE(ex.ok()) << ex.status().ToString();
  auto out = (*ex)->Run({{"x", x}});
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? (*out)[0] : Tensor();
}

Expected<QuantizeResult> Quantize(ir::Model& m, const QuantizeOptions& o) {
  auto src = MakeRandomCalibration(*m.graph, 3, 0, {{"N", 4}});
  if (!src.ok()) return src.status();
  return QuantizeModel(m, src->get(), o);
}

// The scale constant feeding DequantizeLinear `v`'s producer.
const Tensor* DqScale(const ir::Value* v) {
  const ir::Node* dq = passes::ProducerIs(v, "DequantizeLinear");
  return dq ? passes::ConstantOf(dq->input(1)) : nullptr;
}

TEST(QdqTest, StaticPerChannelStructure) {
  ir::Model m = SmallConvNet();
  QuantizeOptions o;
  o.policy.per_channel = true;
  auto r = Quantize(m, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const ir::Graph& g = *m.graph;
  EXPECT_EQ(CountOps(g, "BatchNormalization"), 0);  // folded first
  EXPECT_EQ(r->stats.quantized_nodes, 3);
  // Activations: x, relu1 out (conv1 output, folded), relu2 out (conv2 output, folded), the
  // flatten output (fc's input) and logits (fc's output).
  EXPECT_EQ(r->stats.quantized_activations, 5);
  EXPECT_EQ(CountOps(g, "QuantizeLinear"), 5);
  EXPECT_EQ(r->stats.folded_activations, 2);
  EXPECT_EQ(CountOps(g, "Relu"), 0);  // u8 zero point 0 saturates exactly like Relu
  for (const char* name : {"conv1", "conv2", "fc"}) {
    const ir::Node* n = FindNode(g, name);
    ASSERT_NE(n, nullptr) << name;
    const ir::Node* wdq = passes::ProducerIs(n->input(1), "DequantizeLinear");
    ASSERT_NE(wdq, nullptr) << name;
    const Tensor* wq = passes::ConstantOf(wdq->input(0));
    ASSERT_NE(wq, nullptr);
    EXPECT_EQ(wq->dtype(), DataType::kInt8);
    const int64_t axis = n->op_type() == "Gemm" ? 0 : 0;  // transB = 1: output channel is dim 0
    EXPECT_EQ(wdq->GetInt("axis", 1), axis);
    EXPECT_EQ(DqScale(n->input(1))->numel(), wq->dim(0));
    // Bias: int32 with scale x_scale * w_scale.
    const ir::Node* bdq = passes::ProducerIs(n->input(2), "DequantizeLinear");
    ASSERT_NE(bdq, nullptr) << name;
    EXPECT_EQ(passes::ConstantOf(bdq->input(0))->dtype(), DataType::kInt32);
    const float xs = DqScale(n->input(0))->data<float>()[0];
    for (int64_t c = 0; c < wq->dim(0); ++c)
      EXPECT_FLOAT_EQ(DqScale(n->input(2))->data<float>()[c],
                      xs * DqScale(n->input(1))->data<float>()[c]);
    // Activation input is uint8-quantized.
    const ir::Node* xdq = passes::ProducerIs(n->input(0), "DequantizeLinear");
    ASSERT_NE(xdq, nullptr);
    EXPECT_EQ(passes::ConstantOf(xdq->input(2))->dtype(), DataType::kUInt8);
  }
  // No float weights left behind.
  for (const ir::Value* v : g.initializers())
    EXPECT_FALSE(v->data().dtype() == DataType::kFloat32 && v->data().numel() > 10) << v->name();
  const Tensor x = Input(42);
  ir::Model f = SmallConvNet();
  EXPECT_GT(Sqnr(RunRef(f, x), RunRef(m, x)), 20);  // 8-bit: ~ 25-40 dB on a 3-layer net
}

TEST(QdqTest, SignedActivationsKeepReluAndPolicyExcludes) {
  ir::Model m = SmallConvNet();
  QuantizeOptions o;
  o.policy.activation_dtype = DataType::kInt8;
  o.policy.exclude = {"conv*"};
  auto r = Quantize(m, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stats.quantized_nodes, 1);  // only fc
  EXPECT_EQ(CountOps(*m.graph, "Relu"), 2);
  const ir::Node* fc = FindNode(*m.graph, "fc");
  const ir::Node* xdq = passes::ProducerIs(fc->input(0), "DequantizeLinear");
  ASSERT_NE(xdq, nullptr);
  const Tensor* zp = passes::ConstantOf(xdq->input(2));
  EXPECT_EQ(zp->dtype(), DataType::kInt8);
  EXPECT_EQ(zp->GetAsDouble(0), 0);
  EXPECT_EQ(passes::ProducerIs(FindNode(*m.graph, "conv1")->input(1), "DequantizeLinear"), nullptr);
}

TEST(QdqTest, KeepFirstLastLeavesOnlyTheMiddle) {
  ir::Model m = SmallConvNet();
  QuantizeOptions o;
  o.policy.keep_first_last = true;
  auto r = Quantize(m, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->nodes, std::vector<std::string>{"conv2"});
  EXPECT_EQ(r->stats.quantized_nodes, 1);
}

TEST(QdqTest, QOperatorFusesConvs) {
  ir::Model m = SmallConvNet();
  QuantizeOptions o;
  o.policy.per_channel = true;
  o.policy.weight_symmetric = true;
  o.format = QuantFormat::kQOperator;
  auto r = Quantize(m, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(ToQOperator(m).ok());
  EXPECT_EQ(CountOps(*m.graph, "QLinearConv"), 2);
  EXPECT_EQ(CountOps(*m.graph, "Conv"), 0);
  EXPECT_EQ(CountOps(*m.graph, "Gemm"), 1);  // no QLinearGemm in ONNX: stays QDQ
  const Tensor x = Input(43);
  EXPECT_GT(Sqnr(RunRef(SmallConvNet(), x), RunRef(m, x)), 20);
}

TEST(QdqTest, DynamicQuantizesGemmWithMatMulInteger) {
  ir::Model m = SmallConvNet();
  QuantizeOptions o;
  o.dynamic = true;
  o.policy.per_channel = true;
  auto r = QuantizeModel(m, nullptr, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stats.quantized_nodes, 1);
  EXPECT_EQ(CountOps(*m.graph, "MatMulInteger"), 1);
  EXPECT_EQ(CountOps(*m.graph, "DynamicQuantizeLinear"), 1);
  EXPECT_EQ(CountOps(*m.graph, "Gemm"), 0);
  EXPECT_EQ(m.graph->outputs()[0]->name(), "logits");
  const Tensor x = Input(44);
  EXPECT_GT(Sqnr(RunRef(SmallConvNet(), x), RunRef(m, x)), 25);
}

TEST(QdqTest, SizeShrinksAboutFourTimes) {
  ir::Model f = SmallConvNet(64);
  ir::Model m = SmallConvNet(64);
  QuantizeOptions o;
  o.policy.per_channel = true;
  ASSERT_TRUE(Quantize(m, o).ok());
  const double before = static_cast<double>(onnx_io::SerializeModel(f)->size());
  const double after = static_cast<double>(onnx_io::SerializeModel(m)->size());
  EXPECT_GE(before / after, 3.5);  // small net: names and scales weigh; zoo test checks >= 3.9
}

TEST(QdqTest, BadInputsGiveClearErrors) {
  // Opset 11 is upgraded to 13 first (per-axis DequantizeLinear needs 13).
  ir::Model up = SmallConvNet(8, 11);
  QuantizeOptions o;
  o.policy.per_channel = true;
  ASSERT_TRUE(Quantize(up, o).ok());
  EXPECT_EQ(up.OpsetFor(""), 13);
  // Below opset 7 there is no upgrade, and no QuantizeLinear: refused, naming the opset.
  ir::Model m = SmallConvNet(8, 6);
  auto r = Quantize(m, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented) << r.status().ToString();
  EXPECT_NE(r.status().message().find("opset"), std::string::npos);
  ir::Model m2 = SmallConvNet();
  EXPECT_EQ(QuantizeModel(m2, nullptr, QuantizeOptions{}).status().code(),
            StatusCode::kInvalidArgument);
  QuantizeOptions bad;
  bad.policy.op_types = {"Softmax"};
  EXPECT_EQ(Quantize(m2, bad).status().code(), StatusCode::kInvalidArgument);
  ir::Model twice = SmallConvNet();
  ASSERT_TRUE(Quantize(twice, QuantizeOptions{}).ok());
  auto again = Quantize(twice, QuantizeOptions{});
  EXPECT_EQ(again.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(again.status().message().find("already quantized"), std::string::npos);
}

// A MatMul of two activations (attention scores) is selected only with activation_matmul; a
// MatMul with a constant weight always.
TEST(PolicyTest, ActivationMatMulOnlyWhenAsked) {
  ir::Model m = ir::MakeModel(17);
  ir::Graph& g = *m.graph;
  ir::Value* x = g.AddInput("x", ir::TypeInfo::Tensor(DataType::kFloat32, {2, 4}));
  ir::Value* w = g.AddInitializer("w", Tensor(DataType::kFloat32, {4, 4}));
  ir::Value* y = g.AddNode("MatMul", {x, w}, {"y"}, {}, "weighted")->output(0);
  ir::Value* t = g.AddNode("Transpose", {y}, {"t"}, {}, "t")->output(0);
  g.AddOutput(g.AddNode("MatMul", {y, t}, {"s"}, {}, "scores")->output(0));
  QuantPolicy p;
  std::vector<ir::Node*> nodes = SelectNodes(g, p);
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_EQ(nodes[0]->name(), "weighted");
  p.activation_matmul = true;
  EXPECT_EQ(SelectNodes(g, p).size(), 2u);
}

TEST(PolicyTest, GlobMatch) {
  EXPECT_TRUE(GlobMatch("conv*", "conv12"));
  EXPECT_TRUE(GlobMatch("*.0.?", "features.0.1"));
  EXPECT_FALSE(GlobMatch("conv", "conv1"));
  EXPECT_TRUE(GlobMatch("fc", "fc"));
}

}  // namespace
}  // namespace shrink::quant
