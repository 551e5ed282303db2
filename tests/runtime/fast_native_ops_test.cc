// Native fast Resize, standalone BatchNormalization, Concat and ConvTranspose (native and
// oneDNN) against the reference kernels.
#include <gtest/gtest.h>

#include "runtime_util/fast_test_util.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

Tensor Floats(std::vector<float> v) {
  Tensor t(DataType::kFloat32, {static_cast<int64_t>(v.size())});
  for (size_t i = 0; i < v.size(); ++i) t.data<float>()[i] = v[i];
  return t;
}

Tensor Ints(std::vector<int64_t> v) {
  Tensor t(DataType::kInt64, {static_cast<int64_t>(v.size())});
  for (size_t i = 0; i < v.size(); ++i) t.data<int64_t>()[i] = v[i];
  return t;
}

void ExpectBackend(const std::string& what, const FastOpResult& r, const std::string& backend,
                   double tol) {
  SCOPED_TRACE(what);
  ASSERT_EQ(r.ref.size(), 1u);
  ASSERT_EQ(r.fast.size(), 1u);
  EXPECT_EQ(r.backend, backend);
  EXPECT_EQ(r.fast[0].shape(), r.ref[0].shape());
  EXPECT_LE(MaxAbsDiff(r.fast[0], r.ref[0]), tol);
}

TEST(FastNativeOps, ResizeNearestIsExactForEveryCoordinateAndRoundingMode) {
  const Tensor x = RandomTensor({2, 3, 7, 5}, 1);
  const std::vector<std::pair<std::string, std::string>> modes = {
      {"asymmetric", "floor"},
      {"half_pixel", "round_prefer_floor"},
      {"align_corners", "ceil"},
      {"pytorch_half_pixel", "round_prefer_ceil"},
      {"tf_half_pixel_for_nn", "floor"}};
  for (const auto& [coord, nearest] : modes) {
    std::vector<ir::Attribute> attrs = {MakeAttr("mode", std::string("nearest")),
                                        MakeAttr("coordinate_transformation_mode", coord),
                                        MakeAttr("nearest_mode", nearest)};
    ExpectBackend(
        "scales " + coord,
        RunBoth("Resize", {x, Tensor(), Floats({1, 1, 2.0f, 1.7f})}, {false, true, true}, attrs),
        "native", 0.0);
    ExpectBackend("sizes (downscale) " + coord,
                  RunBoth("Resize", {x, Tensor(), Tensor(), Ints({2, 3, 4, 9})},
                          {false, true, true, true}, attrs),
                  "native", 0.0);
  }
}

TEST(FastNativeOps, ResizeLinearMatchesOnTheLastTwoAxes) {
  const Tensor x = RandomTensor({1, 4, 6, 9}, 2);
  for (const std::string coord : {"half_pixel", "align_corners", "asymmetric"}) {
    std::vector<ir::Attribute> attrs = {MakeAttr("mode", std::string("linear")),
                                        MakeAttr("coordinate_transformation_mode", coord)};
    ExpectBackend(
        "linear " + coord,
        RunBoth("Resize", {x, Tensor(), Floats({1, 1, 2.5f, 0.6f})}, {false, true, true}, attrs),
        "native", kEltwiseTol);
  }
  // Cubic and a resized channel axis stay on the reference kernel.
  EXPECT_EQ(RunBoth("Resize", {x, Tensor(), Floats({1, 1, 2, 2})}, {false, true, true},
                    {MakeAttr("mode", std::string("cubic"))})
                .backend,
            "reference");
  EXPECT_EQ(RunBoth("Resize", {x, Tensor(), Floats({1, 2, 2, 2})}, {false, true, true},
                    {MakeAttr("mode", std::string("linear"))})
                .backend,
            "reference");
}

TEST(FastNativeOps, StandaloneBatchNormalization) {
  const Tensor x = RandomTensor({2, 5, 4, 3}, 3);
  std::vector<Tensor> in = {x, RandomTensor({5}, 4), RandomTensor({5}, 5), RandomTensor({5}, 6),
                            RandomTensor({5}, 7, 0.1f, 2.0f)};
  ExpectBackend("bn",
                RunBoth("BatchNormalization", in, {false, true, true, true, true},
                        {MakeAttr("epsilon", 1e-3f)}),
                "native", kEltwiseTol);
  in[0] = RandomTensor({3, 5}, 8);  // rank 2
  ExpectBackend("bn rank 2", RunBoth("BatchNormalization", in, {false, true, true, true, true}, {}),
                "native", kEltwiseTol);
}

TEST(FastNativeOps, ConcatCopiesSlabsExactly) {
  ExpectBackend("axis 1",
                RunBoth("Concat",
                        {RandomTensor({2, 3, 4}, 9), RandomTensor({2, 1, 4}, 10),
                         RandomTensor({2, 5, 4}, 11)},
                        {false, false, false}, {MakeAttr("axis", int64_t{1})}),
                "native", 0.0);
  ExpectBackend("axis -1 with an empty input",
                RunBoth("Concat", {RandomTensor({3, 2}, 12), RandomTensor({3, 0}, 13)},
                        {false, false}, {MakeAttr("axis", int64_t{-1})}),
                "native", 0.0);
}

TEST(FastNativeOps, ConvTransposeMatchesReference) {
  struct Case {
    Shape x, w;
    Shape strides, pads, output_padding;
    int64_t group;
    bool bias;
    std::string backend;
  };
  const std::vector<Case> cases = {
      {{1, 6, 5, 7}, {6, 1, 2, 2}, {2, 2}, {0, 0, 0, 0}, {0, 0}, 1, true, "native"},  // det's last
      {{2, 3, 4, 3}, {3, 2, 3, 2}, {3, 2}, {0, 0, 0, 0}, {0, 0}, 1, false, "native"},
      {{1, 4, 5, 5}, {4, 8, 3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, 1, true, "onednn"},
      {{1, 4, 6, 5}, {4, 3, 3, 3}, {1, 2}, {0, 1, 2, 1}, {0, 0}, 2, true, "onednn"},  // groups
      {{1, 16, 4, 4}, {16, 16, 2, 2}, {2, 2}, {0, 0, 0, 0}, {0, 0}, 1, false, "onednn"},
  };
  uint32_t seed = 20;
  for (const Case& c : cases) {
    std::vector<Tensor> in = {RandomTensor(c.x, seed++), RandomTensor(c.w, seed++)};
    if (c.bias) in.push_back(RandomTensor({c.w[1] * c.group}, seed++));
    ExpectBackend(
        "convtranspose x=" + ShapeToString(c.x) + " w=" + ShapeToString(c.w),
        RunBoth("ConvTranspose", in, {false, true, true},
                {MakeAttr("strides", c.strides), MakeAttr("pads", c.pads),
                 MakeAttr("output_padding", c.output_padding), MakeAttr("group", c.group)}),
        c.backend, kReductionTol);
  }
}

}  // namespace
}  // namespace shrink::testing
