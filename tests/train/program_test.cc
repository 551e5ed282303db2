// train::Program: weights round trip, forward agreement with the reference executor, op coverage
// errors.
#include "train/program.h"

#include <gtest/gtest.h>

#include <random>

#include "ir/builder.h"
#include "runtime/executor.h"
#include "runtime_util/op_test_util.h"

namespace shrink::train {
namespace {

using ir::Dim;
using ir::MakeAttr;

Tensor RandomTensor(Shape shape, std::mt19937& rng, float scale = 0.5f) {
  Tensor t(DataType::kFloat32, std::move(shape));
  std::normal_distribution<float> d(0.0f, scale);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

Tensor PositiveTensor(Shape shape, std::mt19937& rng) {
  Tensor t(DataType::kFloat32, std::move(shape));
  std::uniform_real_distribution<float> d(0.5f, 1.5f);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

// Conv(pads, strides, groups, dilation) -> BN -> Relu -> MaxPool(asym pads) -> Conv(group) ->
// HardSwish -> AveragePool -> GlobalAveragePool -> Flatten -> Gemm -> Softmax.
ir::Model SmallCnn(uint32_t seed) {
  std::mt19937 rng(seed);
  ir::Model m = ir::MakeModel(17);
  ir::GraphBuilder b(*m.graph);
  auto* x = b.Input("x", DataType::kFloat32,
                    {Dim::Symbol("N"), Dim::Known(3), Dim::Known(12), Dim::Known(12)});
  auto* c1 = b.Op(
      "Conv",
      {x, b.Const("w1", RandomTensor({8, 3, 3, 3}, rng)), b.Const("b1", RandomTensor({8}, rng))},
      {MakeAttr("pads", std::vector<int64_t>{1, 1, 1, 1}),
       MakeAttr("strides", std::vector<int64_t>{1, 1})});
  auto* bn =
      b.Op("BatchNormalization",
           {c1, b.Const("bn_s", PositiveTensor({8}, rng)), b.Const("bn_b", RandomTensor({8}, rng)),
            b.Const("bn_m", RandomTensor({8}, rng)), b.Const("bn_v", PositiveTensor({8}, rng))});
  auto* r = b.Op("Relu", {bn});
  auto* mp = b.Op("MaxPool", {r},
                  {MakeAttr("kernel_shape", std::vector<int64_t>{3, 3}),
                   MakeAttr("strides", std::vector<int64_t>{2, 2}),
                   MakeAttr("pads", std::vector<int64_t>{0, 0, 1, 1})});
  auto* c2 = b.Op("Conv", {mp, b.Const("w2", RandomTensor({8, 2, 3, 3}, rng))},
                  {MakeAttr("group", int64_t{4}), MakeAttr("auto_pad", "SAME_UPPER"),
                   MakeAttr("dilations", std::vector<int64_t>{1, 1})});
  auto* hs = b.Op("HardSwish", {c2});
  auto* ap = b.Op("AveragePool", {hs},
                  {MakeAttr("kernel_shape", std::vector<int64_t>{2, 2}),
                   MakeAttr("pads", std::vector<int64_t>{1, 1, 0, 0})});
  auto* gap = b.Op("GlobalAveragePool", {ap});
  auto* fl = b.Op("Flatten", {gap});
  auto* fc = b.Op(
      "Gemm",
      {fl, b.Const("fc_w", RandomTensor({5, 8}, rng)), b.Const("fc_b", RandomTensor({5}, rng))},
      {MakeAttr("transB", int64_t{1})});
  b.Output(b.Op("Softmax", {fc}, {MakeAttr("axis", int64_t{-1})}), "probs");
  return m;
}

// MatMul/Add -> LayerNorm -> Gelu -> Gemm -> Tanh, Sigmoid, Mul, Div, Sqrt/Exp/Log, shape ops.
ir::Model SmallMlp(uint32_t seed) {
  std::mt19937 rng(seed);
  ir::Model m = ir::MakeModel(20);  // Gelu needs opset 20
  ir::GraphBuilder b(*m.graph);
  auto* x = b.Input("x", DataType::kFloat32, {Dim::Symbol("N"), Dim::Known(6)});
  auto* h = b.Op("Add", {b.Op("MatMul", {x, b.Const("w1", RandomTensor({6, 16}, rng))}),
                         b.Const("b1", RandomTensor({16}, rng))});
  auto* ln = b.Op(
      "LayerNormalization",
      {h, b.Const("ln_s", PositiveTensor({16}, rng)), b.Const("ln_b", RandomTensor({16}, rng))},
      {MakeAttr("axis", int64_t{-1})});
  auto* g = b.Op("Gelu", {ln});
  auto* u = b.Op("Unsqueeze", {g, b.Const("ax", Tensor::FromVector<int64_t>({1}, {1}))});
  auto* sq = b.Op("Squeeze", {u, b.Const("ax2", Tensor::FromVector<int64_t>({1}, {1}))});
  auto* h2 =
      b.Op("Gemm",
           {sq, b.Const("w2", RandomTensor({16, 4}, rng)), b.Const("b2", RandomTensor({4}, rng))},
           {MakeAttr("alpha", 0.5f), MakeAttr("beta", 2.0f)});
  auto* t = b.Op("Tanh", {h2});
  auto* s = b.Op("Sigmoid", {h2});
  auto* e = b.Op("Log", {b.Op("Add", {b.Op("Exp", {t}), b.Op("Sqrt", {s})})});
  auto* d = b.Op("Div", {b.Op("Mul", {e, s}), b.Const("two", Tensor::Scalar<float>(2.0f))});
  auto* tr = b.Op("Transpose", {d}, {MakeAttr("perm", std::vector<int64_t>{1, 0})});
  auto* sh = b.Op("Shape", {tr});
  auto* rs = b.Op("Reshape", {b.Op("Transpose", {tr}), sh});
  auto* sl = b.Op("Slice", {rs, b.Const("st", Tensor::FromVector<int64_t>({1}, {3})),
                            b.Const("en", Tensor::FromVector<int64_t>({1}, {-100})),
                            b.Const("axs", Tensor::FromVector<int64_t>({1}, {0})),
                            b.Const("stp", Tensor::FromVector<int64_t>({1}, {-1}))});
  b.Output(b.Op("LogSoftmax", {sl}, {MakeAttr("axis", int64_t{1})}), "y");
  return m;
}

void ExpectMatchesExecutor(const ir::Model& m, const Tensor& x) {
  auto exec = runtime::Executor::Create(m);
  ASSERT_TRUE(exec.ok()) << exec.status().ToString();
  auto ref = (*exec)->Run({{"x", x}});
  ASSERT_TRUE(ref.ok()) << ref.status().ToString();
  auto prog = Program::Create(m);
  ASSERT_TRUE(prog.ok()) << prog.status().ToString();
  auto got = (*prog)->Forward({{"x", x}}, /*training=*/false);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), ref->size());
  for (size_t i = 0; i < ref->size(); ++i) {
    EXPECT_EQ((*got)[i].shape(), (*ref)[i].shape());
    EXPECT_LE(testing::MaxAbsDiff((*got)[i], (*ref)[i]), 1e-5);
  }
}

TEST(ProgramTest, CnnForwardMatchesReferenceExecutor) {
  std::mt19937 rng(7);
  ExpectMatchesExecutor(SmallCnn(1), RandomTensor({2, 3, 12, 12}, rng, 1.0f));
}

TEST(ProgramTest, MlpForwardMatchesReferenceExecutor) {
  std::mt19937 rng(8);
  ExpectMatchesExecutor(SmallMlp(2), RandomTensor({5, 6}, rng, 1.0f));
}

// Positions as exporters write them: Range(0, Shape(x)[1], 1) -> Cast -> Add to x.
TEST(ProgramTest, RangePositionsMatchReferenceExecutor) {
  ir::Model m = ir::MakeModel(17);
  ir::GraphBuilder b(*m.graph);
  auto* x = b.Input("x", DataType::kFloat32, {Dim::Symbol("N"), Dim::Symbol("S")});
  auto* seq = b.Op("Gather", {b.Op("Shape", {x}), b.Const("one", Tensor::Scalar<int64_t>(1))},
                   {MakeAttr("axis", int64_t{0})});
  auto* pos = b.Op("Range", {b.Const("zero", Tensor::Scalar<int64_t>(0)), seq,
                             b.Const("step", Tensor::Scalar<int64_t>(1))});
  auto* f = b.Op("Cast", {pos}, {MakeAttr("to", static_cast<int64_t>(DataType::kFloat32))});
  auto* w = b.Const("w", Tensor::Scalar<float>(0.5f));
  auto* y = b.Op("Mul", {b.Op("Add", {x, f}), w});
  b.Output(y, "y");
  std::mt19937 rng(9);
  ExpectMatchesExecutor(m, RandomTensor({2, 7}, rng, 1.0f));
}

TEST(ProgramTest, ParametersBuffersAndConstantsAreClassified) {
  ir::Model m = SmallCnn(3);
  auto prog = Program::Create(m);
  ASSERT_TRUE(prog.ok()) << prog.status().ToString();
  const auto params = (*prog)->ParameterNames();
  const auto buffers = (*prog)->BufferNames();
  EXPECT_EQ(buffers, (std::vector<std::string>{"bn_m", "bn_v"}));
  EXPECT_EQ(params, (std::vector<std::string>{"w1", "b1", "bn_s", "bn_b", "w2", "fc_w", "fc_b"}));
  ir::Model mlp = SmallMlp(3);
  auto p2 = Program::Create(mlp);
  ASSERT_TRUE(p2.ok());
  for (const auto& n : (*p2)->ParameterNames()) {
    EXPECT_NE(n, "two");  // scalar constant
    EXPECT_NE(n, "ax");   // int64 config input
  }
}

TEST(ProgramTest, WriteBackRoundTripIsBitExact) {
  ir::Model m = SmallCnn(4);
  std::vector<Tensor> before;
  for (const ir::Value* v : m.graph->initializers()) before.push_back(v->data().Clone());
  auto prog = Program::Create(m);
  ASSERT_TRUE(prog.ok());
  // Zero the model's copies first so that WriteBack must really restore them.
  for (ir::Value* v : m.graph->initializers())
    if (v->data().dtype() == DataType::kFloat32)
      v->set_data(Tensor(DataType::kFloat32, v->data().shape()));
  ASSERT_TRUE((*prog)->WriteBack(m).ok());
  size_t i = 0;
  for (const ir::Value* v : m.graph->initializers()) {
    EXPECT_TRUE(v->data().BitwiseEqual(before[i])) << v->name();
    ++i;
  }
}

TEST(ProgramTest, TrainingModeBatchNormUsesBatchStatisticsAndUpdatesRunningStats) {
  ir::Model m = SmallCnn(5);
  auto prog = Program::Create(m);
  ASSERT_TRUE(prog.ok());
  std::mt19937 rng(9);
  Tensor x = RandomTensor({4, 3, 12, 12}, rng, 1.0f);
  auto eval1 = (*prog)->Forward({{"x", x}}, false);
  auto train = (*prog)->Forward({{"x", x}}, true);
  ASSERT_TRUE(eval1.ok() && train.ok());
  EXPECT_GT(testing::MaxAbsDiff((*eval1)[0], (*train)[0]), 1e-4);
  ASSERT_TRUE((*prog)->WriteBack(m).ok());
  ir::Model fresh = SmallCnn(5);
  EXPECT_FALSE(
      m.graph->FindValue("bn_m")->data().BitwiseEqual(fresh.graph->FindValue("bn_m")->data()));
  EXPECT_TRUE(m.graph->FindValue("w1")->data().BitwiseEqual(fresh.graph->FindValue("w1")->data()));
}

TEST(ProgramTest, UnsupportedOpIsAClearError) {
  ir::Model m = ir::MakeModel(17);
  ir::GraphBuilder b(*m.graph);
  auto* x = b.Input("x", DataType::kFloat32, Shape{2, 3});
  b.Output(b.Op("Hardmax", {x}, {}, "my_hardmax"), "y");
  auto prog = Program::Create(m);
  ASSERT_FALSE(prog.ok());
  EXPECT_EQ(prog.status().code(), StatusCode::kUnimplemented);
  const std::string msg = prog.status().message();
  EXPECT_NE(msg.find("Hardmax"), std::string::npos) << msg;
  EXPECT_NE(msg.find("my_hardmax"), std::string::npos) << msg;
  EXPECT_NE(msg.find("opset 17"), std::string::npos) << msg;
  EXPECT_NE(msg.find("not trainable yet"), std::string::npos) << msg;
}

}  // namespace
}  // namespace shrink::train
