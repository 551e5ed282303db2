// BatchNormalization (inference; training unsupported), InstanceNormalization, LayerNormalization.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "runtime/kernel_test_helpers.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

// X [2, 2, 2] (N=2, C=2, spatial 2) = 0..7
Tensor X() { return F32({2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7}); }

std::vector<Tensor> BnInputs() {
  return {X(), F32({2}, {1, 2}), F32({2}, {0.5, -1}), F32({2}, {1, 3}), F32({2}, {4, 0.25})};
}

// Expected BN output from the formula, per channel c = (i / 2) % 2.
std::vector<double> BnExpected(double eps) {
  const double scale[] = {1, 2}, bias[] = {0.5, -1}, mean[] = {1, 3}, var[] = {4, 0.25};
  std::vector<double> out;
  for (int i = 0; i < 8; ++i) {
    const int c = (i / 2) % 2;
    out.push_back((i - mean[c]) / std::sqrt(var[c] + eps) * scale[c] + bias[c]);
  }
  return out;
}

TEST(Normalization, BatchNormInferenceAcrossOpsets) {
  ExpectTensor(RunOne("BatchNormalization", BnInputs(), {}, 15), kF32, {2, 2, 2}, BnExpected(1e-5));
  ExpectTensor(RunOne("BatchNormalization", BnInputs(), {MakeAttr("epsilon", 0.5f)}, 9), kF32,
               {2, 2, 2}, BnExpected(0.5));
  ExpectTensor(RunOne("BatchNormalization", BnInputs(), {MakeAttr("is_test", int64_t{1})}, 6), kF32,
               {2, 2, 2}, BnExpected(1e-5));
}

TEST(Normalization, BatchNormTrainingIsUnsupported) {
  EXPECT_EQ(RunStatus("BatchNormalization", BnInputs(), {MakeAttr("training_mode", int64_t{1})}, 15)
                .code(),
            StatusCode::kUnimplemented);
  // is_test defaults to 0 (training) before opset 7.
  EXPECT_EQ(RunStatus("BatchNormalization", BnInputs(), {}, 6).code(), StatusCode::kUnimplemented);
  // Requesting the running statistics outputs means training.
  EXPECT_EQ(RunStatus("BatchNormalization", BnInputs(), {}, 9, 3).code(),
            StatusCode::kUnimplemented);
}

TEST(Normalization, BatchNormPerActivationBeforeOpset9) {
  // spatial=0: parameters have X's per-sample shape [2, 2].
  const Tensor ones = F32({2, 2}, {1, 1, 1, 1});
  const Tensor zeros = F32({2, 2}, {0, 0, 0, 0});
  const Tensor mean = F32({2, 2}, {0, 1, 2, 3});
  const Tensor y = RunOne("BatchNormalization", {X(), ones, zeros, mean, ones},
                          {MakeAttr("spatial", int64_t{0}), MakeAttr("epsilon", 0.0f)}, 7);
  ExpectTensor(y, kF32, {2, 2, 2}, {0, 0, 0, 0, 4, 4, 4, 4});
  EXPECT_EQ(RunStatus("BatchNormalization", {X(), ones, zeros, mean, F32({2}, {1, 1})},
                      {MakeAttr("spatial", int64_t{0})}, 7)
                .code(),
            StatusCode::kInvalidArgument);
}

TEST(Normalization, InstanceNorm) {
  // Each (n, c) pair {a, a + 1} has mean a + 0.5 and variance 0.25.
  const Tensor y = RunOne("InstanceNormalization", {X(), F32({2}, {1, 3}), F32({2}, {0, 10})});
  const double z = 0.5 / std::sqrt(0.25 + 1e-5);
  ExpectTensor(y, kF32, {2, 2, 2}, {-z, z, 10 - 3 * z, 10 + 3 * z, -z, z, 10 - 3 * z, 10 + 3 * z});
}

TEST(Normalization, LayerNormWithStatistics) {
  const Tensor x = F32({2, 3}, {1, 2, 3, 2, 4, 9});
  const Tensor scale = F32({3}, {1, 2, 0.5});
  const Tensor bias = F32({3}, {0, 1, -1});
  const auto out = RunOk("LayerNormalization", {x, scale, bias}, {}, 17, 3);
  std::vector<double> y, mean, inv_std;
  const double rows[2][3] = {{1, 2, 3}, {2, 4, 9}};
  for (const auto& r : rows) {
    const double m = (r[0] + r[1] + r[2]) / 3;
    const double v =
        ((r[0] - m) * (r[0] - m) + (r[1] - m) * (r[1] - m) + (r[2] - m) * (r[2] - m)) / 3;
    const double is = 1 / std::sqrt(v + 1e-5);
    y.push_back((r[0] - m) * is * 1 + 0);
    y.push_back((r[1] - m) * is * 2 + 1);
    y.push_back((r[2] - m) * is * 0.5 - 1);
    mean.push_back(m);
    inv_std.push_back(is);
  }
  ExpectTensor(out[0], kF32, {2, 3}, y, 1e-5);
  ExpectTensor(out[1], kF32, {2, 1}, mean, 1e-6);
  ExpectTensor(out[2], kF32, {2, 1}, inv_std, 1e-5);
}

TEST(Normalization, LayerNormAxis0WithoutBiasAndHalfInput) {
  const Tensor x = F32({2, 2}, {1, 3, 5, 7});  // mean 4, variance 5
  const auto out = RunOk("LayerNormalization", {x, F32({2, 2}, {1, 1, 1, 1})},
                         {MakeAttr("axis", int64_t{0}), MakeAttr("epsilon", 0.0f)}, 17, 3);
  const double s = std::sqrt(5.0);
  ExpectTensor(out[0], kF32, {2, 2}, {-3 / s, -1 / s, 1 / s, 3 / s}, 1e-6);
  ExpectTensor(out[1], kF32, {1, 1}, {4});
  // float16 X: Y is float16, Mean stays float32 (stash type).
  const Tensor h = Make(DataType::kFloat16, {1, 2}, {1, 3});
  const auto hout = RunOk("LayerNormalization", {h, Make(DataType::kFloat16, {2}, {1, 1})},
                          {MakeAttr("epsilon", 0.0f)}, 17, 2);
  ExpectTensor(hout[0], DataType::kFloat16, {1, 2}, {-1, 1});
  ExpectTensor(hout[1], kF32, {1, 1}, {2});
}

TEST(Normalization, LayerNormErrors) {
  const Tensor x = F32({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(RunStatus("LayerNormalization", {x, F32({2}, {1, 1})}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RunStatus("LayerNormalization", {x, F32({3}, {1, 1, 1})},
                      {MakeAttr("stash_type", int64_t{11})})
                .code(),
            StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace shrink::testing
