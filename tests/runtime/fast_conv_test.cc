// Fast oneDNN Conv / pooling kernels against the reference kernels on randomized geometry.
#include <gtest/gtest.h>

#include "runtime_util/fast_test_util.h"

namespace shrink::testing {
namespace {

using ir::MakeAttr;

struct ConvCase {
  Shape x;
  int64_t out_ch;
  Shape k;
  int64_t group;
  Shape strides, dilations, pads;
  bool bias;
  std::string auto_pad = "NOTSET";
};

TEST(FastConv, MatchesReferenceOnRandomGeometry) {
  const std::vector<ConvCase> cases = {
      {{1, 3, 17, 13}, 8, {3, 3}, 1, {1, 1}, {1, 1}, {1, 1, 1, 1}, true},
      {{2, 6, 11, 9}, 6, {3, 3}, 6, {2, 2}, {1, 1}, {1, 0, 2, 1}, true},    // depthwise, odd pads
      {{1, 8, 15, 15}, 4, {3, 5}, 2, {1, 2}, {2, 1}, {2, 2, 2, 2}, false},  // groups, dilation
      {{1, 16, 7, 7}, 32, {1, 1}, 1, {1, 1}, {1, 1}, {0, 0, 0, 0}, true},   // pointwise
      {{1, 5, 19}, 7, {4}, 1, {3}, {2}, {1, 2}, true},                      // 1-D
      {{1, 4, 10, 9}, 8, {3, 3}, 1, {2, 2}, {1, 1}, {0, 0, 0, 0}, true, "SAME_UPPER"},
      {{1, 2, 5, 6, 7}, 3, {2, 3, 2}, 1, {1, 2, 1}, {1, 1, 2}, {0, 1, 1, 1, 0, 0}, true},  // 3-D
  };
  uint32_t seed = 1;
  for (const auto& c : cases) {
    Shape ws{c.out_ch, c.x[1] / c.group};
    ws.insert(ws.end(), c.k.begin(), c.k.end());
    std::vector<Tensor> in{RandomTensor(c.x, seed++), RandomTensor(ws, seed++)};
    if (c.bias) in.push_back(RandomTensor({c.out_ch}, seed++));
    std::vector<ir::Attribute> attrs{MakeAttr("group", c.group), MakeAttr("strides", c.strides),
                                     MakeAttr("dilations", c.dilations)};
    if (c.auto_pad == "NOTSET")
      attrs.push_back(MakeAttr("pads", c.pads));
    else
      attrs.push_back(MakeAttr("auto_pad", c.auto_pad));
    ExpectFastMatches("conv x=" + ShapeToString(c.x) + " w=" + ShapeToString(ws), "Conv", in,
                      {false, true, true}, attrs, kReductionTol);
  }
}

TEST(FastConv, RuntimeWeightsFallBackToReference) {
  FastOpResult r = RunBoth("Conv", {RandomTensor({1, 2, 5, 5}, 1), RandomTensor({3, 2, 3, 3}, 2)},
                           {false, false}, {});
  EXPECT_EQ(r.backend, "reference");
  ASSERT_EQ(r.fast.size(), 1u);
  EXPECT_LE(MaxAbsDiff(r.fast[0], r.ref[0]), 0.0);
}

TEST(FastPool, MatchesReference) {
  const Tensor x = RandomTensor({2, 3, 13, 11}, 7);
  ExpectFastMatches("maxpool", "MaxPool", {x}, {false},
                    {MakeAttr("kernel_shape", Shape{3, 3}), MakeAttr("strides", Shape{2, 2}),
                     MakeAttr("pads", Shape{1, 1, 1, 1})},
                    0.0);
  ExpectFastMatches("maxpool ceil dilated", "MaxPool", {x}, {false},
                    {MakeAttr("kernel_shape", Shape{2, 3}), MakeAttr("strides", Shape{2, 2}),
                     MakeAttr("dilations", Shape{2, 1}), MakeAttr("ceil_mode", int64_t{1})},
                    0.0);
  ExpectFastMatches("avgpool exclude pad", "AveragePool", {x}, {false},
                    {MakeAttr("kernel_shape", Shape{3, 2}), MakeAttr("strides", Shape{1, 2}),
                     MakeAttr("pads", Shape{1, 0, 1, 1})},
                    kEltwiseTol);
  ExpectFastMatches("avgpool include pad", "AveragePool", {x}, {false},
                    {MakeAttr("kernel_shape", Shape{3, 3}), MakeAttr("pads", Shape{1, 1, 1, 1}),
                     MakeAttr("count_include_pad", int64_t{1})},
                    kEltwiseTol);
  ExpectFastMatches("global avg", "GlobalAveragePool", {x}, {false}, {}, kEltwiseTol);
  ExpectFastMatches("global max", "GlobalMaxPool", {x}, {false}, {}, 0.0);
}

}  // namespace
}  // namespace shrink::testing
