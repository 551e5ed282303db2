// Int8DotExact / Int8DotExactFor (runtime/fast/int8_exact.h) and what follows from them, on this
// machine and, through a second ctest entry (runtime.Int8Isa.WithoutVnni), under
// ONEDNN_MAX_CPU_ISA=AVX2, where oneDNN's int8 kernels sum u8 x s8 pairs in saturating int16: an
// int8 conv and matmul with full-range weights agree with the reference executor within one step
// either way (on VNNI through oneDNN's or the native int8 kernels; without, because oneDNN's int8
// factories decline); with 7-bit weights they run on the fast kernels everywhere, still within
// one step, at the largest pair sums too; a QDQ model runs lowered to 8-bit only where that is
// exact: with full-range weights on VNNI, with 7-bit weights everywhere.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>

#include "runtime/fast/int8_exact.h"
#include "runtime/fast/int8_util.h"
#include "runtime_util/fast_test_util.h"
#include "runtime_util/qdq_maker.h"
#include "runtimes/native_session.h"

namespace shrink::testing {
namespace {

bool Avx2Only() {
  const char* isa = std::getenv("ONEDNN_MAX_CPU_ISA");
  return isa && std::string(isa) == "AVX2";
}

TEST(Int8Isa, ExactInt8KernelsOrNone) {
  const bool vnni_cpu = __builtin_cpu_supports("avx512vnni") || __builtin_cpu_supports("avxvnni");
  EXPECT_EQ(runtime::fast::Int8DotExact(), vnni_cpu && !Avx2Only());
  const std::string want = runtime::fast::Int8DotExact() ? "onednn" : "reference";
  // 64 input channels of 3x3: a K of 576 full-range products, enough to saturate int16 sums.
  const Shape xs{1, 64, 10, 10}, ws{32, 64, 3, 3};
  FastOpResult conv = RunBoth(
      "QLinearConv",
      {RandomQ(DataType::kUInt8, xs, 1, 0, 255), Tensor::Scalar<float>(0.02f),
       ScalarQ(DataType::kUInt8, 117), RandomQ(DataType::kInt8, ws, 2, -127, 127),
       Tensor::Scalar<float>(0.01f), ScalarQ(DataType::kInt8, 0), Tensor::Scalar<float>(0.4f),
       ScalarQ(DataType::kUInt8, 121)},
      {false, true, true, true, true, true, true, true}, {ir::MakeAttr("pads", Shape{1, 1, 1, 1})});
  ASSERT_EQ(conv.fast.size(), 1u);
  // The native int8 conv (qlinear_conv_native.h: VNNI itself, exact) may take it on two threads.
  if (runtime::fast::Int8DotExact())
    EXPECT_NE(conv.backend, "reference");
  else
    EXPECT_NE(conv.backend, "onednn");
  EXPECT_LE(MaxAbsDiff(conv.fast[0], conv.ref[0]), runtime::fast::kRequantTol);
  FastOpResult mm =
      RunBoth("QLinearMatMul",
              {RandomQ(DataType::kUInt8, {16, 600}, 3, 0, 255), Tensor::Scalar<float>(0.02f),
               ScalarQ(DataType::kUInt8, 117), RandomQ(DataType::kInt8, {600, 40}, 4, -127, 127),
               Tensor::Scalar<float>(0.01f), ScalarQ(DataType::kInt8, 0),
               Tensor::Scalar<float>(0.4f), ScalarQ(DataType::kUInt8, 121)},
              {false, true, true, true, true, true, true, true}, {});
  ASSERT_EQ(mm.fast.size(), 1u);
  EXPECT_EQ(mm.backend, want);
  EXPECT_LE(MaxAbsDiff(mm.fast[0], mm.ref[0]), runtime::fast::kRequantTol);
}

// A u8 / s8 x s8 conv (3x3, `pads` 1, so oneDNN keeps the source zero-point attribute) and matmul
// with weights `w_conv` / `w_mm`, output scale `y_scale`, on the fast runtime and the reference
// executor, within one step, on a fast kernel when `fast`; returns the conv's reference output.
Tensor ExpectExact(const Tensor& x_conv, const Tensor& w_conv, const Tensor& x_mm,
                   const Tensor& w_mm, float y_scale, bool fast = true) {
  const auto params = [&](const Tensor& x, const Tensor& w) {
    const int x_zp = x.dtype() == DataType::kUInt8 ? 117 : -11;
    return std::vector<Tensor>{x,
                               Tensor::Scalar<float>(0.02f),
                               ScalarQ(x.dtype(), x_zp),
                               w,
                               Tensor::Scalar<float>(0.01f),
                               ScalarQ(DataType::kInt8, 0),
                               Tensor::Scalar<float>(y_scale),
                               ScalarQ(DataType::kUInt8, 121)};
  };
  const std::vector<bool> constant{false, true, true, true, true, true, true, true};
  FastOpResult conv = RunBoth("QLinearConv", params(x_conv, w_conv), constant,
                              {ir::MakeAttr("pads", Shape{1, 1, 1, 1})});
  FastOpResult mm = RunBoth("QLinearMatMul", params(x_mm, w_mm), constant, {});
  for (const FastOpResult* r : {&conv, &mm}) {
    EXPECT_EQ(r->fast.size(), 1u);
    if (r->fast.size() != 1u) continue;
    EXPECT_EQ(r->backend != "reference", fast) << r->backend;
    EXPECT_LE(MaxAbsDiff(r->fast[0], r->ref[0]), runtime::fast::kRequantTol);
  }
  return conv.ref.empty() ? Tensor() : conv.ref[0];
}

Tensor Filled(DataType t, const Shape& shape, int v) {
  Tensor out(t, shape);
  for (int64_t i = 0; i < out.numel(); ++i) out.SetFromDouble(i, v);
  return out;
}

TEST(Int8Isa, SevenBitWeightsRunFastEverywhere) {
  const int w = runtime::fast::kPairSafeWeight;
  const Shape xs{1, 64, 10, 10}, ws{32, 64, 3, 3}, as{16, 600}, bs{600, 40};
  ExpectExact(RandomQ(DataType::kUInt8, xs, 1, 0, 255), RandomQ(DataType::kInt8, ws, 2, -w, w),
              RandomQ(DataType::kUInt8, as, 3, 0, 255), RandomQ(DataType::kInt8, bs, 4, -w, w),
              0.4f);
  // s8 activations: oneDNN shifts them into u8 and, below VNNI, halves the weights, so there
  // they stay on the reference kernels.
  ExpectExact(RandomQ(DataType::kInt8, xs, 5, -128, 127), RandomQ(DataType::kInt8, ws, 6, -w, w),
              RandomQ(DataType::kInt8, as, 7, -128, 127), RandomQ(DataType::kInt8, bs, 8, -w, w),
              0.4f, runtime::fast::Int8DotExact());
  // The largest pair sums, 2 * 255 * (+-64): all inputs 255, all weights at either bound. With
  // y_scale 16 an interior conv output is 121 +- (255 - 117) * 64 * 576 * 0.02 * 0.01 / 16 =
  // 121 +- 64: inside [0, 255], so the sums themselves are compared, not two saturated bytes.
  for (int sign : {1, -1}) {
    Tensor y = ExpectExact(Filled(DataType::kUInt8, xs, 255), Filled(DataType::kInt8, ws, sign * w),
                           Filled(DataType::kUInt8, as, 255), Filled(DataType::kInt8, bs, sign * w),
                           16.0f);
    ASSERT_TRUE(y.defined());
    const double interior = y.GetAsDouble(5 * 10 + 5);  // channel 0, row 5, column 5
    EXPECT_NEAR(interior, 121 + sign * 64, 1.0);
  }
}

// A few rows of A (the int8 GEMV: AVX-512 VNNI, or AVX2 for 7-bit weights without VNNI, its row
// blocks of 1, 2 and 4), K not a multiple of 4, partial column tiles, per-column scales, u8 and
// s8 outputs: within one step of the reference.
TEST(Int8Isa, SevenBitGemvRowsMatchReference) {
  const int w = runtime::fast::kPairSafeWeight;
  uint32_t seed = 40;
  for (int64_t rows : {1, 2, 3, 4, 5})
    for (int64_t k : {37, 256})
      for (int64_t n : {5, 40})
        for (DataType yt : {DataType::kUInt8, DataType::kInt8}) {
          SCOPED_TRACE("rows " + std::to_string(rows) + " k " + std::to_string(k) + " n " +
                       std::to_string(n) + " " + DataTypeName(yt));
          const float ys = 0.02f * 0.01f * std::sqrt(static_cast<float>(k)) * 70.0f;
          FastOpResult r = RunBoth(
              "QLinearMatMul",
              {RandomQ(DataType::kUInt8, {rows, k}, seed, 0, 255), Tensor::Scalar<float>(0.02f),
               ScalarQ(DataType::kUInt8, 117), RandomQ(DataType::kInt8, {k, n}, seed + 1, -w, w),
               RandomTensor({n}, seed + 2, 0.005f, 0.015f), Tensor(DataType::kInt8, {n}),
               Tensor::Scalar<float>(ys), ScalarQ(yt, yt == DataType::kUInt8 ? 121 : 3)},
              {false, true, true, true, true, true, true, true}, {});
          seed += 3;
          ASSERT_EQ(r.fast.size(), 1u);
          EXPECT_NE(r.backend, "reference");
          EXPECT_LE(MaxAbsDiff(r.fast[0], r.ref[0]), runtime::fast::kRequantTol);
        }
}

// Halves every int8 weight of a QDQ model (a constant DequantizeLinear input) into 7 bits.
void HalveWeights(ir::Model& m) {
  for (const auto& n : m.graph->nodes()) {
    ir::Value* w = n->op_type() == "DequantizeLinear" ? n->input(0) : nullptr;
    if (!w || !w->is_initializer() || w->data().dtype() != DataType::kInt8) continue;
    Tensor half = w->data().Clone();
    for (int64_t i = 0; i < half.numel(); ++i) half.data<int8_t>()[i] /= 2;
    n->SetInput(0, m.graph->AddInitializer(w->name() + "_7bit", std::move(half)));
  }
}

TEST(Int8Isa, QdqModelsLowerOnlyWhereExact) {
  ir::Model m = ir::MakeModel(17);
  ir::Graph& g = *m.graph;
  ir::Value* x = g.AddInput("x", ir::TypeInfo::Tensor(DataType::kFloat32, {1, 8, 6, 6}));
  ir::Node* conv = g.AddNode("Conv", {x, g.AddInitializer("w", RandomTensor({8, 8, 3, 3}, 5))},
                             {"y"}, {ir::MakeAttr("pads", Shape{1, 1, 1, 1})});
  g.AddOutput(conv->output(0));
  Expected<int> q = MakeQdq(m, {{"x", RandomTensor({1, 8, 6, 6}, 6)}});
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  Expected<std::unique_ptr<runtimes::NativeSession>> s = runtimes::NativeSession::Create(m, 1);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->lowered_qdq(), runtime::fast::Int8DotExact());
  HalveWeights(m);
  s = runtimes::NativeSession::Create(m, 1);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE((*s)->lowered_qdq());
  EXPECT_TRUE(runtime::fast::QdqLowersExactly(m));
  // s8 activations: exact only with VNNI.
  for (const auto& n : m.graph->nodes())
    if (n->op_type() == "QuantizeLinear")
      n->SetInput(2, m.graph->AddInitializer(n->name() + "_s8_zp", ScalarQ(DataType::kInt8, 0)));
  EXPECT_EQ(runtime::fast::QdqLowersExactly(m), runtime::fast::Int8DotExact());
}

}  // namespace
}  // namespace shrink::testing
