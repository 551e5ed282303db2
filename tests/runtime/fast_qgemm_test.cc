// com.microsoft QGemm: the oneDNN int8 kernel (qlinear_matmul_onednn.cc) against the reference
// kernel (runtime/kernels/qgemm.cc) on randomized shapes: u8 / s8 A with a zero point, s8 B per
// tensor or per column, transB, int32 bias C, requantized u8 / s8 output or float32 output.
// Tolerance: requantized outputs within one step (kRequantTol, see runtime/fast/int8_util.h) on at
// most ~1% of the elements; float outputs within float32 rounding of the scaled accumulator.
#include <gtest/gtest.h>

#include <random>

#include "runtime/fast/int8_util.h"
#include "runtime_util/fast_test_util.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

struct QGemmCase {
  std::string what;
  int64_t m, k, n;
  DataType a_dtype = DataType::kUInt8;
  bool trans_b = true, per_column = true, bias = true;
  DataType y_dtype = DataType::kUInt8;  // kFloat32: no y_scale / y_zero_point
};

void ExpectQGemmMatches(const QGemmCase& c, uint32_t seed) {
  SCOPED_TRACE(c.what);
  const bool u8 = c.a_dtype == DataType::kUInt8;
  std::vector<Tensor> in = {
      RandomQ(c.a_dtype, {c.m, c.k}, seed, u8 ? 0 : -128, u8 ? 255 : 127),
      Tensor::Scalar<float>(0.05f),
      ScalarQ(c.a_dtype, u8 ? 128 : 3),
      RandomQ(DataType::kInt8, c.trans_b ? Shape{c.n, c.k} : Shape{c.k, c.n}, seed + 1, -127, 127),
      c.per_column ? RandomTensor({c.n}, seed + 2, 0.005f, 0.02f) : Tensor::Scalar<float>(0.01f),
      Tensor(),  // b_zero_point: omitted (symmetric weights)
      c.bias ? RandomQ(DataType::kInt32, {c.n}, seed + 3, -3000, 3000) : Tensor()};
  if (c.y_dtype != DataType::kFloat32) {
    in.push_back(Tensor::Scalar<float>(0.4f));
    in.push_back(ScalarQ(c.y_dtype, c.y_dtype == DataType::kUInt8 ? 100 : -5));
  }
  std::vector<bool> constant(in.size(), true);
  constant[0] = false;
  // One and two threads (the GEMV splits its column tiles across threads past 64 KB of weights).
  for (int threads : {1, 2}) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    FastOpResult r = RunBoth("QGemm", in, constant, {MakeAttr("transB", int64_t{c.trans_b})}, 17,
                             "com.microsoft", threads);
    ASSERT_EQ(r.ref.size(), 1u);
    ASSERT_EQ(r.fast.size(), 1u);
    EXPECT_EQ(r.backend, Int8Backend("onednn"));
    ASSERT_EQ(r.fast[0].dtype(), r.ref[0].dtype());
    ASSERT_EQ(r.fast[0].shape(), r.ref[0].shape());
    if (c.y_dtype == DataType::kFloat32) {
      double scale = 1e-6;
      for (int64_t i = 0; i < r.ref[0].numel(); ++i)
        scale = std::max(scale, std::fabs(r.ref[0].GetAsDouble(i)));
      EXPECT_LE(MaxAbsDiff(r.fast[0], r.ref[0]), 1e-6 * scale);
      continue;
    }
    EXPECT_LE(MaxAbsDiff(r.fast[0], r.ref[0]), runtime::fast::kRequantTol);
    int64_t off = 0;
    for (int64_t i = 0; i < r.ref[0].numel(); ++i)
      off += r.fast[0].GetAsDouble(i) != r.ref[0].GetAsDouble(i);
    EXPECT_LE(static_cast<double>(off), 0.01 * static_cast<double>(r.ref[0].numel()) + 1);
  }
}

TEST(FastQGemm, MatchesReference) {
  const DataType u8 = DataType::kUInt8;
  ExpectQGemmMatches({"u8 A, per-column transB, bias, u8 y", 8, 100, 10, u8, true, true, true, u8},
                     1);
  ExpectQGemmMatches({"M=1, K odd", 1, 333, 65, u8, true, true, true, u8}, 2);
  ExpectQGemmMatches({"s8 A, per-tensor, no transB, no bias, s8 y", 17, 64, 33, DataType::kInt8,
                      false, false, false, DataType::kInt8},
                     3);
  ExpectQGemmMatches(
      {"float output with bias", 5, 48, 20, u8, true, true, true, DataType::kFloat32}, 4);
  // Up to four rows run on the own VNNI GEMV (int8_gemv.h) where the CPU has it: s8 A, tails of
  // K and N, more than four 16-column tiles, float output.
  ExpectQGemmMatches(
      {"GEMV s8 A, s8 y", 3, 101, 83, DataType::kInt8, true, true, true, DataType::kInt8}, 5);
  ExpectQGemmMatches({"GEMV s8 A, float output, per-tensor", 2, 130, 70, DataType::kInt8, false,
                      false, true, DataType::kFloat32},
                     6);
  ExpectQGemmMatches({"GEMV u8 A, four rows", 4, 784, 256, u8, true, true, true, u8}, 7);
  // More rows of u8 A with K a multiple of 4 and 8-bit output: the own int8 GEMM (int8_gemm.h),
  // rows split across threads: a partial column tile, per-tensor, no bias, s8 y.
  ExpectQGemmMatches(
      {"GEMM u8 A, 37 rows, s8 y", 37, 128, 40, u8, false, false, false, DataType::kInt8}, 9);
  // One row, 3136 x 120: 8 column tiles, a partial one last, split into two groups of 4.
  ExpectQGemmMatches({"GEMV one row, split", 1, 3136, 120, u8, true, true, true, u8}, 8);
}

// Non-constant B: the fast factory declines and the reference kernel runs (same results).
TEST(FastQGemm, RuntimeWeightsRunOnReference) {
  std::vector<Tensor> in = {RandomQ(DataType::kUInt8, {2, 4}, 1, 0, 255),
                            Tensor::Scalar<float>(0.1f), ScalarQ(DataType::kUInt8, 7),
                            RandomQ(DataType::kInt8, {4, 3}, 2, -127, 127),
                            Tensor::Scalar<float>(0.02f)};
  FastOpResult r = RunBoth("QGemm", in, {false, true, true, false, true}, {}, 17, "com.microsoft");
  ASSERT_EQ(r.fast.size(), 1u);
  EXPECT_EQ(r.backend, "reference");
  EXPECT_EQ(r.fast[0].dtype(), DataType::kFloat32);
  EXPECT_EQ(MaxAbsDiff(r.fast[0], r.ref[0]), 0.0);
}

// Bad parameters: a clear error on both paths, never a crash.
TEST(FastQGemm, BadScaleLengthIsAnError) {
  std::vector<Tensor> in = {RandomQ(DataType::kUInt8, {2, 4}, 1, 0, 255),
                            Tensor::Scalar<float>(0.1f), ScalarQ(DataType::kUInt8, 7),
                            RandomQ(DataType::kInt8, {4, 3}, 2, -127, 127),
                            RandomTensor({2}, 3, 0.01f, 0.02f)};  // N = 3 columns
  ir::Model model = ir::MakeModel(17);
  model.SetOpset("com.microsoft", 1);
  ir::Graph& g = *model.graph;
  std::vector<ir::Value*> ins = {g.AddInput("a", ir::TypeInfo::Tensor(DataType::kUInt8, {2, 4}))};
  for (size_t i = 1; i < in.size(); ++i)
    ins.push_back(g.AddInitializer("in" + std::to_string(i), in[i]));
  g.AddOutput(g.AddNode("QGemm", ins, {"y"}, {}, "qgemm", "com.microsoft")->output(0));
  const runtime::Feeds feeds = {{"a", in[0]}};
  auto s = runtime::fast::Session::Create(model);
  ASSERT_TRUE(s.ok());
  auto r = (*s)->Run(feeds);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("b_scale"), std::string::npos) << r.status().ToString();
}

}  // namespace
}  // namespace shrink::testing
