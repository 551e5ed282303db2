#include "quant/saturation.h"

#include <gtest/gtest.h>

#include "ir/builder.h"

namespace shrink::quant {
namespace {

// Yields the same batch `n` times.
class FixedSource : public CalibrationSource {
 public:
  FixedSource(runtime::Feeds feeds, int n) : feeds_(std::move(feeds)), n_(n) {}
  Expected<std::optional<runtime::Feeds>> Next() override {
    if (i_ >= n_) return std::optional<runtime::Feeds>();
    ++i_;
    return std::optional<runtime::Feeds>(feeds_);
  }
  Status Reset() override {
    i_ = 0;
    return Status::Ok();
  }
  int64_t num_batches() const override { return n_; }
  std::string Describe() const override { return "fixed"; }

 private:
  runtime::Feeds feeds_;
  int n_, i_ = 0;
};

// x[2, 3] -> Q(u8, scale 0.1, zp 128) -> DQ -> y1      (input quantized directly)
// x -> Relu -> Q(s8 per channel axis 1, scales 0.01/0.1/1) -> DQ -> y2
ir::Model TwoQuantizers() {
  ir::Model m = ir::MakeModel(17);
  ir::GraphBuilder b(*m.graph);
  auto* x = b.Input("x", DataType::kFloat32, {ir::Dim::Known(2), ir::Dim::Known(3)});
  auto* q1 = b.Op("QuantizeLinear",
                  {x, b.Const("s1", Tensor::FromVector<float>({}, {0.1f})),
                   b.Const("z1", Tensor::FromVector<uint8_t>({}, {128}))},
                  {}, "q_input");
  b.Output(b.Op("DequantizeLinear", {q1, b.Const("s1b", Tensor::FromVector<float>({}, {0.1f})),
                                     b.Const("z1b", Tensor::FromVector<uint8_t>({}, {128}))}),
           "y1");
  auto* r = b.Op("Relu", {x}, {}, "relu");
  auto* s2 = b.Const("s2", Tensor::FromVector<float>({3}, {0.01f, 0.1f, 1.0f}));
  auto* z2 = b.Const("z2", Tensor::FromVector<int8_t>({3}, {0, 0, 0}));
  auto* q2 = b.Op("QuantizeLinear", {r, s2, z2}, {ir::MakeAttr("axis", int64_t{1})}, "q_relu");
  b.Output(b.Op("DequantizeLinear", {q2, s2, z2}, {ir::MakeAttr("axis", int64_t{1})}), "y2");
  return m;
}

TEST(Saturation, CountsClippedValuesPerQuantizer) {
  const ir::Model m = TwoQuantizers();
  // u8 grid of q_input covers [-12.8, 12.7]: 20 and 100 clip above, -13 below; relu's s8
  // channels cover [0, 1.27], [0, 12.7], [0, 127]: 5 (ch 0) and 20 (ch 1) clip.
  runtime::Feeds feeds = {
      {"x", Tensor::FromVector<float>({2, 3}, {5.0f, 20.0f, -13.0f, 0.5f, 1.0f, 100.0f})}};
  FixedSource source(feeds, 3);
  Expected<SaturationReport> r = MeasureSaturation(m, source);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->batches, 3);
  ASSERT_EQ(r->tensors.size(), 2u);
  for (const TensorSaturation& t : r->tensors) {
    EXPECT_EQ(t.values, 18);
    if (t.node == "q_input") {
      EXPECT_EQ(t.above, 6);
      EXPECT_EQ(t.below, 3);
    } else {
      EXPECT_EQ(t.node, "q_relu");
      EXPECT_EQ(t.above, 6);
      EXPECT_EQ(t.below, 0);
    }
  }
  EXPECT_EQ(r->tensors[0].node, "q_input");  // worst first
  EXPECT_DOUBLE_EQ(r->tensors[0].rate(), 9.0 / 18);
  EXPECT_EQ(r->values, 36);
  EXPECT_EQ(r->clipped, 15);
  EXPECT_DOUBLE_EQ(r->rate(), 15.0 / 36);
  EXPECT_EQ(r->ToJson()["worst"].size(), 2u);
  // A cap on batches is honoured.
  Expected<SaturationReport> one = MeasureSaturation(m, source, 1);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->batches, 1);
  EXPECT_EQ(one->values, 12);
}

TEST(Saturation, FloatModelHasNothingToMeasure) {
  ir::Model m = ir::MakeModel(17);
  ir::GraphBuilder b(*m.graph);
  b.Output(b.Op("Relu", {b.Input("x", DataType::kFloat32, {ir::Dim::Known(2)})}), "y");
  FixedSource source({{"x", Tensor::FromVector<float>({2}, {1, 2})}}, 1);
  Expected<SaturationReport> r = MeasureSaturation(m, source);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->tensors.empty());
  EXPECT_EQ(r->rate(), 0);
}

TEST(Saturation, WrongFeedIsAnError) {
  const ir::Model m = TwoQuantizers();
  FixedSource source({{"x", Tensor::FromVector<float>({3}, {1, 2, 3})}}, 1);
  Expected<SaturationReport> r = MeasureSaturation(m, source);
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace shrink::quant
