// Int8DotExact (runtime/fast/onednn_util.h) and what follows from it, on this machine and, through
// a second ctest entry (runtime.Int8Isa.WithoutVnni), under ONEDNN_MAX_CPU_ISA=AVX2, where
// oneDNN's int8 kernels sum u8 x s8 pairs in saturating int16: an int8 conv and matmul with
// full-range weights agree with the reference executor within one step either way (on VNNI
// through oneDNN's or the native int8 kernels; without, because oneDNN's int8 factories decline),
// and a QDQ model runs lowered to 8-bit only where that is exact.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "runtime/fast/int8_util.h"
#include "runtime/fast/onednn_util.h"
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
}

}  // namespace
}  // namespace shrink::testing
