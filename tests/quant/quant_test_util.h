// Small built models and helpers shared by the quant tests.
#pragma once

#include <random>
#include <string>

#include "ir/builder.h"
#include "ir/model.h"
#include "runtime/executor.h"
#include "runtime/random_inputs.h"

namespace shrink::quant::testing {

inline Tensor RandomFloats(const Shape& shape, float scale, uint32_t seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> d(0, scale);
  Tensor t(DataType::kFloat32, shape);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(gen);
  return t;
}

// x[N, 3, 8, 8] -> Conv(c, 3x3) + BN -> Relu -> Conv(c, 3x3) -> Relu -> GlobalAveragePool ->
// Flatten -> Gemm(10, transB) -> logits.
inline ir::Model SmallConvNet(int64_t c = 8, int64_t opset = 17) {
  ir::Model m = ir::MakeModel(opset);
  ir::GraphBuilder b(*m.graph);
  using ir::MakeAttr;
  auto* x =
      b.Input("x", DataType::kFloat32,
              {ir::Dim::Symbol("N"), ir::Dim::Known(3), ir::Dim::Known(8), ir::Dim::Known(8)});
  const std::vector<ir::Attribute> same = {MakeAttr("pads", std::vector<int64_t>{1, 1, 1, 1})};
  auto* c1 = b.Op("Conv",
                  {x, b.Const("w1", RandomFloats({c, 3, 3, 3}, 0.3f, 1)),
                   b.Const("b1", RandomFloats({c}, 0.1f, 2))},
                  same, "conv1");
  Tensor var = RandomFloats({c}, 0.2f, 3);
  for (int64_t i = 0; i < c; ++i) var.data<float>()[i] = 1 + std::abs(var.data<float>()[i]);
  auto* bn = b.Op(
      "BatchNormalization",
      {c1, b.Const("g", RandomFloats({c}, 0.2f, 4)), b.Const("beta", RandomFloats({c}, 0.1f, 5)),
       b.Const("mean", RandomFloats({c}, 0.1f, 6)), b.Const("var", var)},
      {}, "bn1");
  auto* r1 = b.Op("Relu", {bn}, {}, "relu1");
  auto* c2 = b.Op("Conv",
                  {r1, b.Const("w2", RandomFloats({c, c, 3, 3}, 0.2f, 7)),
                   b.Const("b2", RandomFloats({c}, 0.1f, 8))},
                  same, "conv2");
  auto* r2 = b.Op("Relu", {c2}, {}, "relu2");
  auto* pool = b.Op("GlobalAveragePool", {r2}, {}, "pool");
  auto* flat = b.Op("Flatten", {pool}, {}, "flatten");
  auto* fc = b.Op("Gemm",
                  {flat, b.Const("w3", RandomFloats({10, c}, 0.3f, 9)),
                   b.Const("b3", RandomFloats({10}, 0.1f, 10))},
                  {MakeAttr("transB", 1)}, "fc");
  b.Output(fc, "logits");
  return m;
}

// x[N, 16] -> MatMul(mix [16, 96]: correlated features of rank 16) -> MatMul(w [96, 24]) ->
// Gemm(transB, [12, 24]).
inline ir::Model MatMulModel() {
  ir::Model m = ir::MakeModel(17);
  ir::GraphBuilder b(*m.graph);
  auto* x = b.Input("x", DataType::kFloat32, {ir::Dim::Symbol("N"), ir::Dim::Known(16)});
  auto* h = b.Op("MatMul", {x, b.Const("mix", RandomFloats({16, 96}, 1.0f, 4))}, {}, "mix");
  auto* y = b.Op("MatMul", {h, b.Const("w", RandomFloats({96, 24}, 0.1f, 5))}, {}, "layer");
  auto* z = b.Op("Gemm", {y, b.Const("w2", RandomFloats({12, 24}, 0.2f, 6))},
                 {ir::MakeAttr("transB", int64_t{1})}, "fc");
  b.Output(z, "y");
  return m;
}

// ||y_q - y||^2 / ||y||^2 on held-out random inputs (seeds unlike the calibration's).
inline double HeldOutRelError(const ir::Model& quantized, const ir::Model& reference) {
  auto a = runtime::Executor::Create(quantized);
  auto b = runtime::Executor::Create(reference);
  EXPECT_TRUE(a.ok() && b.ok());
  if (!a.ok() || !b.ok()) return 1e9;
  double num = 0, den = 0;
  for (uint64_t seed = 100; seed < 104; ++seed) {
    auto feeds = runtime::MakeRandomFeeds(*reference.graph, seed, {{"N", 32}});
    EXPECT_TRUE(feeds.ok());
    auto ya = (*a)->Run(*feeds);
    auto yb = (*b)->Run(*feeds);
    EXPECT_TRUE(ya.ok() && yb.ok());
    if (!ya.ok() || !yb.ok()) return 1e9;
    for (int64_t i = 0; i < (*ya)[0].numel(); ++i) {
      const double d = (*ya)[0].GetAsDouble(i) - (*yb)[0].GetAsDouble(i);
      num += d * d;
      den += (*yb)[0].GetAsDouble(i) * (*yb)[0].GetAsDouble(i);
    }
  }
  return num / den;
}

inline int CountOps(const ir::Graph& g, const std::string& op) {
  int n = 0;
  for (const auto& node : g.nodes()) n += node->op_type() == op;
  return n;
}

inline const ir::Node* FindNode(const ir::Graph& g, const std::string& name) {
  for (const auto& node : g.nodes())
    if (node->name() == name) return node.get();
  return nullptr;
}

}  // namespace shrink::quant::testing
