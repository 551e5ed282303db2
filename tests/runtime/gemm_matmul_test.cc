// Gemm and MatMul reference kernels vs naive triple loops.
#include <gtest/gtest.h>

#include <functional>

#include "runtime/kernel_test_helpers.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

// C = A[m,k] * B[k,n] for plain row-major matrices.
std::vector<double> Naive(const std::vector<double>& a, const std::vector<double>& b, int64_t m,
                          int64_t k, int64_t n) {
  std::vector<double> c(static_cast<size_t>(m * n), 0.0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      for (int64_t p = 0; p < k; ++p) c[i * n + j] += a[i * k + p] * b[p * n + j];
  return c;
}

std::vector<double> Transpose(const std::vector<double>& a, int64_t rows, int64_t cols) {
  std::vector<double> t(a.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) t[c * rows + r] = a[r * cols + c];
  return t;
}

TEST(GemmTest, TransposesAlphaBetaAndBiasShapes) {
  const int64_t m = 5, k = 7, n = 4;
  const auto a = RandomFloatValues(m * k, 1), b = RandomFloatValues(k * n, 2);
  const auto prod = Naive(a, b, m, k, n);
  const auto c_full = RandomFloatValues(m * n, 3), c_row = RandomFloatValues(n, 4),
             c_col = RandomFloatValues(m, 5);
  struct BiasCase {
    Shape shape;
    std::vector<double> values;
    std::function<double(int64_t, int64_t)> at;
  };
  const std::vector<BiasCase> biases = {
      {{m, n}, c_full, [&](int64_t i, int64_t j) { return c_full[i * n + j]; }},
      {{n}, c_row, [&](int64_t, int64_t j) { return c_row[j]; }},
      {{m, 1}, c_col, [&](int64_t i, int64_t) { return c_col[i]; }},
      {{}, {2.5}, [&](int64_t, int64_t) { return 2.5; }},
      {{1}, {-1.5}, [&](int64_t, int64_t) { return -1.5; }},
  };
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb)
      for (const auto& bias : biases) {
        const Tensor at = ta ? F32({k, m}, Transpose(a, m, k)) : F32({m, k}, a);
        const Tensor bt = tb ? F32({n, k}, Transpose(b, k, n)) : F32({k, n}, b);
        const Tensor y = RunOne("Gemm", {at, bt, F32(bias.shape, bias.values)},
                                {MakeAttr("transA", ta), MakeAttr("transB", tb),
                                 MakeAttr("alpha", 0.5f), MakeAttr("beta", 2.0f)});
        std::vector<double> expected(static_cast<size_t>(m * n));
        for (int64_t i = 0; i < m; ++i)
          for (int64_t j = 0; j < n; ++j)
            expected[i * n + j] = 0.5 * prod[i * n + j] + 2.0 * bias.at(i, j);
        SCOPED_TRACE(::testing::Message()
                     << "transA " << ta << " transB " << tb << " C " << ShapeToString(bias.shape));
        ExpectNear(y, {m, n}, expected);
      }
}

TEST(GemmTest, OptionalCByOpset) {
  const auto a = RandomFloatValues(6, 1), b = RandomFloatValues(6, 2);
  ExpectNear(RunOne("Gemm", {F32({2, 3}, a), F32({3, 2}, b)}, {}, 11), {2, 2},
             Naive(a, b, 2, 3, 2));
  auto r = RunOp("Gemm", {F32({2, 3}, a), F32({3, 2}, b)}, {}, 1, 9);
  EXPECT_FALSE(r.ok());
  // Inner dimension mismatch.
  r = RunOp("Gemm", {F32({2, 3}, a), F32({2, 3}, b)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  // C that does not broadcast to [2, 2].
  r = RunOp("Gemm", {F32({2, 3}, a), F32({3, 2}, b), F32({3}, {1, 2, 3})});
  EXPECT_FALSE(r.ok());
}

TEST(GemmTest, Float64WithBetaZero) {
  const auto a = RandomValues(12, 7), b = RandomValues(12, 8);
  const Tensor y = RunOne("Gemm",
                          {Make(DataType::kFloat64, {3, 4}, a), Make(DataType::kFloat64, {4, 3}, b),
                           Make(DataType::kFloat64, {3, 3}, std::vector<double>(9, 7.0))},
                          {MakeAttr("beta", 0.0f)});
  EXPECT_EQ(y.dtype(), DataType::kFloat64);
  ExpectNear(y, {3, 3}, Naive(a, b, 3, 4, 3), 1e-13);
}

TEST(MatMulTest, LargeTiledMatchesNaive) {
  // Crosses the tile boundaries of GemmRef (128 x 512).
  const int64_t m = 9, k = 300, n = 1100;
  const auto a = RandomFloatValues(m * k, 1), b = RandomFloatValues(k * n, 2);
  ExpectNear(RunOne("MatMul", {F32({m, k}, a), F32({k, n}, b)}), {m, n}, Naive(a, b, m, k, n));
}

TEST(MatMulTest, BatchedBroadcast) {
  const auto a = RandomFloatValues(2 * 1 * 3 * 4, 3), b = RandomFloatValues(3 * 4 * 5, 4);
  const Tensor y = RunOne("MatMul", {F32({2, 1, 3, 4}, a), F32({3, 4, 5}, b)});
  std::vector<double> expected;
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j) {
      const std::vector<double> ai(a.begin() + i * 12, a.begin() + (i + 1) * 12);
      const std::vector<double> bj(b.begin() + j * 20, b.begin() + (j + 1) * 20);
      const auto c = Naive(ai, bj, 3, 4, 5);
      expected.insert(expected.end(), c.begin(), c.end());
    }
  ExpectNear(y, {2, 3, 3, 5}, expected);
}

TEST(MatMulTest, OneDimensionalOperands) {
  const std::vector<double> v = {1, 2, 3};
  const std::vector<double> mat = {1, 2, 3, 4, 5, 6};  // [3, 2] or [2, 3]
  ExpectNear(RunOne("MatMul", {F32({3}, v), F32({3, 2}, mat)}), {2}, {22, 28});
  ExpectNear(RunOne("MatMul", {F32({2, 3}, mat), F32({3}, v)}), {2}, {14, 32});
  ExpectNear(RunOne("MatMul", {F32({3}, v), F32({3}, v)}), {}, {14});
  ExpectNear(RunOne("MatMul", {F32({2, 2, 3}, {1, 2, 3, 4, 5, 6, 1, 0, 0, 0, 1, 0}), F32({3}, v)}),
             {2, 2}, {14, 32, 1, 2});
  // Integer MatMul works too.
  const Tensor yi = RunOne("MatMul", {Tensor::FromVector<int64_t>({1, 3}, {1, 2, 3}),
                                      Tensor::FromVector<int64_t>({3, 1}, {4, 5, 6})});
  EXPECT_EQ(yi.dtype(), DataType::kInt64);
  EXPECT_EQ(yi.data<int64_t>()[0], 32);
}

TEST(MatMulTest, Errors) {
  auto r = RunOp("MatMul", {F32({2, 3}, std::vector<double>(6, 1.0)),
                            F32({2, 3}, std::vector<double>(6, 1.0))});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  r = RunOp("MatMul", {F32({2, 2, 3}, std::vector<double>(12, 1.0)),
                       F32({3, 3, 1}, std::vector<double>(9, 1.0))});  // batch 2 vs 3
  EXPECT_FALSE(r.ok());
  r = RunOp("MatMul", {Tensor(DataType::kInt8, {2, 2}), Tensor(DataType::kInt8, {2, 2})});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace shrink::testing
