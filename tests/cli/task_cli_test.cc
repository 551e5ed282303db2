// `shrink task validate`: summary / JSON for a good task file, one-line error and exit 2 for a bad
// one.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/subprocess.h"
#include "core/temp_dir.h"

namespace shrink {
namespace {

ProcessResult ShrinkTask(std::vector<std::string> args) {
  args.insert(args.begin(), {SHRINK_BIN, "task", "validate"});
  ProcessOptions o;
  o.timeout_seconds = 60;
  auto r = RunProcess(args, o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : ProcessResult{};
}

const std::string kTasks = std::string(SHRINK_SOURCE_DIR) + "/tasks/";

TEST(TaskCliTest, ValidPrintsSummaryAndJson) {
  ProcessResult text = ShrinkTask({kTasks + "ocr_lines.yaml"});
  ASSERT_EQ(text.exit_code, 0) << text.stderr_data;
  EXPECT_NE(text.stdout_data.find("ctc_greedy"), std::string::npos) << text.stdout_data;
  EXPECT_NE(text.stdout_data.find("cohort by_font"), std::string::npos) << text.stdout_data;

  ProcessResult json = ShrinkTask({kTasks + "fashion_mnist.yaml", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.stderr_data;
  const auto j = nlohmann::json::parse(json.stdout_data);
  EXPECT_EQ(j["metric"]["name"], "top1");
  EXPECT_EQ(j["datasets"]["calibration"]["format"], "idx");
  EXPECT_EQ(j["cohorts"][0]["by"], "label");
}

TEST(TaskCliTest, InvalidIsOneLineErrorNamingFileLineAndField) {
  auto dir = TempDir::Create("shrink_task_cli_");
  ASSERT_TRUE(dir.ok());
  const std::string file = dir->File("bad.yaml");
  std::ofstream(file) << "version: 1\nname: x\nmetrc: top1\n";
  ProcessResult r = ShrinkTask({file});
  EXPECT_EQ(r.exit_code, 2) << r.stderr_data;
  EXPECT_EQ(std::count(r.stderr_data.begin(), r.stderr_data.end(), '\n'), 1) << r.stderr_data;
  EXPECT_NE(
      r.stderr_data.find(file + ":3:1: field 'metrc': unknown field (did you mean 'metric'?)"),
      std::string::npos)
      << r.stderr_data;
  ProcessResult missing = ShrinkTask({dir->File("absent.yaml")});
  EXPECT_EQ(missing.exit_code, 3) << missing.stderr_data;
}

}  // namespace
}  // namespace shrink
