#include "eval/predictions.h"

#include <gtest/gtest.h>

#include <cmath>

namespace shrink::eval {
namespace {

data::Batch ClassBatch(std::vector<int64_t> labels) {
  data::Batch b;
  const auto n = static_cast<int64_t>(labels.size());
  b.labels = Tensor::FromVector<int64_t>({n}, labels);
  for (int64_t i = 0; i < n; ++i) b.source_indices.push_back(i);
  return b;
}

TEST(MapOutput, ArgmaxSoftmaxesLogitsAndKeepsProbabilities) {
  data::OutputMapping m;  // argmax, axis -1
  // Logits [ln 1, ln 3] -> softmax [1/4, 3/4]; the second row already sums to 1 -> kept.
  const Tensor out = Tensor::FromVector<float>({2, 2}, {0.0f, std::log(3.0f), 0.9f, 0.1f});
  auto p = MapOutput(m, "logits", out, ClassBatch({1, 1}), data::LabelKind::kClass);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_NEAR(p->scores[1], 0.75, 1e-6);
  EXPECT_FLOAT_EQ(p->scores[2], 0.9f);
  EXPECT_EQ(p->predicted, (std::vector<int64_t>{1, 0}));
  // [N, C, 1, 1] with axis 1 is fine; [N, C, 2] is not.
  m.axis = 1;
  EXPECT_TRUE(
      MapOutput(m, "o", out.Reshaped({2, 2, 1, 1}), ClassBatch({0, 1}), data::LabelKind::kClass)
          .ok());
  const Tensor wide = Tensor::FromVector<float>({1, 2, 2}, {1, 2, 3, 4});
  auto bad = MapOutput(m, "o", wide, ClassBatch({0}), data::LabelKind::kClass);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  // A label beyond the classes, and a dataset without labels.
  m.axis = -1;
  auto far = MapOutput(m, "logits", out, ClassBatch({0, 7}), data::LabelKind::kClass);
  EXPECT_NE(far.status().message().find("label 7"), std::string::npos) << far.status().message();
  auto none = MapOutput(m, "logits", out, ClassBatch({0, 1}), data::LabelKind::kNone);
  EXPECT_NE(none.status().message().find("no labels"), std::string::npos);
}

TEST(MapOutput, SigmoidThreshold) {
  data::OutputMapping m;
  m.kind = data::OutputMappingKind::kSigmoidThreshold;
  m.threshold = 0.6;
  // sigmoid(0) = 0.5 -> class 0 under threshold 0.6; sigmoid(ln 4) = 0.8 -> class 1.
  const Tensor out = Tensor::FromVector<float>({2, 1}, {0.0f, std::log(4.0f)});
  auto p = MapOutput(m, "y", out, ClassBatch({1, 1}), data::LabelKind::kClass);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->predicted, (std::vector<int64_t>{0, 1}));
  EXPECT_NEAR(p->scores[3], 0.8, 1e-6);
  EXPECT_NEAR(p->scores[2], 0.2, 1e-6);
}

TEST(MapOutput, NextTokenSumsNllPerSequence) {
  data::OutputMapping m;
  m.kind = data::OutputMappingKind::kNextToken;
  data::Batch b;
  b.labels = Tensor::FromVector<int64_t>({1, 3}, {0, 1, -1});  // -1: ignored position
  b.source_indices = {0};
  // Position 0 logits [0, 0] -> p(0) = 1/2; position 1 [ln 3, 0] -> p(1) = 1/4.
  const Tensor out =
      Tensor::FromVector<float>({1, 3, 2}, {0.0f, 0.0f, std::log(3.0f), 0.0f, 5.0f, 5.0f});
  auto p = MapOutput(m, "logits", out, b, data::LabelKind::kTokens);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_NEAR(p->nll[0], std::log(2.0) + std::log(4.0), 1e-6);  // ln 8
  EXPECT_EQ(p->tokens[0], 2);
  EXPECT_EQ(p->correct[0], 1);  // position 0: argmax 0 (tie, first) == 0; position 1: 0 != 1
}

TEST(MapOutput, CtcGreedyDecoding) {
  const std::vector<std::string> charset = {"a", "b", "c"};
  // One-hot best path ids [1,1,0,1,2,2,0,3] with blank 0: a (merged), blank, a, b, blank, c.
  const std::vector<int64_t> path = {1, 1, 0, 1, 2, 2, 0, 3};
  std::vector<float> probs;
  for (int64_t id : path)
    for (int64_t c = 0; c < 4; ++c) probs.push_back(c == id ? 0.9f : 0.1f / 3);
  EXPECT_EQ(CtcGreedyDecode(probs.data(), 8, 4, 4, 0, charset), "aabc");
  // Blank last (index 3): ids below it map directly: [0, 0, 3, 1] -> "a" "b".
  std::vector<float> tail = {1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0};
  EXPECT_EQ(CtcGreedyDecode(tail.data(), 4, 4, 4, 3, charset), "ab");

  data::OutputMapping m;
  m.kind = data::OutputMappingKind::kCtcGreedy;
  data::Batch b;
  b.texts = {"aabc"};
  b.source_indices = {0};
  auto p = MapOutput(m, "probs", Tensor::FromVector<float>({1, 8, 4}, probs), b,
                     data::LabelKind::kText, charset);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->texts[0], "aabc");
  // A charset that does not match the class count is named in the error.
  auto bad = MapOutput(m, "probs", Tensor::FromVector<float>({1, 8, 4}, probs), b,
                       data::LabelKind::kText, {"a", "b"});
  EXPECT_NE(bad.status().message().find("charset has 2"), std::string::npos);
  // Dataset vocabulary: leading blank "" dropped, space appended on request.
  data::DatasetInfo info;
  info.vocabulary = {"", "x", "y"};
  m.append_space = true;
  EXPECT_EQ(CtcCharset(m, info), (std::vector<std::string>{"x", "y", " "}));
}

}  // namespace
}  // namespace shrink::eval
