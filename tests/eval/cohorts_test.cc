#include "eval/cohorts.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace shrink::eval {
namespace {

TEST(Cohorts, TextLengthBucketsAndMetadata) {
  data::CohortSpec len;
  len.name = "by_text_length";
  len.kind = data::CohortKind::kTextLength;
  len.buckets = {4, 8};
  Predictions p;
  p.kind = data::PredictionKind::kText;
  // Lengths 0, 4, 5, 8, 9 and a 2-code-point UTF-8 string.
  p.targets = {"", "abcd", "abcde", "abcdefgh", "abcdefghi", "\xC3\xA9\xC3\xA9"};
  p.size = static_cast<int64_t>(p.targets.size());
  p.texts = p.targets;
  data::Batch b;
  std::vector<std::string> keys;
  ASSERT_TRUE(AppendCohortKeys(len, b, p, &keys).ok());
  EXPECT_EQ(keys, (std::vector<std::string>{"1-4", "1-4", "5-8", "5-8", "9+", "1-4"}));

  data::CohortSpec font;
  font.name = "by_font";
  font.kind = data::CohortKind::kMetadata;
  font.key = "font";
  b.metadata = {{{"font", "Mono"}}, {}, {{"font", "Sans"}}, {}, {}, {}};
  keys.clear();
  ASSERT_TRUE(AppendCohortKeys(font, b, p, &keys).ok());
  EXPECT_EQ(keys[0], "Mono");
  EXPECT_EQ(keys[1], "(missing)");

  data::CohortSpec label;  // text predictions carry no labels
  label.name = "by_label";
  EXPECT_EQ(AppendCohortKeys(label, b, p, &keys).code(), StatusCode::kInvalidArgument);
}

TEST(Cohorts, KeysSortNumbersNumerically) {
  std::vector<std::string> k = {"10", "9+", "b", "2", "1-4", "a"};
  std::sort(k.begin(), k.end(), CohortKeyLess);
  EXPECT_EQ(k, (std::vector<std::string>{"1-4", "2", "9+", "10", "a", "b"}));
}

}  // namespace
}  // namespace shrink::eval
