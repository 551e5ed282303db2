// GPTQ weight rounding of static int8 quantization (static_gptq.h): on a MatMul and a Conv model
// whose quantized layers see correlated inputs, the held-out output error of the QDQ model (run by
// our executor) is below RTN's, the scales are RTN's, codes stay on the int8 grid, depthwise Conv
// keeps RTN codes, and bad options are refused.
#include "quant/static_gptq.h"

#include <gtest/gtest.h>

#include <iostream>

#include "quant/quantize.h"
#include "quant_test_util.h"
#include "runtime/executor.h"
#include "runtime/random_inputs.h"

namespace shrink::quant {
namespace {

using ir::MakeAttr;
using testing::HeldOutRelError;
using testing::MatMulModel;
using testing::RandomFloats;

// x[N, 3, 10, 10] -> Conv 1x1 (mix, 12: correlated channels) -> depthwise Conv 3x3 (12) ->
// Conv 3x3 (8, stride 2, pads 1, dilation 1) -> y.
ir::Model ConvModel() {
  ir::Model m = ir::MakeModel(17);
  ir::GraphBuilder b(*m.graph);
  auto* x =
      b.Input("x", DataType::kFloat32,
              {ir::Dim::Symbol("N"), ir::Dim::Known(3), ir::Dim::Known(10), ir::Dim::Known(10)});
  auto* h = b.Op("Conv", {x, b.Const("wm", RandomFloats({12, 3, 1, 1}, 1.0f, 7))}, {}, "mix");
  h = b.Op("Conv",
           {h, b.Const("wd", RandomFloats({12, 1, 3, 3}, 0.5f, 8)),
            b.Const("bd", RandomFloats({12}, 0.1f, 9))},
           {MakeAttr("group", int64_t{12}), MakeAttr("pads", std::vector<int64_t>{1, 1, 1, 1})},
           "dw");
  auto* y = b.Op("Conv",
                 {h, b.Const("wc", RandomFloats({8, 12, 3, 3}, 0.1f, 10)),
                  b.Const("bc", RandomFloats({8}, 0.1f, 11))},
                 {MakeAttr("strides", std::vector<int64_t>{2, 2}),
                  MakeAttr("pads", std::vector<int64_t>{1, 1, 1, 1})},
                 "conv");
  b.Output(y, "y");
  return m;
}

struct Quantized {
  ir::Model model;
  QuantizeResult result;
};

Quantized Quantize(ir::Model (*make)(), WeightRounding rounding, bool per_channel, bool symmetric) {
  Quantized q{make(), {}};
  QuantizeOptions o;
  o.policy.per_channel = per_channel;
  o.policy.weight_symmetric = symmetric;
  o.weight_rounding = rounding;
  auto src = MakeRandomCalibration(*q.model.graph, 6, 0, {{"N", 16}});
  EXPECT_TRUE(src.ok());
  auto r = QuantizeModel(q.model, src->get(), o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (r.ok()) q.result = *r;
  return q;
}

// The DequantizeLinear that feeds input 1 (the weight) of node `name`.
const ir::Node* WeightDq(const ir::Model& m, const std::string& name) {
  const ir::Node* n = testing::FindNode(*m.graph, name);
  if (!n || !n->input(1) || !n->input(1)->producer()) return nullptr;
  const ir::Node* dq = n->input(1)->producer();
  return dq->op_type() == "DequantizeLinear" ? dq : nullptr;
}

std::vector<double> Values(const Tensor& t) {
  std::vector<double> v(static_cast<size_t>(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) v[static_cast<size_t>(i)] = t.GetAsDouble(i);
  return v;
}

void ExpectSameScalesAndGridCodes(const Quantized& rtn, const Quantized& gptq,
                                  const std::string& node, bool symmetric, bool codes_differ) {
  const ir::Node* a = WeightDq(rtn.model, node);
  const ir::Node* b = WeightDq(gptq.model, node);
  ASSERT_NE(a, nullptr) << node;
  ASSERT_NE(b, nullptr) << node;
  EXPECT_EQ(Values(a->input(1)->data()), Values(b->input(1)->data())) << node << " scales";
  EXPECT_EQ(Values(a->input(2)->data()), Values(b->input(2)->data())) << node << " zero points";
  const Tensor& codes = b->input(0)->data();
  ASSERT_EQ(codes.dtype(), DataType::kInt8) << node;
  ASSERT_EQ(codes.shape(), a->input(0)->data().shape()) << node;
  for (double c : Values(codes)) {
    ASSERT_LE(c, 127) << node;
    ASSERT_GE(c, symmetric ? -127 : -128) << node;
  }
  if (codes_differ)
    EXPECT_NE(Values(a->input(0)->data()), Values(codes)) << node;
  else
    EXPECT_EQ(Values(a->input(0)->data()), Values(codes)) << node;
}

TEST(StaticGptq, MatMulModelLowerHeldOutErrorThanRtn) {
  const ir::Model reference = MatMulModel();
  for (bool per_channel : {true, false}) {
    const bool symmetric = per_channel;  // per-tensor asymmetric covers the zero-point grid
    const Quantized rtn = Quantize(MatMulModel, WeightRounding::kRtn, per_channel, symmetric);
    const Quantized gptq = Quantize(MatMulModel, WeightRounding::kGptq, per_channel, symmetric);
    const double e_rtn = HeldOutRelError(rtn.model, reference);
    const double e_gptq = HeldOutRelError(gptq.model, reference);
    std::cout << "MatMul model per_channel=" << per_channel << " held-out relative error: rtn "
              << e_rtn << ", gptq " << e_gptq << "\n";
    EXPECT_LT(e_gptq, e_rtn) << per_channel;
    EXPECT_EQ(gptq.result.stats.quantized_weights, rtn.result.stats.quantized_weights);
    ASSERT_EQ(gptq.result.gptq.layers.size(), 3u);  // mix, layer, fc (Gemm transB)
    for (const GptqLayerStats& l : gptq.result.gptq.layers) {
      EXPECT_GT(l.samples, 0) << l.node;
      EXPECT_LE(l.output_rel_error, l.rtn_output_rel_error) << l.node;
    }
    EXPECT_TRUE(rtn.result.gptq.layers.empty());
    for (const char* node : {"layer", "fc"})
      ExpectSameScalesAndGridCodes(rtn, gptq, node, symmetric, true);
  }
}

TEST(StaticGptq, ConvModelLowerHeldOutErrorAndDepthwiseKeepsRtn) {
  const ir::Model reference = ConvModel();
  const Quantized rtn = Quantize(ConvModel, WeightRounding::kRtn, true, true);
  const Quantized gptq = Quantize(ConvModel, WeightRounding::kGptq, true, true);
  const double e_rtn = HeldOutRelError(rtn.model, reference);
  const double e_gptq = HeldOutRelError(gptq.model, reference);
  std::cout << "Conv model held-out relative error: rtn " << e_rtn << ", gptq " << e_gptq << "\n";
  EXPECT_LT(e_gptq, e_rtn);
  ASSERT_EQ(gptq.result.gptq.layers.size(), 2u);  // mix and conv; the depthwise one keeps RTN
  for (const GptqLayerStats& l : gptq.result.gptq.layers) {
    EXPECT_NE(l.node, "dw");
    // mix reads the uncorrelated model input (a diagonal Hessian: GPTQ = RTN); conv does not.
    if (l.node == "conv")
      EXPECT_LT(l.output_rel_error, l.rtn_output_rel_error);
    else
      EXPECT_LE(l.output_rel_error, l.rtn_output_rel_error) << l.node;
  }
  ExpectSameScalesAndGridCodes(rtn, gptq, "conv", true, true);
  ExpectSameScalesAndGridCodes(rtn, gptq, "dw", true, false);
}

TEST(StaticGptq, BadOptionsAndSchemeName) {
  EXPECT_EQ(ParseWeightRounding("gptq").value(), WeightRounding::kGptq);
  auto bad = ParseWeightRounding("foo");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("rtn or gptq"), std::string::npos);

  ir::Model m = MatMulModel();
  auto src = MakeRandomCalibration(*m.graph, 2, 0, {{"N", 4}});
  ASSERT_TRUE(src.ok());
  QuantizeOptions o;
  o.weight_rounding = WeightRounding::kGptq;
  o.dynamic = true;
  EXPECT_EQ(QuantizeModel(m, src->get(), o).status().code(), StatusCode::kInvalidArgument);
  o.dynamic = false;
  EXPECT_EQ(QuantizeModel(m, nullptr, o).status().code(), StatusCode::kInvalidArgument);
  o.gptq.damp = 0;
  auto r = QuantizeModel(m, src->get(), o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("damping"), std::string::npos);
  o.gptq.damp = 0.01;
  o.gptq.max_rows_per_batch = 0;
  EXPECT_EQ(QuantizeModel(m, src->get(), o).status().code(), StatusCode::kInvalidArgument);

  QuantizeOptions names;
  EXPECT_EQ(SchemeName(names).find("gptq"), std::string::npos);
  names.weight_rounding = WeightRounding::kGptq;
  const std::string s = SchemeName(names);
  EXPECT_EQ(s.substr(s.size() - 5), "_gptq") << s;
}

// Row sampling (max_rows_per_batch) still finds the error-minimising codes on the Conv model.
TEST(StaticGptq, RowCapStillHelps) {
  const ir::Model reference = ConvModel();
  const Quantized rtn = Quantize(ConvModel, WeightRounding::kRtn, true, true);
  ir::Model m = ConvModel();
  QuantizeOptions o;
  o.policy.per_channel = true;
  o.weight_rounding = WeightRounding::kGptq;
  o.gptq.max_rows_per_batch = 64;
  o.gptq.max_hessian_bytes = 1;  // one layer per calibration pass
  auto src = MakeRandomCalibration(*m.graph, 6, 0, {{"N", 16}});
  ASSERT_TRUE(src.ok());
  auto r = QuantizeModel(m, src->get(), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->gptq.calibration_passes, 2);
  for (const GptqLayerStats& l : r->gptq.layers) EXPECT_EQ(l.samples, 6 * 64) << l.node;
  EXPECT_LT(HeldOutRelError(m, reference), HeldOutRelError(rtn.model, reference));
}

}  // namespace
}  // namespace shrink::quant
