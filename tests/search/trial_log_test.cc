#include "search/trial_log.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "core/temp_dir.h"

namespace shrink::search {
namespace {

TrialRecord Rec(int64_t i) {
  TrialRecord r;
  r.index = i;
  r.genome = {static_cast<int>(i), 1};
  r.config = {{"ptq", {{"method", "minmax"}}}};
  r.result = {{"top1", 0.9}};
  r.objectives = {1.0 * i, NAN};
  r.seconds = 0.5;
  return r;
}

TEST(TrialLog, AppendsAndReloads) {
  Expected<TempDir> dir = TempDir::Create("trial_log");
  ASSERT_TRUE(dir.ok());
  const std::string path = dir->path() + "/trials.jsonl";
  {
    Expected<TrialLog> log = TrialLog::Open(path);
    ASSERT_TRUE(log.ok());
    EXPECT_TRUE(log->records().empty());
    ASSERT_TRUE(log->Append(Rec(0)).ok());
    ASSERT_TRUE(log->Append(Rec(1)).ok());
    EXPECT_FALSE(log->Append(Rec(5)).ok());  // out of order
  }
  Expected<TrialLog> log = TrialLog::Open(path);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(log->records().size(), 2u);
  EXPECT_EQ(log->records()[1].genome, (Genome{1, 1}));
  EXPECT_EQ(log->records()[1].config["ptq"]["method"], "minmax");
  EXPECT_TRUE(std::isnan(log->records()[1].objectives[1]));
  EXPECT_FALSE(log->dropped_partial());
}

TEST(TrialLog, DropsALineCutShortByAKill) {
  Expected<TempDir> dir = TempDir::Create("trial_log");
  ASSERT_TRUE(dir.ok());
  const std::string path = dir->path() + "/trials.jsonl";
  {
    Expected<TrialLog> log = TrialLog::Open(path);
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE(log->Append(Rec(0)).ok());
  }
  std::ofstream(path, std::ios::app) << "{\"index\": 1, \"geno";
  Expected<TrialLog> log = TrialLog::Open(path);
  ASSERT_TRUE(log.ok());
  EXPECT_TRUE(log->dropped_partial());
  ASSERT_EQ(log->records().size(), 1u);
  ASSERT_TRUE(log->Append(Rec(1)).ok());  // continues cleanly after the truncation
  Expected<TrialLog> again = TrialLog::Open(path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->records().size(), 2u);
}

TEST(TrialLog, CorruptMiddleLineIsAnError) {
  Expected<TempDir> dir = TempDir::Create("trial_log");
  ASSERT_TRUE(dir.ok());
  const std::string path = dir->path() + "/trials.jsonl";
  std::ofstream(path) << "not json\n" << Rec(0).ToJson().dump() << "\n";
  Expected<TrialLog> log = TrialLog::Open(path);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(log.status().message().find(":1:"), std::string::npos);
}

}  // namespace
}  // namespace shrink::search
