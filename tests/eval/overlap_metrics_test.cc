// bleu, rouge_l and mean_iou against hand-computed values, and the segmentation mapping.
#include <gtest/gtest.h>

#include <cmath>

#include "core/npy.h"
#include "core/temp_dir.h"
#include "eval/evaluator.h"
#include "eval/metric_test_util.h"
#include "eval/text_overlap.h"

namespace shrink::eval {
namespace {

using testing::Score;
using testing::TextPreds;
using Toks = std::vector<std::string>;

TEST(Tokenize13a, SplitsPunctuationLikeSacreBleu) {
  // "!" is split; "," and "." are split unless between digits; "-" after a digit is split;
  // the apostrophe stays inside the word.
  EXPECT_EQ(Tokenize13a("Hello, world! It's 3.5-4 km."),
            (Toks{"Hello", ",", "world", "!", "It's", "3.5", "-", "4", "km", "."}));
  EXPECT_EQ(Tokenize13a("a &quot;b&quot;<skipped>\nc"), (Toks{"a", "\"", "b", "\"", "c"}));
  EXPECT_EQ(Tokenize13a(".5 1,000"), (Toks{".", "5", "1,000"}));  // leading "." is split
  EXPECT_TRUE(Tokenize13a("  ").empty());
}

// hyp "the cat sat on the mat" (6 tokens), ref "the cat is on the mat now" (7 tokens):
//   1-grams: the x2, cat, on, mat match          -> 5/6
//   2-grams: "the cat", "on the", "the mat"      -> 3/5
//   3-grams: "on the mat"                        -> 1/4
//   4-grams: none of 3 -> exp smoothing 1/(2*3)  -> 1/6
//   brevity penalty exp(1 - 7/6); BLEU = 100 * BP * (5/6 * 3/5 * 1/4 * 1/6)^(1/4)
//                                      = 100 * exp(-1/6) * (1/48)^(1/4) = 32.16
TEST(Bleu, HandComputedWithBrevityPenalty) {
  const double expected = 100 * std::exp(-1.0 / 6) * std::pow(1.0 / 48, 0.25);
  EXPECT_NEAR(Score("bleu", TextPreds({"the cat sat on the mat"}, {"the cat is on the mat now"})),
              expected, 1e-9);
  EXPECT_NEAR(expected, 32.159, 1e-3);
}

TEST(Bleu, PerfectIsHundredAndNoOverlapIsZero) {
  EXPECT_NEAR(Score("bleu", TextPreds({"a b c d e.", "x y z w"}, {"a b c d e.", "x y z w"})), 100,
              1e-9);
  EXPECT_EQ(Score("bleu", TextPreds({"a b c d"}, {"e f g h"})), 0.0);
  EXPECT_EQ(Score("bleu", TextPreds({""}, {"e f g h"})), 0.0);
}

TEST(Bleu, IsCorpusLevelAndReweighted) {
  // Corpus statistics are summed before the geometric mean: two perfect 4-token sentences and
  // one empty hypothesis for a 4-token reference -> precisions 1, BP = exp(1 - 12/8).
  auto m = testing::Make("bleu");
  ASSERT_TRUE(
      m->Update(TextPreds({"a b c d", "e f g h", ""}, {"a b c d", "e f g h", "i j k l"})).ok());
  EXPECT_NEAR(m->Result(), 100 * std::exp(1 - 12.0 / 8), 1e-9);
  const std::vector<double> first_two = {1, 1, 0};
  EXPECT_NEAR(m->Compute(&first_two), 100, 1e-9);
  const std::vector<double> none = {0, 0, 0};
  EXPECT_TRUE(std::isnan(m->Compute(&none)));
  // Class predictions are refused.
  EXPECT_FALSE(m->Update(testing::Labels({0}, {0}, 2)).ok());
}

// The example of sacreBLEU's README (two reference sets), published there as
// "BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)".
TEST(Bleu, MatchesSacreBleuPublishedExample) {
  const std::vector<std::string> sys = {"The dog bit the man.", "It wasn't surprising.",
                                        "The man had just bitten him."};
  const std::vector<std::vector<std::string>> refs = {
      {"The dog bit the man.", "It was not unexpected.", "The man bit him first."},
      {"The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."}};
  EXPECT_NEAR(CorpusBleu(sys, refs), 48.53, 0.005);
  // With one reference set the metric and CorpusBleu agree.
  EXPECT_NEAR(Score("bleu", TextPreds(sys, refs[0])), CorpusBleu(sys, {refs[0]}), 1e-12);
}

// "the cat sat on the mat" vs "the cat is on the mat now": LCS "the cat on the mat" = 5,
// P = 5/6, R = 5/7, F = 2PR / (P + R) = 10/13. "A, B!" vs "b a": words [a, b] vs [b, a],
// LCS 1, F = 1/2. Mean = (10/13 + 1/2) / 2; an empty hypothesis scores 0.
TEST(RougeL, HandComputed) {
  EXPECT_EQ(
      LcsLength(RougeWords("the cat sat on the mat"), RougeWords("the cat is on the mat now")), 5);
  EXPECT_EQ(RougeWords("A, B!"), (Toks{"a", "b"}));
  EXPECT_NEAR(Score("rouge_l", TextPreds({"the cat sat on the mat", "A, B!"},
                                         {"the cat is on the mat now", "b a"})),
              (10.0 / 13 + 0.5) / 2, 1e-12);
  EXPECT_EQ(Score("rouge_l", TextPreds({"", "same words"}, {"x", "Same words"})), 0.5);
}

// Two 2x2 images, 3 classes, 255 = void:
//   A labels [0 0 1 1] pred [0 1 1 1];  B labels [2 2 0 255] pred [2 0 0 1]
//   class 0: TP 2, labelled 3, predicted 3 -> IoU 2 / 4
//   class 1: TP 2, labelled 2, predicted 3 (void pixel ignored) -> 2 / 3
//   class 2: TP 1, labelled 2, predicted 1 -> 1 / 2        mean = 5/9
//   A alone: class 0: 1 / 2, class 1: 2 / 3 (class 2 absent) -> 7/12
const std::vector<int64_t> kSegLabels = {0, 0, 1, 1, 2, 2, 0, 255};
const std::vector<int64_t> kSegPred = {0, 1, 1, 1, 2, 0, 0, 1};

// One-hot scores [2, 3, 2, 2] (class axis 1) for kSegPred.
Tensor SegScores() {
  std::vector<float> v(2 * 3 * 4, 0.0f);
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t p = 0; p < 4; ++p) v[n * 12 + kSegPred[n * 4 + p] * 4 + p] = 2.0f;
  return Tensor::FromVector<float>({2, 3, 2, 2}, v);
}

data::Batch SegBatch() {
  data::Batch b;
  b.labels = Tensor::FromVector<int64_t>({2, 2, 2}, kSegLabels);
  b.source_indices = {0, 1};
  return b;
}

TEST(MeanIou, SegmentationMappingHandComputed) {
  data::OutputMapping m;
  m.kind = data::OutputMappingKind::kSegmentation;
  m.axis = 1;
  auto p = MapOutput(m, "seg", SegScores(), SegBatch(), data::LabelKind::kRegression);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->kind, data::PredictionKind::kSegmentation);
  EXPECT_EQ(p->width, 4);
  EXPECT_EQ(p->predicted, kSegPred);
  auto metric = testing::Make("mean_iou");
  ASSERT_TRUE(metric->Update(*p).ok());
  EXPECT_NEAR(metric->Result(), 5.0 / 9, 1e-12);
  const std::vector<double> only_a = {1, 0};
  EXPECT_NEAR(metric->Compute(&only_a), 7.0 / 12, 1e-12);

  // Channels-last [N, H, W, C] with axis -1 gives the same pixels.
  std::vector<float> nhwc(24);
  const Tensor nchw = SegScores();
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t px = 0; px < 4; ++px)
        nhwc[n * 12 + px * 3 + c] = nchw.data<float>()[n * 12 + c * 4 + px];
  m.axis = -1;
  auto q = MapOutput(m, "seg", Tensor::FromVector<float>({2, 2, 2, 3}, nhwc), SegBatch(),
                     data::LabelKind::kRegression);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->predicted, kSegPred);

  // Labels that are not one per pixel, and no labels at all.
  data::Batch wrong = SegBatch();
  wrong.labels = Tensor::FromVector<int64_t>({2}, {0, 1});
  m.axis = 1;
  auto bad = MapOutput(m, "seg", SegScores(), wrong, data::LabelKind::kClass);
  EXPECT_NE(bad.status().message().find("one class id per pixel"), std::string::npos)
      << bad.status().message();
  EXPECT_FALSE(MapOutput(m, "seg", SegScores(), SegBatch(), data::LabelKind::kNone).ok());
}

TEST(MeanIou, ClassPredictionsAreOnePixelEach) {
  // labels [0 0 1], predicted [0 1 1]: class 0 IoU 1/2, class 1 IoU 1/2.
  EXPECT_NEAR(Score("mean_iou", testing::Labels({0, 0, 1}, {0, 1, 1}, 2)), 0.5, 1e-12);
  EXPECT_FALSE(testing::Make("mean_iou")->Update(TextPreds({"a"}, {"a"})).ok());
}

TEST(MeanIou, EndToEndThroughATask) {
  auto dir = TempDir::Create("shrink_seg_test_");
  ASSERT_TRUE(dir.ok());
  ASSERT_TRUE(WriteNpy(dir->File("x.npy"), SegScores()).ok());
  ASSERT_TRUE(
      WriteNpy(dir->File("y.npy"), Tensor::FromVector<int64_t>({2, 2, 2}, kSegLabels)).ok());
  const std::string yaml = R"(version: 1
name: seg
datasets:
  common: {format: npy, inputs: x.npy, labels: y.npy, split: all}
  calibration: {}
  evaluation: {}
output: {mapping: segmentation}
metric: mean_iou
)";
  auto task = data::ParseTask(yaml, "seg.yaml", dir->path());
  ASSERT_TRUE(task.ok()) << task.status().ToString();
  EXPECT_EQ(task->output.axis, 1);
  EvalOptions o;
  o.bootstrap_samples = 0;
  o.progress_bar = false;
  auto r = Evaluate(
      *task,
      [](const NamedTensors& in) -> Expected<NamedTensors> {
        return NamedTensors{{"seg", in.at(0).second}};
      },
      o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_NEAR(r->primary.value, 5.0 / 9, 1e-12);

  // Text metrics cannot score segmentation predictions.
  std::string bad = yaml;
  bad.replace(bad.find("metric: mean_iou"), 16, "metric: bleu");
  auto refused = data::ParseTask(bad, "seg.yaml", dir->path());
  EXPECT_NE(refused.status().message().find("cannot score segmentation"), std::string::npos)
      << refused.status().message();
}

}  // namespace
}  // namespace shrink::eval
