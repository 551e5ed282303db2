// Fast oneDNN MatMul / Gemm / eltwise / binary / softmax / layer-norm kernels against the
// reference kernels on randomized shapes (odd sizes, broadcasting, transposes).
#include <gtest/gtest.h>

#include "runtime_util/fast_test_util.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

TEST(FastMatMul, BatchedAndBroadcast) {
  struct C {
    Shape a, b;
    bool b_const;
  };
  const std::vector<C> cases = {{{7, 13}, {13, 5}, true},
                                {{3, 7, 13}, {13, 9}, true},
                                {{2, 3, 5, 4}, {2, 3, 4, 6}, false},
                                {{2, 1, 5, 4}, {3, 4, 6}, false},
                                {{13}, {13, 5}, true},
                                {{4, 6, 8}, {8}, false}};
  uint32_t seed = 11;
  for (const auto& c : cases)
    ExpectFastMatches("matmul " + ShapeToString(c.a) + "x" + ShapeToString(c.b), "MatMul",
                      {RandomTensor(c.a, seed++), RandomTensor(c.b, seed++)}, {false, c.b_const},
                      {}, kReductionTol);
}

TEST(FastGemm, TransposesAlphaBetaBias) {
  ExpectFastMatches("gemm plain", "Gemm",
                    {RandomTensor({5, 7}, 1), RandomTensor({7, 3}, 2), RandomTensor({3}, 3)},
                    {false, true, true}, {}, kReductionTol);
  ExpectFastMatches(
      "gemm transB alpha beta", "Gemm",
      {RandomTensor({6, 9}, 4), RandomTensor({4, 9}, 5), RandomTensor({6, 4}, 6)},
      {false, true, true},
      {MakeAttr("transB", int64_t{1}), MakeAttr("alpha", 0.5f), MakeAttr("beta", 2.0f)},
      kReductionTol);
  ExpectFastMatches("gemm transA no C", "Gemm", {RandomTensor({9, 6}, 7), RandomTensor({9, 4}, 8)},
                    {false, true}, {MakeAttr("transA", int64_t{1})}, kReductionTol);
}

TEST(FastEltwise, Activations) {
  const Tensor x = RandomTensor({3, 5, 7}, 21, -4.0f, 4.0f);
  for (const char* op : {"Relu", "Sigmoid", "Tanh", "Exp", "Abs", "Neg", "Softplus", "HardSwish"})
    ExpectFastMatches(op, op, {x}, {false}, {}, kEltwiseTol * 10);
  ExpectFastMatches("LeakyRelu", "LeakyRelu", {x}, {false}, {MakeAttr("alpha", 0.2f)}, kEltwiseTol);
  ExpectFastMatches("Elu", "Elu", {x}, {false}, {MakeAttr("alpha", 0.7f)}, kEltwiseTol);
  ExpectFastMatches("Gelu", "Gelu", {x}, {false}, {}, kEltwiseTol * 10, 20);
  ExpectFastMatches("Clip", "Clip", {x, Tensor::Scalar(-1.5f), Tensor::Scalar(2.0f)},
                    {false, true, true}, {}, 0.0);
  ExpectFastMatches("Sqrt", "Sqrt", {RandomTensor({9, 11}, 22, 0.0f, 5.0f)}, {false}, {},
                    kEltwiseTol);
}

TEST(FastBinary, Broadcasting) {
  struct C {
    Shape a, b;
  };
  const std::vector<C> cases = {{{2, 3, 5}, {2, 3, 5}},
                                {{2, 3, 5}, {5}},
                                {{4, 1, 6}, {4, 3, 6}},
                                {{1, 3, 1}, {2, 3, 7}},
                                {{2, 3, 5}, {}}};
  uint32_t seed = 31;
  for (const char* op : {"Add", "Mul", "Sub", "Div"})
    for (const auto& c : cases) {
      const std::string what = std::string(op) + " " + ShapeToString(c.a) + ShapeToString(c.b);
      const Tensor a = RandomTensor(c.a, seed++), b = RandomTensor(c.b, seed++, 0.5f, 2.0f);
      const bool first_broadcast = NumElements(c.a) < NumElements(c.b);
      const bool commutative = std::string(op) == "Add" || std::string(op) == "Mul";
      if (first_broadcast && !commutative) {
        // oneDNN cannot broadcast its first source: the plan must fall back, and still agree.
        FastOpResult r = RunBoth(op, {a, b}, {false, false}, {});
        EXPECT_EQ(r.backend, "reference") << what;
        ASSERT_EQ(r.fast.size(), 1u);
        EXPECT_LE(MaxAbsDiff(r.fast[0], r.ref[0]), 0.0) << what;
        continue;
      }
      ExpectFastMatches(what, op, {a, b}, {false, false}, {}, kEltwiseTol);
    }
}

TEST(FastSoftmax, AxesAndOpsets) {
  const Tensor x = RandomTensor({2, 3, 7, 5}, 41, -3.0f, 3.0f);
  for (int64_t axis : {-1, 1, 2})
    ExpectFastMatches("softmax axis " + std::to_string(axis), "Softmax", {x}, {false},
                      {MakeAttr("axis", axis)}, kEltwiseTol * 10);
  ExpectFastMatches("softmax opset 11 (coerced 2-D)", "Softmax", {x}, {false},
                    {MakeAttr("axis", int64_t{2})}, kEltwiseTol * 10, 11);
  ExpectFastMatches("logsoftmax", "LogSoftmax", {x}, {false}, {MakeAttr("axis", int64_t{1})},
                    kEltwiseTol * 10);
}

TEST(FastLayerNorm, LastAxesWithAndWithoutBias) {
  const Tensor x = RandomTensor({2, 5, 24}, 51, -2.0f, 3.0f);
  ExpectFastMatches("layernorm", "LayerNormalization",
                    {x, RandomTensor({24}, 52), RandomTensor({24}, 53)}, {false, true, true},
                    {MakeAttr("epsilon", 1e-5f)}, kReductionTol);
  ExpectFastMatches("layernorm axis 1 no bias", "LayerNormalization",
                    {x, RandomTensor({5, 24}, 54)}, {false, true}, {MakeAttr("axis", int64_t{1})},
                    kReductionTol);
}

}  // namespace
}  // namespace shrink::testing
