#include <gtest/gtest.h>

#include "data/dataset.h"

namespace shrink::data {
namespace {

// 2 channels, 1 x 2 pixels: c0 = {10, 20}, c1 = {30, 40}.
Tensor Image() { return Tensor::FromVector<float>({2, 1, 2}, {10, 20, 30, 40}); }

TEST(Preprocess, ScaleMeanStdPerChannel) {
  PreprocessSpec p;
  p.scale = 0.1f;
  p.mean = {1.0f, 2.0f};
  p.std = {0.5f, 2.0f};
  Expected<Tensor> t = Preprocess(Image(), true, p);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->shape(), (Shape{2, 1, 2}));
  const float* d = t->data<float>();
  EXPECT_FLOAT_EQ(d[0], (1.0f - 1.0f) / 0.5f);
  EXPECT_FLOAT_EQ(d[1], (2.0f - 1.0f) / 0.5f);
  EXPECT_FLOAT_EQ(d[2], (3.0f - 2.0f) / 2.0f);
  EXPECT_FLOAT_EQ(d[3], (4.0f - 2.0f) / 2.0f);
}

TEST(Preprocess, DoesNotModifyItsInput) {
  PreprocessSpec p;
  p.scale = 2;
  Tensor in = Image();
  ASSERT_TRUE(Preprocess(in, true, p).ok());
  EXPECT_EQ(in.data<float>()[0], 10.0f);
}

TEST(Preprocess, NhwcAndFlatten) {
  PreprocessSpec p;
  p.layout = "NHWC";
  Expected<Tensor> t = Preprocess(Image(), true, p);
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->shape(), (Shape{1, 2, 2}));
  EXPECT_EQ(std::vector<float>(t->data<float>(), t->data<float>() + 4),
            (std::vector<float>{10, 30, 20, 40}));
  p.flatten = true;
  EXPECT_EQ(Preprocess(Image(), true, p)->shape(), (Shape{4}));
}

TEST(Preprocess, BilinearResizeAveragesAndKeepsConstants) {
  PreprocessSpec p;
  p.resize_h = 1;
  p.resize_w = 1;
  Tensor img = Tensor::FromVector<float>({1, 2, 2}, {0, 10, 20, 30});
  Expected<Tensor> t = Preprocess(img, true, p);
  ASSERT_TRUE(t.ok());
  EXPECT_FLOAT_EQ(t->data<float>()[0], 15.0f);
  p.resize_h = 5;
  p.resize_w = 7;
  Tensor flat = Tensor::FromVector<float>({1, 2, 3}, {9, 9, 9, 9, 9, 9});
  Expected<Tensor> up = Preprocess(flat, true, p);
  ASSERT_EQ(up->shape(), (Shape{1, 5, 7}));
  for (int64_t i = 0; i < up->numel(); ++i) EXPECT_FLOAT_EQ(up->data<float>()[i], 9.0f);
  // Height only keeps the aspect ratio: 2x3 -> 4x6.
  p.resize_h = 4;
  p.resize_w = 0;
  EXPECT_EQ(Preprocess(flat, true, p)->shape(), (Shape{1, 4, 6}));
}

TEST(Preprocess, FeaturesAndPadding) {
  PreprocessSpec p;
  p.mean = {1, 2, 3};
  Tensor f = Tensor::FromVector<float>({3}, {1, 2, 3});
  Expected<Tensor> t = Preprocess(f, false, p);
  ASSERT_TRUE(t.ok());
  for (int i = 0; i < 3; ++i) EXPECT_FLOAT_EQ(t->data<float>()[i], 0.0f);
  PreprocessSpec pad;
  pad.pad_to = 5;
  pad.pad_value = -1;
  Expected<Tensor> padded = Preprocess(f, false, pad, /*variable=*/true);
  ASSERT_EQ(padded->shape(), (Shape{5}));
  EXPECT_FLOAT_EQ(padded->data<float>()[2], 3.0f);
  EXPECT_FLOAT_EQ(padded->data<float>()[4], -1.0f);
  pad.pad_to = 2;
  EXPECT_EQ(Preprocess(f, false, pad, true)->shape(), (Shape{2}));
  // Integer (token) inputs pass through untouched.
  Tensor tok = Tensor::FromVector<int64_t>({2}, {4, 5});
  EXPECT_TRUE(Preprocess(tok, false, p)->BitwiseEqual(tok));
}

TEST(Preprocess, RejectsBadSpecs) {
  PreprocessSpec p;
  p.std = {0.0f};
  EXPECT_EQ(Preprocess(Image(), true, p).status().code(), StatusCode::kInvalidArgument);
  p.std = {1, 1, 1};  // 3 values for 2 channels
  EXPECT_EQ(Preprocess(Image(), true, p).status().code(), StatusCode::kInvalidArgument);
  p.std.clear();
  p.layout = "CHWN";
  EXPECT_EQ(Preprocess(Image(), true, p).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shrink::data
