// Task files: the examples in tasks/ validate, and every kind of error names file, line, column
// and field.
#include "data/task.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/temp_dir.h"
#include "data/task_summary.h"
#include "data/yaml_util.h"

namespace shrink::data {
namespace {

namespace fs = std::filesystem;

const std::string kTasksDir = std::string(SHRINK_SOURCE_DIR) + "/tasks";

// Line numbers below refer to this text.
const char* const kTiny =
    "version: 1\n"                    // 1
    "name: tiny\n"                    // 2
    "datasets:\n"                     // 3
    "  common:\n"                     // 4
    "    format: csv\n"               // 5
    "    path: data.csv\n"            // 6
    "  calibration: {limit: 4}\n"     // 7
    "  evaluation: {}\n"              // 8
    "output:\n"                       // 9
    "  mapping: sigmoid_threshold\n"  // 10
    "  threshold: 0.5\n"              // 11
    "metric: roc_auc\n"               // 12
    "cohorts:\n"                      // 13
    "  - by: label\n";                // 14

class TaskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = TempDir::Create("shrink_task_test_");
    ASSERT_TRUE(t.ok());
    dir_ = std::make_unique<TempDir>(std::move(t).value());
    std::ofstream(dir_->File("data.csv")) << "1,2,0\n3,4,1\n";
    file_ = dir_->File("tiny.yaml");
  }

  // kTiny with `from` replaced by `to` (which must occur).
  static std::string Edit(const std::string& from, const std::string& to) {
    std::string s = kTiny;
    const size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) s.replace(at, from.size(), to);
    return s;
  }

  // Parses `text` and expects a failure whose message starts with "<file>:<line>:<col>: field
  // '<field>': " and contains `fragment`.
  void ExpectError(const std::string& text, int line, int col, const std::string& field,
                   const std::string& fragment, StatusCode code = StatusCode::kInvalidArgument) {
    auto r = ParseTask(text, file_);
    ASSERT_FALSE(r.ok());
    const std::string& msg = r.status().message();
    const std::string prefix = file_ + ":" + std::to_string(line) + ":" + std::to_string(col) +
                               ": field '" + field + "': ";
    EXPECT_EQ(msg.substr(0, prefix.size()), prefix) << msg;
    EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
    EXPECT_EQ(r.status().code(), code) << msg;
  }

  std::unique_ptr<TempDir> dir_;
  std::string file_;
};

TEST_F(TaskTest, EveryExampleTaskValidates) {
  int count = 0;
  for (const auto& entry : fs::directory_iterator(kTasksDir)) {
    if (entry.path().extension() != ".yaml") continue;
    ++count;
    auto r = LoadTask(entry.path().string());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok()) {
      EXPECT_EQ(r->name + ".yaml", entry.path().filename().string());
      EXPECT_FALSE(TaskSummaryText(*r).empty());
      EXPECT_EQ(TaskToJson(*r)["metric"]["name"], r->metric.name);
    }
  }
  EXPECT_GE(count, 5);
}

TEST_F(TaskTest, ExamplesCarryWhatTheyDeclare) {
  auto fm = LoadTask(kTasksDir + "/fashion_mnist.yaml");
  ASSERT_TRUE(fm.ok()) << fm.status().ToString();
  EXPECT_EQ(fm->calibration.format, "idx");
  EXPECT_EQ(fm->calibration.split.name, "calibration");
  EXPECT_EQ(fm->calibration.limit, 1000);
  EXPECT_NE(fm->evaluation.idx.images.find("t10k-images"), std::string::npos);
  ASSERT_TRUE(fm->training.has_value());
  EXPECT_NE(fm->training->idx.images.find("train-images"), std::string::npos);
  EXPECT_EQ(fm->output.kind, OutputMappingKind::kArgmax);
  EXPECT_EQ(fm->metric.name, "top1");
  ASSERT_EQ(fm->cohorts.size(), 1u);
  EXPECT_EQ(fm->cohorts[0].kind, CohortKind::kLabel);
  EXPECT_EQ(fm->class_names.size(), 10u);

  auto bc = LoadTask(kTasksDir + "/breast_cancer.yaml");
  ASSERT_TRUE(bc.ok()) << bc.status().ToString();
  EXPECT_EQ(bc->output.kind, OutputMappingKind::kSigmoidThreshold);
  EXPECT_EQ(bc->metric.name, "roc_auc");
  EXPECT_EQ(bc->evaluation.csv.header, "sklearn");
  EXPECT_EQ(bc->evaluation.split.seed, 7u);  // the task seed flows into every split

  auto lm = LoadTask(kTasksDir + "/char_lm.yaml");
  ASSERT_TRUE(lm.ok()) << lm.status().ToString();
  EXPECT_EQ(lm->output.kind, OutputMappingKind::kNextToken);
  EXPECT_FALSE(lm->metric.higher_is_better);  // perplexity

  auto ocr = LoadTask(kTasksDir + "/ocr_lines.yaml");
  ASSERT_TRUE(ocr.ok()) << ocr.status().ToString();
  EXPECT_EQ(ocr->output.kind, OutputMappingKind::kCtcGreedy);
  EXPECT_EQ(ocr->output.charset_source, CharsetSource::kDataset);
  EXPECT_EQ(ocr->metric.name, "cer");
  ASSERT_EQ(ocr->cohorts.size(), 2u);
  EXPECT_EQ(ocr->cohorts[0].kind, CohortKind::kMetadata);
  EXPECT_EQ(ocr->cohorts[0].key, "font");
  EXPECT_EQ(ocr->cohorts[1].kind, CohortKind::kTextLength);
  EXPECT_EQ(ocr->cohorts[1].name, "by_length");
  EXPECT_EQ(ocr->cohorts[1].buckets, (std::vector<int64_t>{4, 8}));
  EXPECT_EQ(ocr->evaluation.ocr.fonts.size(), 3u);
}

TEST_F(TaskTest, RolesInheritCommonAndResolvePathsAgainstTheTaskFolder) {
  auto r = ParseTask(kTiny, file_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->calibration.csv.path, dir_->File("data.csv"));
  EXPECT_EQ(r->evaluation.csv.path, dir_->File("data.csv"));
  EXPECT_EQ(r->calibration.split.name, "calibration");
  EXPECT_EQ(r->evaluation.split.name, "eval");
  EXPECT_EQ(r->calibration.limit, 4);
  EXPECT_EQ(r->evaluation.limit, 0);
  EXPECT_FALSE(r->training.has_value());
  EXPECT_EQ(r->batch_size, 32);
  EXPECT_DOUBLE_EQ(r->output.threshold, 0.5);
  EXPECT_TRUE(r->metric.higher_is_better);
}

TEST_F(TaskTest, MissingRequiredFieldNamesItsParent) {
  ExpectError(Edit("name: tiny\n", ""), 1, 1, "name", "required field is missing");
  ExpectError(Edit("  evaluation: {}\n", ""), 4, 3, "datasets.evaluation",
              "required field is missing");
  ExpectError(Edit("    path: data.csv\n", ""), 6, 16, "datasets.calibration.path",
              "required field is missing");
}

TEST_F(TaskTest, WrongTypeNamesTheValue) {
  ExpectError(Edit("threshold: 0.5", "threshold: high"), 11, 14, "output.threshold",
              "expected a number, got 'high'");
  ExpectError(Edit("cohorts:\n  - by: label\n", "cohorts: {by: label}\n"), 13, 10, "cohorts",
              "expected a list");
  ExpectError(Edit("version: 1", "version: [1]"), 1, 10, "version", "expected an integer");
  // An empty value is reported at its key, not at the next line.
  ExpectError(Edit("name: tiny", "name:"), 2, 1, "name", "expected a string, got nothing");
}

TEST_F(TaskTest, UnknownKeyIsAnErrorWithAHint) {
  ExpectError(Edit("    path: data.csv", "    pth: data.csv"), 6, 5, "datasets.common.pth",
              "unknown field (did you mean 'path'?)");
  ExpectError(Edit("metric: roc_auc", "metrik: roc_auc"), 12, 1, "metrik",
              "did you mean 'metric'?");
  // A key of another format says so.
  ExpectError(Edit("  calibration: {limit: 4}", "  calibration: {images: a.gz}"), 7, 25,
              "datasets.calibration.images", "belongs to format 'idx'");
  // A key that only another mapping takes.
  ExpectError(Edit("  threshold: 0.5", "  axis: 1"), 11, 3, "output.axis", "unknown field");
}

TEST_F(TaskTest, BadEnumListsChoicesAndHints) {
  ExpectError(Edit("mapping: sigmoid_threshold", "mapping: argmx"), 10, 12, "output.mapping",
              "did you mean 'argmax'?");
  ExpectError(Edit("format: csv", "format: cvs"), 5, 13, "datasets.common.format",
              "did you mean 'csv'?");
  ExpectError(Edit("by: label", "by: font"), 14, 9, "cohorts[0].by", "is not one of");
}

TEST_F(TaskTest, MalformedYamlReportsTheParserPosition) {
  auto r = ParseTask(Edit("  calibration: {limit: 4}", "  calibration: {limit: 4"), file_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  const std::string& msg = r.status().message();
  EXPECT_EQ(msg.rfind(file_ + ":", 0), 0u) << msg;
  EXPECT_NE(msg.find("malformed YAML"), std::string::npos) << msg;
  const int line = std::stoi(msg.substr(file_.size() + 1));
  EXPECT_GE(line, 7) << msg;  // the flow mapping opened on line 7 never closes

  auto tab = ParseTask(Edit("name: tiny", "name: a: b"), file_);
  ASSERT_FALSE(tab.ok());
  EXPECT_EQ(tab.status().message().rfind(file_ + ":2:", 0), 0u) << tab.status().message();
}

TEST_F(TaskTest, MissingReferencedFileIsNotFoundAndNamesThePath) {
  ExpectError(Edit("path: data.csv", "path: nope.csv"), 6, 11, "datasets.common.path",
              dir_->File("nope.csv"), StatusCode::kNotFound);
  ExpectError(Edit("  threshold: 0.5", "  threshold: 0.5\n  charset_file: keys.txt"), 12, 3,
              "output.charset_file", "unknown field");  // only ctc_greedy reads a charset
}

TEST_F(TaskTest, RangesVersionsDuplicatesAndMetricCompatibility) {
  ExpectError(Edit("version: 1", "version: 2"), 1, 10, "version", "unsupported schema version 2");
  ExpectError(Edit("threshold: 0.5", "threshold: 1.5"), 11, 14, "output.threshold", "out of range");
  ExpectError(Edit("metric: roc_auc", "batch_size: 0\nmetric: roc_auc"), 12, 13, "batch_size",
              "out of range [1, 65536]");
  ExpectError(Edit("name: tiny", "name: tiny\nname: again"), 3, 1, "name", "duplicate key");
  ExpectError(Edit("metric: roc_auc", "metric: cer"), 12, 9, "metric",
              "cannot score class predictions");
  ExpectError(Edit("metric: roc_auc", "metric: {name: roc_auc, higher_is_better: false}"), 12, 43,
              "metric.higher_is_better", "higher-is-better");
  ExpectError(Edit("  - by: label", "  - by: text_length\n    buckets: [4]"), 14, 9,
              "cohorts[0].by", "need text predictions");
  ExpectError(Edit("  - by: label", "  - by: label\n  - by: label"), 15, 5, "cohorts[1]",
              "duplicate cohort name 'by_label'");
}

TEST_F(TaskTest, CtcCharsetFromFileOrInline) {
  std::ofstream(dir_->File("keys.txt")) << "a\nb\r\nc\n";
  const std::string ctc =
      "version: 1\nname: ocr\n"
      "datasets:\n  common: {format: ocr_render, num_examples: 10}\n"
      "  calibration: {}\n  evaluation: {}\n"
      "output: {mapping: ctc_greedy, charset_file: keys.txt, append_space: true, blank_index: 4}\n"
      "metric: cer\n";
  auto r = ParseTask(ctc, file_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->output.charset_source, CharsetSource::kFile);
  EXPECT_EQ(r->output.charset, (std::vector<std::string>{"a", "b", "c", " "}));
  EXPECT_EQ(r->output.blank_index, 4);

  std::string inline_cs = ctc;
  inline_cs.replace(inline_cs.find("charset_file: keys.txt"), 22, "charset: \"xé\"");
  inline_cs.replace(inline_cs.find("blank_index: 4"), 14, "blank_index: 0");
  auto i = ParseTask(inline_cs, file_);
  ASSERT_TRUE(i.ok()) << i.status().ToString();
  EXPECT_EQ(i->output.charset, (std::vector<std::string>{"x", "é", " "}));

  std::string too_big = ctc;
  too_big.replace(too_big.find("blank_index: 4"), 14, "blank_index: 5");
  auto b = ParseTask(too_big, file_);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("field 'output.blank_index': value 5 is out of range [0, 4]"),
            std::string::npos)
      << b.status().message();
}

TEST_F(TaskTest, EmptyAndMissingTaskFiles) {
  auto e = ParseTask("", file_);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find(file_ + ":1:1"), std::string::npos);
  auto m = LoadTask(dir_->File("absent.yaml"));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kNotFound);
  EXPECT_NE(m.status().message().find("absent.yaml"), std::string::npos);
}

TEST(YamlUtilTest, ClosestMatchOnlyForPlausibleTypos) {
  const std::vector<std::string> keys = {"calibration", "evaluation", "training"};
  EXPECT_EQ(ClosestMatch("calibraton", keys), "calibration");
  EXPECT_EQ(ClosestMatch("Evaluation", keys), "evaluation");
  EXPECT_EQ(ClosestMatch("model", keys), std::nullopt);
  EXPECT_EQ(ClosestMatch("cvs", {"csv", "npy"}), "csv");  // a swap is one edit
}

TEST(YamlUtilTest, TypedReadsAndUnreadKeys) {
  YamlValue root = ParseYaml("a: 12\nb: yes\nc: [x, y]\nd: 1e3\n", "f.yaml");
  YamlMap m = root.Map();
  EXPECT_EQ(m.Required("a").Int(0, 100), 12);
  EXPECT_TRUE(m.Required("b").Bool());
  EXPECT_EQ(m.Required("c").StrList(), (std::vector<std::string>{"x", "y"}));
  try {
    m.Finish();
    ADD_FAILURE() << "unread key d accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("f.yaml:4:1: field 'd': unknown field", 0), 0u)
        << e.what();
  }
  EXPECT_DOUBLE_EQ(m.Required("d").Double(), 1000.0);
  EXPECT_NO_THROW(m.Finish());
  EXPECT_THROW((void)m.Required("a").Int(20, 30), Error);
}

}  // namespace
}  // namespace shrink::data
